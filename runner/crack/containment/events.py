"""A grading's events as JSON lines, so a grading can run somewhere else and report here.

In the namespace and docker modes the tester and the program run together inside the
isolation (they must share its network), in a child process of crack: ``crack
_grade-inside``. That child reports through :class:`EventWriter` on its stdout; the crack
the learner started reads the lines back (:func:`relay`) and feeds its own reporters, so the
terminal, JSON and every other format are produced exactly as for an in-process grading,
and the report of what ran so far survives the child dying or being killed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from crack.harness.log import LogLine, Source
from crack.report import RunReport, StageResult, StageStatus

if TYPE_CHECKING:
    from crack.challenge.model import Stage
    from crack.grading import GradingPlan, Reporter

PREFIX = "\x1ecrack-event "
"""Marks event lines: anything else the child prints is kept as a diagnostic."""


class EventWriter:
    """A reporter that writes each event as one line on ``stream``."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def _emit(self, event: dict[str, Any]) -> None:
        self.stream.write(PREFIX + json.dumps(event, ensure_ascii=False) + "\n")
        self.stream.flush()

    def run_started(self, plan: GradingPlan) -> None:
        self._emit({"event": "run_started"})

    def stage_started(self, stage: Stage, number: int) -> None:
        self._emit({"event": "stage_started", "slug": stage.slug, "number": number})

    def log_line(self, line: LogLine) -> None:
        self._emit({"event": "log", "source": line.source.value, "label": line.label, "text": line.text})

    def stage_finished(self, result: StageResult) -> None:
        self._emit(
            {
                "event": "stage_finished",
                "slug": result.slug,
                "name": result.name,
                "number": result.number,
                "status": result.status.value,
                "duration_s": result.duration_s,
                "message": result.message,
                "hint": result.hint,
                "log": result.log,
                "ports": result.ports,
            }
        )

    def run_finished(self, report: RunReport) -> None:
        # Stages the run did not get to are not events of their own: send why, with the end.
        skipped = {s.slug: s.message for s in report.stages if s.status is StageStatus.SKIPPED}
        self._emit({"event": "run_finished", "interrupted": report.interrupted, "skipped": skipped})


@dataclass
class Relayed:
    """What the child reported: every finished stage, and whether it reached the end."""

    report: RunReport
    finished: bool = False
    diagnostics: list[str] = field(default_factory=list)
    current: str | None = None
    """The stage that had started but not finished when the stream ended."""


def relay(lines: Iterable[str], plan: GradingPlan, reporter: Reporter, report: RunReport) -> Relayed:
    """Feed the child's events to ``reporter`` as they arrive; fill ``report`` with its stages.

    ``reporter.run_started`` and ``run_finished`` are the caller's: it knows best when the
    run began and how it ended (the child may be killed before it says so).
    """
    import time

    relayed = Relayed(report)
    for raw in lines:
        line = raw.rstrip("\n")
        if not line.startswith(PREFIX):
            if line.strip():
                relayed.diagnostics.append(line)
            continue
        event = json.loads(line[len(PREFIX) :])
        kind = event["event"]
        if kind == "stage_started":
            relayed.current = event["slug"]
            reporter.stage_started(plan.challenge.stage(event["slug"]), event["number"])
        elif kind == "log":
            source = Source(event["source"])
            reporter.log_line(LogLine(source, event["label"], event["text"], time.monotonic()))
        elif kind == "stage_finished":
            result = StageResult(
                event["slug"],
                event["name"],
                event["number"],
                StageStatus(event["status"]),
                event["duration_s"],
                event["message"],
                event["hint"],
                list(event["log"]),
                list(event["ports"]),
            )
            relayed.current = None
            report.stages.append(result)
            reporter.stage_finished(result)
        elif kind == "run_finished":
            report.interrupted = report.interrupted or bool(event["interrupted"])
            for slug, why in event.get("skipped", {}).items():
                stage = plan.challenge.stage(slug)
                number = plan.challenge.stage_number(slug)
                report.stages.append(StageResult(slug, stage.name, number, StageStatus.SKIPPED, message=why))
            relayed.finished = True
    return relayed
