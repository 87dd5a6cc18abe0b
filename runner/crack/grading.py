"""The grading loop: run stages in order, each under a deadline, teardown always.

Each stage function runs in a worker thread so the loop can enforce the stage timeout
whatever the tester is blocked on: when time is up, the harness is aborted (sockets
closed, program tree ended), which unblocks the worker. Results go to a reporter as
events; the loop itself prints nothing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import tempfile
import threading
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from crack.challenge.model import Challenge, Stage
from crack.durations import format_seconds
from crack.harness.bytes_display import bounded
from crack.harness.failure import ReadTimeout, StageFailure
from crack.harness.harness import Harness
from crack.harness.hints import combine
from crack.harness.log import LogLine, SessionLog, Source
from crack.harness.process import ProgramSpec
from crack.report import RunReport, StageResult, StageStatus
from crack.tester import StageFunction, Tester

if TYPE_CHECKING:
    from crack.stage_overlap import StageOverlap

ABORT_JOIN_S = 3.0
"""How long a stage function may take to notice an abort before it is abandoned."""

MESSAGE_CAP_CHARS = 10_000
"""The longest failure message a stage reports: a tester quoting a flood of output (a
program printing 10 MB where a line was expected) must not make a 10 MB message."""

HINT_CAP_CHARS = 2_000


class Reporter(Protocol):
    """Receives a grading's events as they happen (terminal, JSON, ...)."""

    def run_started(self, plan: GradingPlan) -> None: ...

    def stage_started(self, stage: Stage, number: int) -> None: ...

    def log_line(self, line: LogLine) -> None: ...

    def stage_finished(self, result: StageResult) -> None: ...

    def run_finished(self, report: RunReport) -> None: ...


@dataclass(frozen=True)
class GradingPlan:
    challenge: Challenge
    tester: Tester
    program: ProgramSpec
    stages: Sequence[Stage]
    seed: int
    fail_fast: bool = True
    timeout_scale: float = 1.0
    isolation: str = "none"
    """The containment the program runs under, as reports name it."""
    run_timeout: float | None = None
    """Seconds for the whole run: later stages get what is left, then are not run."""


class Interrupted(Exception):
    """Ctrl-C during a grading: carries the report of what ran so far."""

    def __init__(self, report: RunReport) -> None:
        super().__init__("interrupted")
        self.report = report


@dataclass
class _Outcome:
    failure: StageFailure | None = None
    error: BaseException | None = None
    error_trace: str = ""
    finished: bool = False


def _call_stage(function: StageFunction, harness: Harness, outcome: _Outcome) -> None:
    try:
        function(harness)
    except StageFailure as failure:
        outcome.failure = failure
    except BaseException as exc:
        outcome.error = exc
        outcome.error_trace = traceback.format_exc()
    finally:
        outcome.finished = True


EXIT_SETTLE_S = 0.25
"""How long a failed stage waits for a program that may be ending: one that closes its
connection and then exits is seen to have exited whatever the machine's load, so the same
program gets the same message every time."""


def _died_note(harness: Harness, *, failed: bool) -> str:
    """If the program died on its own during the stage, say so: it explains most failures."""
    notes = []
    if failed and not harness.aborted:
        deadline = time.monotonic() + EXIT_SETTLE_S
        for process in harness.processes:
            if process.is_learner and process.returncode is None:
                process.settle(deadline - time.monotonic())
    for process in harness.processes:
        code = process.returncode
        if process.is_learner and code is not None and not process.ended_by_us and not harness.aborted:
            notes.append(
                f"Note: your program {process.exit_description()} during this stage. "
                f"Its last output:\n{process.last_output()}"
            )
    return "\n".join(notes)


def _limit_notes(harness: Harness) -> str:
    """Limits the program ran into (a fork refused at the process limit): often the cause."""
    notes = {note for process in harness.processes if process.is_learner for note in process.limit_notes()}
    return "\n".join(f"Note: {note}." for note in sorted(notes))


