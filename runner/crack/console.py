"""The terminal: colour only on a terminal and never when NO_COLOR is set."""

from __future__ import annotations

import os
import sys
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


def make_console(file: IO[str] | None = None, *, stderr: bool = False) -> Console:
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            """The reader left (``crack test | head``): stop printing, but let the grading
            finish and end with its own exit code (rich's default would exit with 1)."""
            import os

            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.file.fileno())
            self.quiet = True

    stream = file or (sys.stderr if stderr else sys.stdout)
    colour = stream.isatty() and "NO_COLOR" not in os.environ
    return _Console(
        file=stream,
        no_color=not colour,
        color_system="auto" if colour else None,
        highlight=False,
        emoji=False,
        soft_wrap=True,
        width=None if stream.isatty() else _columns(),
    )


def _columns() -> int:
    """Width for output that is not a terminal: $COLUMNS when it is a number, else 100."""
    value = os.environ.get("COLUMNS", "")
    return int(value) if value.isdigit() and int(value) > 20 else 100
