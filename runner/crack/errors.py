"""The three kinds of error crack knows, each rendered once, at the top of the CLI.

- :class:`StageFailure` (defined in :mod:`crack.harness.failure`) is the learner's program
  misbehaving: it becomes a stage verdict, never an exception that reaches the user.
- :class:`CrackUsageError` and :class:`ConfigError` are the user's input being wrong (an
  argument, a YAML file, a progress file): a clear message naming the file and field, exit 2.
- Anything else is a bug of ours: labelled as such, with a traceback, exit 3.
"""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """Process exit codes of every ``crack`` command."""

    OK = 0
    STAGE_FAILED = 1
    USAGE = 2
    INTERNAL = 3
    INTERRUPTED = 130


class CrackError(Exception):
    """An error whose message is meant for the user, with the exit code it ends with."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CrackUsageError(CrackError):
    """A command was called in a way that cannot work (wrong place, missing option...)."""


class ConfigError(CrackError):
    """A file the user or an author controls is invalid: names the file and the field."""

    def __init__(self, path: Path | str, message: str, field: str | None = None) -> None:
        self.path = Path(path)
        self.field = field
        self.detail = message
        where = f"{self.path}" + (f", field '{field}'" if field else "")
        super().__init__(f"{where}: {message}")

    def __reduce__(self) -> tuple[type[ConfigError], tuple[Path, str, str | None]]:
        """Rebuilt from its parts: `crack author check` grades in worker processes, and an
        error raised there crosses back pickled (the default would call __init__ with the
        whole text as the path)."""
        return (type(self), (self.path, self.detail, self.field))


class InternalError(CrackError):
    """Something inside crack (or a tester) is wrong: never the learner's fault."""

    exit_code = ExitCode.INTERNAL