def run_stage(
    plan: GradingPlan,
    stage: Stage,
    reporter: Reporter,
    time_left: float | None = None,
    overlap: StageOverlap | None = None,
) -> StageResult:
    """Run one stage to its verdict. With ``overlap``, the stage runs beside another (see
    :mod:`crack.stage_overlap`): its cases share that one's slots, it says when its last
    case is handed out, and it ends early, aborted, when told to stop."""
    number = plan.challenge.stage_number(stage.slug)
    reporter.stage_started(stage, number)
    log = SessionLog(stage.slug, sink=reporter.log_line)
    timeout = stage.timeout * plan.timeout_scale
    if time_left is not None and time_left < timeout:
        timeout = max(time_left, 0.1)
        log.tester(f"The whole run's time limit leaves this stage {format_seconds(timeout)}")
    log.tester(f"Running stage {number}: {stage.name} (timeout {format_seconds(timeout)})")
    outcome = _Outcome()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"crack-{stage.slug}-") as scratch:
        harness = Harness(
            stage_slug=stage.slug,
            program=plan.program,
            log=log,
            seed=plan.seed,
            deadline=started + timeout,
            scratch=Path(scratch),
        )
        if overlap is not None:
            harness.case_slots = overlap.slots
            harness.on_cases_handed_out = overlap.last_case_handed_out
        worker = threading.Thread(
            target=_call_stage,
            args=(plan.tester.stages[stage.slug], harness, outcome),
            name=f"stage-{stage.slug}",
            daemon=True,
        )
        worker.start()
        try:
            _join(worker, started + timeout, overlap.stop if overlap is not None else None)
        except KeyboardInterrupt:
            harness.abort()
            worker.join(ABORT_JOIN_S)  # nothing it starts after this is left behind
            harness.teardown()
            raise
        timed_out = worker.is_alive()
        if timed_out:
            harness.abort()
            worker.join(ABORT_JOIN_S)
        died = "" if timed_out else _died_note(harness, failed=outcome.failure is not None)
        mistakes = harness.known_mistakes(outcome.failure)
        problems = harness.teardown()
        limit_notes = _limit_notes(harness)
    duration = time.monotonic() - started

    result = StageResult(stage.slug, stage.name, number, StageStatus.PASSED, duration)
    if isinstance(outcome.failure, ReadTimeout) and duration >= timeout - 0.1:
        # The wait was cut short by the stage's deadline: that is the stage timing out.
        result.status = StageStatus.TIMED_OUT
        result.message = f"timed out after {format_seconds(timeout)} — {outcome.failure.message}"
        result.hint = outcome.failure.hint
    elif timed_out:
        result.status = StageStatus.TIMED_OUT
        result.message = f"timed out after {format_seconds(timeout)}"
        if outcome.failure is None and not outcome.finished:
            result.hint = "the stage was still waiting on your program when time ran out"
    elif outcome.error is not None:
        result.status = StageStatus.ERROR
        result.message = (
            "internal error in crack's tester (not your fault): "
            f"{type(outcome.error).__name__}: {outcome.error}"
        )
        log.internal(outcome.error_trace.rstrip())
    elif outcome.failure is not None:
        result.status = StageStatus.FAILED
        already = "Its last output" in outcome.failure.message
        result.message = outcome.failure.message + (f"\n{died}" if died and not already else "")
        result.hint = outcome.failure.hint
    if limit_notes and result.status in (StageStatus.FAILED, StageStatus.TIMED_OUT):
        result.message += f"\n{limit_notes}"
    if result.status in (StageStatus.FAILED, StageStatus.TIMED_OUT):
        result.hint = combine(result.hint, mistakes)
    result.message = bounded(result.message, MESSAGE_CAP_CHARS, "the message")
    if result.hint is not None:
        result.hint = bounded(result.hint, HINT_CAP_CHARS, "the hint")
    for problem in problems:
        log.internal(problem)
    if result.status is StageStatus.PASSED:
        log.tester(f"Stage passed in {duration:.2f} s")
    result.log = [line.render() for line in log.lines]
    result.ports = list(harness.ports)
    reporter.stage_finished(result)
    return result


STOP_POLL_S = 0.05
"""How often a stage run beside another looks whether it must stop."""


def _join(worker: threading.Thread, deadline: float, stop: threading.Event | None) -> None:
    """Wait for the stage's worker until ``deadline``, or until ``stop`` is set."""
    if stop is None:
        worker.join(max(deadline - time.monotonic(), 0.0))
        return
    while worker.is_alive() and not stop.is_set():
        left = deadline - time.monotonic()
        if left <= 0:
            return
        worker.join(min(left, STOP_POLL_S))


