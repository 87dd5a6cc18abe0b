"""Grading a one-shot challenge's stages with no idle core between them.

A stage of a one-shot challenge (grep, say) runs its cases on every core (see
:mod:`crack.harness.case_pool`), but its last cases leave cores idle: with two cores and
eleven cases, the eleventh runs alone. Over a dozen stages that is most of a second. When a
tester declares its stages independent (``Tester(overlap_stages=True)``), the next stage
starts as soon as the last case of the current one is handed out, on the cores left free.

What the learner sees does not change: each stage runs in a thread of its own with its
reporter events held back, and they are passed on whole, stage after stage, so the output,
the JSON report and the session log read exactly as in a grading of one stage after the
other. The cases of the two stages share :class:`CaseSlots`, one per core, so no more
programs run at once than without the overlap. When the current stage fails, the stage
started early is stopped and its events are dropped: it is reported "not run", as before,
and the failure reported is still the first, by stage and then by case order.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from crack.challenge.model import Stage
from crack.grading import (
    GradingPlan,
    Interrupted,
    Reporter,
    _not_run_after,
    _skipped,
    run_stage,
)
from crack.harness.case_pool import CaseSlots, usable_cores
from crack.harness.log import LogLine
from crack.report import RunReport, StageResult, StageStatus

WAKE_S = 0.1
"""The longest the grading loop sleeps without news from the stage whose turn it is (news
wakes it at once: an event to pass on, the last case handed out, the stage's end)."""


@dataclass
class StageOverlap:
    """What a stage run beside another shares with the grading loop."""

    slots: CaseSlots
    handed_out: threading.Event = field(default_factory=threading.Event)
    """Set once the stage's last case is handed out (or the stage has ended)."""
    stop: threading.Event = field(default_factory=threading.Event)
    """Set to end the stage at once: an earlier stage failed, or the run was interrupted."""
    news: threading.Event = field(default_factory=threading.Event)
    """Set at each event, at the last case handed out, and at the end: wakes the loop."""

    def last_case_handed_out(self) -> None:
        self.handed_out.set()
        self.news.set()


class _Held:
    """A reporter that keeps a stage's events until it is that stage's turn."""

    def __init__(self, news: threading.Event) -> None:
        self._events: list[tuple[str, tuple[Any, ...]]] = []
        self._lock = threading.Lock()
        self._news = news

    def _keep(self, name: str, *args: Any) -> None:
        with self._lock:
            self._events.append((name, args))
        self._news.set()

    def run_started(self, plan: GradingPlan) -> None:  # never called for one stage
        self._keep("run_started", plan)

    def stage_started(self, stage: Stage, number: int) -> None:
        self._keep("stage_started", stage, number)

    def log_line(self, line: LogLine) -> None:
        self._keep("log_line", line)

    def stage_finished(self, result: StageResult) -> None:
        self._keep("stage_finished", result)

    def run_finished(self, report: RunReport) -> None:  # never called for one stage
        self._keep("run_finished", report)

    def pass_on(self, reporter: Reporter) -> None:
        with self._lock:
            events, self._events = self._events, []
        for name, args in events:
            getattr(reporter, name)(*args)


class _StageRun:
    """One stage running in a thread of its own, its events held back."""

    def __init__(self, plan: GradingPlan, stage: Stage, time_left: float | None, slots: CaseSlots) -> None:
        self.overlap = StageOverlap(slots)
        self.held = _Held(self.overlap.news)
        self.result: StageResult | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(
            target=self._run, args=(plan, stage, time_left), name=f"stage-run-{stage.slug}", daemon=True
        )
        self.thread.start()

    def _run(self, plan: GradingPlan, stage: Stage, time_left: float | None) -> None:
        try:
            self.result = run_stage(plan, stage, self.held, time_left, self.overlap)
        except BaseException as exc:  # raised again by the grading loop, as a serial run would
            self.error = exc
        finally:
            self.overlap.last_case_handed_out()  # or there never was one: the stage is over

    def stop(self) -> None:
        """End the stage (its programs, its cases) and drop what it would have reported."""
        self.overlap.stop.set()
        self.thread.join()


def grade_stages(
    plan: GradingPlan,
    stages: Sequence[Stage],
    reporter: Reporter,
    report: RunReport,
    run_deadline: float | None,
) -> None:
    """Grade ``stages`` into ``report``, each next one starting once the current one has
    handed out its last case. Raises :class:`Interrupted` on Ctrl-C, as ``grade`` does."""

    def time_left() -> float | None:
        return None if run_deadline is None else run_deadline - time.monotonic()

    slots = CaseSlots(usable_cores())
    ahead: _StageRun | None = None
    for index, stage in enumerate(stages):
        left = time_left()
        if ahead is None and left is not None and left <= 0:
            why = f"not run: the whole run's time limit of {plan.run_timeout:g} s was reached"
            report.stages.extend(_skipped(plan, stages[index:], why))
            return
        current = ahead or _StageRun(plan, stage, left, slots)
        ahead = None
        try:
            while current.thread.is_alive():
                current.overlap.news.wait(WAKE_S)
                current.overlap.news.clear()
                current.held.pass_on(reporter)
                started_early = ahead is not None or index + 1 == len(stages)
                if not started_early and current.overlap.handed_out.is_set() and current.thread.is_alive():
                    next_left = time_left()
                    if next_left is None or next_left > 0:
                        ahead = _StageRun(plan, stages[index + 1], next_left, slots)
            current.thread.join()
        except KeyboardInterrupt:
            for run in (current, ahead):
                if run is not None:
                    run.stop()
            report.interrupted = True
            report.stages.extend(_skipped(plan, stages[index:], "interrupted (Ctrl-C)"))
            reporter.run_finished(report)
            raise Interrupted(report) from None
        current.held.pass_on(reporter)
        if current.error is not None:
            if ahead is not None:
                ahead.stop()
            raise current.error
        assert current.result is not None
        result = current.result
        report.stages.append(result)
        if result.status is not StageStatus.PASSED and plan.fail_fast:
            if ahead is not None:
                ahead.stop()
            report.stages.extend(_not_run_after(plan, stages, index, result))
            return
