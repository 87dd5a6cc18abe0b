"""Results as values: what a grading found, independent of how it is shown.

The JSON form (``RunReport.to_dict``) is versioned: version 1 is
``{"version", "challenge", "program", "seed", "stages": [{"slug", "name", "status",
"duration_s", "message", "log"}]}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

REPORT_VERSION = 1


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

    def to_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "name": self.name,
            "status": self.status.value,
            "duration_s": round(self.duration_s, 3),
            "message": self.message + (f"\nHint: {self.hint}" if self.hint else ""),
            "log": "\n".join(self.log),
        }


@dataclass
class RunReport:
    challenge: str
    program: str
    seed: int
    stages: list[StageResult] = field(default_factory=list)
    interrupted: bool = False

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
        return {
            "version": REPORT_VERSION,
            "challenge": self.challenge,
            "program": self.program,
            "seed": self.seed,
            "stages": [stage.to_dict() for stage in self.stages],
        }
