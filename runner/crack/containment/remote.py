"""Grading inside an isolation: the child that grades, and the parent that watches it.

The namespace and docker modes run the whole grading — tester and program — in a child
process placed in the isolation, so that they share its network and nothing else does.
The parent (the ``crack`` the learner started) renders the child's events as they come
(:mod:`crack.containment.events`) and keeps the guarantees that must not depend on the
child: the whole-run time limit, Ctrl-C, and a report of what ran even when the child dies.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

from crack.build import BUILD_TIMEOUT_S
from crack.containment.events import EventWriter, Relayed, relay
from crack.containment.sandbox import Containment, Limits
from crack.grading import GradingPlan, Interrupted, Reporter
from crack.report import RunReport, StageResult, StageStatus

RUN_MARGIN_S = 30.0
"""Added to the sum of the stage timeouts for the whole-run limit of an isolated grading:
room for starting the isolation and for each stage's teardown."""
INTERRUPT_GRACE_S = 5.0
CLEANUP_GRACE_S = 10.0
"""After the child is killed: time for the launcher to remove its cgroups and scratch."""


@dataclass
class InsideSpec:
    """Everything the child needs to grade, as JSON (it may run in another filesystem)."""

    challenge_dir: str
    command: list[str]
    cwd: str
    stages: list[str]
    seed: int
    env: dict[str, str] = field(default_factory=dict)
    build: str | None = None
    language: str | None = None
    fail_fast: bool = True
    timeout_scale: float = 1.0
    isolation: str = "none"
    run_timeout: float | None = None
    limits: dict[str, object] = field(default_factory=dict)
    user: str | None = None
    writable: list[str] = field(default_factory=list)
    """Namespace mode: the only directories left writable (working copy, scratch root)."""

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> InsideSpec:
        return cls(**json.loads(text))


def spec_for(plan: GradingPlan, *, user: str | None, writable: list[str]) -> InsideSpec:
    containment = plan.program.containment or Containment()
    return InsideSpec(
        challenge_dir=str(plan.challenge.directory),
        command=list(plan.program.command),
        cwd=str(plan.program.cwd),
        env=dict(plan.program.env),
        build=plan.program.build,
        language=plan.program.language,
        stages=[stage.slug for stage in plan.stages],
        seed=plan.seed,
        fail_fast=plan.fail_fast,
        timeout_scale=plan.timeout_scale,
        isolation=plan.isolation,
        run_timeout=plan.run_timeout,
        limits=asdict(containment.limits),
        user=user,
        writable=writable,
    )


def grade_inside(spec: InsideSpec) -> int:
    """The child's side: grade as ``spec`` says, reporting events on stdout."""
    from crack.challenge.loader import load_challenge_file
    from crack.grading import grade
    from crack.harness.process import ProgramSpec
    from crack.tester import load_tester

    challenge = load_challenge_file(Path(spec.challenge_dir) / "challenge.yaml")
    containment = Containment(Limits(**spec.limits), user=spec.user)  # type: ignore[arg-type]
    program = ProgramSpec(
        tuple(spec.command), Path(spec.cwd), spec.env, containment, build=spec.build, language=spec.language
    )
    plan = GradingPlan(
        challenge,
        load_tester(challenge),
        program,
        [challenge.stage(slug) for slug in spec.stages],
        spec.seed,
        fail_fast=spec.fail_fast,
        timeout_scale=spec.timeout_scale,
        isolation=spec.isolation,
        run_timeout=spec.run_timeout,
    )
    try:
        grade(plan, EventWriter(sys.stdout))
    except Interrupted:
        return 130
    return 0


class Launcher(Protocol):
    """Starts ``crack _grade-inside`` in an isolation and controls it from outside."""

    mode: str

    def start(self, spec: InsideSpec) -> Iterator[str]:
        """Start the child; iterate over its stdout lines until it ends."""
        ...

    def interrupt(self) -> None: ...

    def kill(self) -> None: ...

    def ended(self) -> str | None:
        """After the stream ended: how the child ended, when that explains a failure."""
        ...


