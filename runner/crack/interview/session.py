"""Interview attempts on disk: ``.crack/interviews.json`` in the learner's repository.

One file per repository, so one per challenge: the attempt under way (``active``) and the
finished ones, oldest first. Each attempt keeps its start, the minutes allowed, how it
ended, and the verdicts of every grading run while it lasted; the score card is computed
from those, so the history can be shown again at any time.

Written atomically. A file that cannot be read is reported with its field and never
overwritten (as ``.crack/progress.json`` is): the history is the learner's record.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from crack.challenge.loader import validation_to_config_error
from crack.challenge.model import SLUG_PATTERN
from crack.errors import ConfigError
from crack.fileio import atomic_write_text
from crack.interview import INTERVIEWS_PATH, MAX_MINUTES

INTERVIEWS_VERSION = 1


class Ending(StrEnum):
    FINISHED = "finished"
    """The learner called ``crack interview --finish``."""
    TIME_UP = "time-up"
    """A command ran after the deadline."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


class GradingRun(_Model):
    """One grading during the interview: when it finished and each stage's verdict."""

    at: datetime
    stages: dict[str, str] = Field(description="Stage slug → status (passed, failed, ...).")
    interrupted: bool = False


class Attempt(_Model):
    challenge: str = Field(pattern=SLUG_PATTERN)
    started_at: datetime
    minutes: int = Field(ge=1, le=MAX_MINUTES)
    ended_at: datetime | None = None
    ending: Ending | None = None
    runs: list[GradingRun] = Field(default_factory=list)

    @property
    def deadline(self) -> datetime:
        return self.started_at + timedelta(minutes=self.minutes)

    def remaining(self, at: datetime) -> float:
        """Seconds left at ``at`` (negative once time is up)."""
        return (self.deadline - at).total_seconds()

    def used(self) -> float:
        """Seconds from the start to the end (the deadline, at most)."""
        end = min(self.ended_at or self.deadline, self.deadline)
        return max(0.0, (end - self.started_at).total_seconds())

    def counted_runs(self) -> list[GradingRun]:
        """The runs that finished in time: after the deadline, pencils are down."""
        return [run for run in self.runs if run.at <= self.deadline]

    def close(self, at: datetime, ending: Ending) -> None:
        self.ended_at = min(at, self.deadline)
        self.ending = ending


class InterviewFile(_Model):
    version: int = INTERVIEWS_VERSION
    active: Attempt | None = None
    attempts: list[Attempt] = Field(default_factory=list, description="Finished attempts, oldest first.")


@dataclass
class Interviews:
    """The interviews file of one repository, loaded."""

    path: Path
    data: InterviewFile

    @classmethod
    def load(cls, repo_root: Path) -> Interviews:
        path = repo_root / INTERVIEWS_PATH
        return cls(path, _read(path))

    def save(self) -> None:
        atomic_write_text(self.path, self.data.model_dump_json(indent=2) + "\n")

    def finish(self, at: datetime, ending: Ending) -> Attempt:
        """Close the active attempt, move it to the history and return it (unsaved)."""
        attempt = self.data.active
        if attempt is None:
            raise ValueError("no interview is active")
        attempt.close(at, ending)
        self.data.attempts.append(attempt)
        self.data.active = None
        return attempt


_KEEP = " (crack left it untouched: fix it, or delete it to clear your interview history)"


def _read(path: Path) -> InterviewFile:
    if not path.exists():
        return InterviewFile()
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ConfigError(
            path, f"not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}{_KEEP}"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, f"cannot be read: {exc}{_KEEP}") from None
    if not isinstance(data, dict):
        raise ConfigError(path, f"expected a JSON object{_KEEP}")
    if data.get("version", INTERVIEWS_VERSION) != INTERVIEWS_VERSION:
        raise ConfigError(path, f"version {data['version']!r} is not supported{_KEEP}", "version")
    try:
        return InterviewFile.model_validate(data)
    except ValidationError as exc:
        error = validation_to_config_error(path, exc, data)
        raise ConfigError(path, f"{exc.errors()[0]['msg']}{_KEEP}", error.field) from None