def _warm_up(modules: Sequence[str]) -> None:
    import importlib

    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # the stage that needs it will report the problem
            pass


def grade(plan: GradingPlan, reporter: Reporter) -> RunReport:
    plan = _with_challenge_containment(plan)
    containment = plan.program.containment
    with containment.warm_starts() if containment is not None else contextlib.nullcontext():
        return _grade(plan, reporter)


def _grade(plan: GradingPlan, reporter: Reporter) -> RunReport:
    if plan.tester.warm_imports and len(plan.stages) > 1:
        threading.Thread(target=_warm_up, args=(plan.tester.warm_imports,), daemon=True).start()
    report = RunReport(
        plan.challenge.slug,
        plan.program.display(),
        plan.seed,
        isolation=plan.isolation,
        points={stage.slug: stage.worth for stage in plan.stages},
    )
    reporter.run_started(plan)
    stages = list(plan.stages)
    from crack.build import build_before_grading

    try:
        build_failure = build_before_grading(plan, reporter)
    except KeyboardInterrupt:
        report.interrupted = True
        report.stages.extend(_skipped(plan, stages, "interrupted (Ctrl-C) while building"))
        reporter.run_finished(report)
        raise Interrupted(report) from None
    if build_failure is not None:
        report.stages.append(build_failure)
        report.stages.extend(_skipped(plan, stages[1:], "not run: your program failed to build"))
        reporter.run_finished(report)
        return report
    run_deadline = None if plan.run_timeout is None else time.monotonic() + plan.run_timeout
    if plan.tester.overlap_stages and len(stages) > 1:
        from crack.stage_overlap import grade_stages

        grade_stages(plan, stages, reporter, report, run_deadline)
        reporter.run_finished(report)
        return report
    for index, stage in enumerate(stages):
        time_left = None if run_deadline is None else run_deadline - time.monotonic()
        if time_left is not None and time_left <= 0:
            why = f"not run: the whole run's time limit of {plan.run_timeout:g} s was reached"
            report.stages.extend(_skipped(plan, stages[index:], why))
            break
        try:
            result = run_stage(plan, stage, reporter, time_left)
        except KeyboardInterrupt:
            report.interrupted = True
            report.stages.extend(_skipped(plan, stages[index:], "interrupted (Ctrl-C)"))
            reporter.run_finished(report)
            raise Interrupted(report) from None
        report.stages.append(result)
        if result.status is not StageStatus.PASSED and plan.fail_fast:
            report.stages.extend(_not_run_after(plan, stages, index, result))
            break
    reporter.run_finished(report)
    return report


def _with_challenge_containment(plan: GradingPlan) -> GradingPlan:
    """The plan with the program contained as its challenge declares (``containment:`` in
    challenge.yaml): a harness setting, so a tester never changes users itself."""
    wanted = plan.challenge.containment
    if plan.program.containment is None or wanted.run_as == "sandbox":
        return plan
    from crack.containment.sandbox import for_challenge

    contained = for_challenge(plan.program.containment, wanted.run_as, wanted.reason)
    return dataclasses.replace(plan, program=dataclasses.replace(plan.program, containment=contained))


def _not_run_after(
    plan: GradingPlan, stages: Sequence[Stage], index: int, failed: StageResult
) -> list[StageResult]:
    """The stages left after ``failed`` stopped the run. A learner's run grades their
    current stage first, then re-checks the earlier ones: those passed before, so they are
    "not re-run" rather than skipped as if never reached."""
    first = plan.challenge.stage_number(stages[0].slug)
    results = []
    for stage in stages[index + 1 :]:
        rechecked = plan.challenge.stage_number(stage.slug) < first
        why = (
            f"not re-run: stage {failed.number} failed first"
            if rechecked
            else "not run: an earlier stage did not pass"
        )
        [result] = _skipped(plan, [stage], why)
        result.not_rerun = rechecked
        results.append(result)
    return results


def _skipped(plan: GradingPlan, stages: Sequence[Stage], why: str) -> list[StageResult]:
    return [
        StageResult(s.slug, s.name, plan.challenge.stage_number(s.slug), StageStatus.SKIPPED, message=why)
        for s in stages
    ]


__all__ = ["GradingPlan", "Interrupted", "Reporter", "Source", "grade", "run_stage"]