def inside_command() -> list[str]:
    """The command line starting the child grader with this same crack and interpreter."""
    return [sys.executable, "-m", "crack", "_grade-inside"]


def grade_isolated(plan: GradingPlan, reporter: Reporter, launcher: Launcher, spec: InsideSpec) -> RunReport:
    """The parent's side: run the child through ``launcher`` and relay what it reports."""
    report = RunReport(
        plan.challenge.slug,
        plan.program.display(),
        plan.seed,
        isolation=plan.isolation,
        points={stage.slug: stage.worth for stage in plan.stages},
    )
    reporter.run_started(plan)
    limit = sum(stage.timeout for stage in plan.stages) * plan.timeout_scale
    if plan.run_timeout is not None:
        limit = min(limit, plan.run_timeout)
    limit += RUN_MARGIN_S + (BUILD_TIMEOUT_S if plan.program.build else 0.0)
    outcome: dict[str, object] = {}

    def pump() -> None:
        try:
            outcome["relayed"] = relay(launcher.start(spec), plan, reporter, report)
        except Exception as exc:  # reported below as an internal error, never raised at the learner
            outcome["error"] = exc

    reader = threading.Thread(target=pump, name=f"{launcher.mode}-grading", daemon=True)
    reader.start()
    why_stopped = None
    try:
        reader.join(limit)
        if reader.is_alive():
            why_stopped = f"the whole run went over its time limit of {limit:g} s"
            launcher.kill()
            reader.join(INTERRUPT_GRACE_S)
    except KeyboardInterrupt:
        launcher.interrupt()
        reader.join(INTERRUPT_GRACE_S)
        launcher.kill()
        # The reader's stream ends with the child, and then the launcher removes what it
        # made (the namespace's cgroups): wait for that too, or crack exits first and
        # leaves the groups behind, as it did when the child was slow to end under load.
        reader.join(CLEANUP_GRACE_S)
        report.interrupted = True
        _close(plan, report, "interrupted (Ctrl-C)", (None, StageStatus.SKIPPED), reporter)
        reporter.run_finished(report)
        raise Interrupted(report) from None
    relayed = outcome.get("relayed")
    problem, status = None, StageStatus.ERROR
    if why_stopped is not None:
        problem, status = why_stopped, StageStatus.TIMED_OUT
    elif "error" in outcome:
        problem = f"internal error in crack (not your fault): {outcome['error']!r}"
    elif not isinstance(relayed, Relayed) or not relayed.finished:
        diagnostics = "\n".join(relayed.diagnostics[-15:]) if isinstance(relayed, Relayed) else ""
        how = launcher.ended() or "ended unexpectedly"
        problem = f"internal error in crack (not your fault): the {launcher.mode} grading {how}"
        if diagnostics:
            problem += f"\n{diagnostics}"
    _close(plan, report, "not run: an earlier stage did not pass", (problem, status), reporter)
    reporter.run_finished(report)
    return report


def _close(
    plan: GradingPlan,
    report: RunReport,
    why_skipped: str,
    problem: tuple[str | None, StageStatus],
    reporter: Reporter,
) -> None:
    """Account for every planned stage the child did not report: the one that was running
    when it stopped (with ``problem`` and its status), and the skipped rest."""
    done = {stage.slug for stage in report.stages}
    message, status = problem
    for stage in plan.stages:
        if stage.slug in done:
            continue
        number = plan.challenge.stage_number(stage.slug)
        if message is not None:
            result = StageResult(stage.slug, stage.name, number, status, message=message)
            reporter.stage_finished(result)
            report.stages.append(result)
            message = None
            continue
        skipped = StageResult(stage.slug, stage.name, number, StageStatus.SKIPPED, message=why_skipped)
        report.stages.append(skipped)


def environment_inside(extra: dict[str, str]) -> dict[str, str]:
    """The child's environment: crack's own (the tester is trusted), plus ``extra``."""
    return {**os.environ, **extra, "PYTHONUNBUFFERED": "1"}
