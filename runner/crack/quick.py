"""The console script's first step: ``crack --version`` and ``crack --help`` answered
without importing click or any command.

Importing click alone costs several times what starting the interpreter does, and these two
answers never need it. ``--help`` prints the help click renders at its standard width, kept
in :mod:`crack.help_text` with a fingerprint of the sources the help is made from. When those
sources have changed since (a command added or reworded), or the terminal is narrower than
click's width, click renders the help as always: the stored text is a shortcut, never the
only source of truth. Everything else goes to :func:`crack.cli.main`.
"""

from __future__ import annotations

import os
import sys
import zlib

from crack import __version__

HELP_SOURCES = ("cli.py", "batch/commands.py", "interview/commands.py")
"""The modules whose commands and docstrings make up ``crack --help``."""

HELP_WIDTH = 80
"""click wraps help at the terminal's width, up to this; at least this wide, its text is fixed."""


def sources_fingerprint() -> str:
    here = os.path.dirname(os.path.abspath(__file__))
    checksum = 0
    for name in HELP_SOURCES:
        with open(os.path.join(here, name), "rb") as handle:
            checksum = zlib.crc32(handle.read(), checksum)
    return f"{checksum:08x}"


def terminal_columns() -> int:
    """The width click's help formatter sees (as ``shutil.get_terminal_size``, without
    importing shutil)."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or HELP_WIDTH


def stored_help() -> str | None:
    """The help as click renders it at full width, if the stored text is still current."""
    from crack import help_text

    if sources_fingerprint() != help_text.FINGERPRINT:
        return None
    return help_text.TEXT


def quick_answer(args: list[str]) -> str | None:
    """What to print for ``args`` without click, or None when click must answer."""
    if args == ["--version"]:
        return f"crack, version {__version__}\n"
    if args in (["--help"], ["-h"]) and terminal_columns() >= HELP_WIDTH:
        return stored_help()
    return None


def main() -> None:
    answer = quick_answer(sys.argv[1:])
    if answer is None:
        from crack.cli import main as full_main

        full_main()
        return
    try:
        sys.stdout.write(answer)
        sys.stdout.flush()
    except BrokenPipeError:  # the reader left (e.g. `| head -1`)
        pass
    os._exit(0)
