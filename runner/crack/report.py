"""Results as values: what a grading found, independent of how it is shown.

The JSON form (``RunReport.to_dict``) is versioned and described by the JSON Schema
``crack/schemas/report.schema.json`` (which tests check every report against). Version 2 is
``{"version", "challenge", "program", "seed", "isolation", "interrupted", "score",
"max_score", "stages": [{"slug", "name", "number", "status", "duration_s", "message", "log",
"score", "max_score"}]}``; version 1 had neither the isolation mode, nor points, nor the
stage number. Change the schema and bump the version together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

REPORT_VERSION = 2


class StageStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    TIMED_OUT = "timed_out"
    ERROR = "error"
    SKIPPED = "skipped"


@dataclass
class StageResult:
    slug: str
    name: str
    number: int
    status: StageStatus
    duration_s: float = 0.0
    message: str = ""
    hint: str | None = None
    log: list[str] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)
    """Ports the stage handed out: not reported, used to normalise golden outputs."""
    not_rerun: bool = False
    """Skipped, but an earlier stage the learner is re-checking (their current stage failed
    first): summaries say "not re-run" rather than "skipped". JSON keeps status "skipped"."""

    def message_and_hints(self) -> str:
        """The message, then one ``Hint:`` line per hint (a failure may match several known
        mistakes: the tester's, and those the harness recognises in any challenge)."""
        hints = self.hint.splitlines() if self.hint else []
        return self.message + "".join(f"\nHint: {hint}" for hint in hints)

    def to_dict(self, max_score: int = 0) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "name": self.name,
            "number": self.number,
            "status": self.status.value,
            "duration_s": round(self.duration_s, 3),
            "message": self.message_and_hints(),
            "log": "\n".join(self.log),
            "score": max_score if self.status is StageStatus.PASSED else 0,
            "max_score": max_score,
        }


@dataclass
class RunReport:
    challenge: str
    program: str
    seed: int
    stages: list[StageResult] = field(default_factory=list)
    interrupted: bool = False
    isolation: str = "none"
    """How the program was contained while graded ("none": a process group only)."""
    points: dict[str, int] = field(default_factory=dict)
    """What each stage is worth, by slug (from the challenge's YAML)."""

    @property
    def passed(self) -> bool:
        return bool(self.stages) and all(s.status is StageStatus.PASSED for s in self.stages)

    @property
    def has_internal_error(self) -> bool:
        return any(s.status is StageStatus.ERROR for s in self.stages)

    def counts(self) -> dict[StageStatus, int]:
        out = {status: 0 for status in StageStatus}
        for stage in self.stages:
            out[stage.status] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        stages = [stage.to_dict(self.points.get(stage.slug, 0)) for stage in self.stages]
        return {
            "version": REPORT_VERSION,
            "challenge": self.challenge,
            "program": self.program,
            "seed": self.seed,
            "isolation": self.isolation,
            "interrupted": self.interrupted,
            "score": sum(stage["score"] for stage in stages),
            "max_score": sum(stage["max_score"] for stage in stages),
            "stages": stages,
        }
