"""``crack test --repeat N``: the same grading N times, to catch verdicts that change.

Every run uses the same seed, so the tester asks the same questions each time: a stage
whose verdict changes is flaky — a race in the program (or in a tester) — never randomness.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

from crack.report import RunReport, StageStatus

if TYPE_CHECKING:
    from rich.console import Console

    from crack.grading import GradingPlan, Reporter


def grade_repeatedly(
    plan: GradingPlan,
    times: int,
    make_reporter: Callable[[], Reporter],
    console: Console,
    language: str = "python",
) -> RunReport:
    """Grade ``times`` times; return the last report, with every flaky stage marked failed."""
    from crack.containment.modes import grade_isolated_plan
    from crack.grading import Interrupted
    from crack.reporters import NullReporter

    verdicts: dict[str, Counter[StageStatus]] = {}
    report = None
    final = make_reporter()
    for run in range(1, times + 1):
        # The last run is shown as it happens, but its end is reported only once the
        # verdicts of all runs are compared (files are written at the end of a run).
        reporter = _HoldEnd(final) if run == times else NullReporter()
        try:
            report = grade_isolated_plan(plan, reporter, language)
        except Interrupted as interrupted:
            if run == times:
                final.run_finished(interrupted.report)
            raise
        for stage in report.stages:
            verdicts.setdefault(stage.slug, Counter())[stage.status] += 1
        counts = report.counts()
        console.print(
            f"run {run}/{times}: {counts[StageStatus.PASSED]} passed, "
            f"{len(report.stages) - counts[StageStatus.PASSED] - counts[StageStatus.SKIPPED]} not passed",
            style="dim",
        )
    assert report is not None
    flaky = {slug: seen for slug, seen in verdicts.items() if len(seen) > 1}
    console.print(f"\nVerdicts over {times} runs with seed {plan.seed}:")
    for slug, seen in verdicts.items():
        summary = ", ".join(f"{status.value} ×{count}" for status, count in seen.most_common())
        mark = "  FLAKY" if slug in flaky else ""
        console.print(f"  {slug}: {summary}{mark}")
    for stage in report.stages:
        if stage.slug in flaky:
            seen = flaky[stage.slug]
            stage.status = StageStatus.FAILED
            stage.message = (
                f"flaky: the verdict changed between runs with the same seed "
                f"({', '.join(f'{s.value} {n} of {times}' for s, n in seen.most_common())}). "
                "Look for a race: replies that depend on timing, shared state without a lock."
            )
    if not flaky:
        console.print("No stage changed its verdict.")
    final.run_finished(report)
    return report


class _HoldEnd:
    """Passes every event on but the run's end."""

    def __init__(self, reporter: Reporter) -> None:
        self.reporter = reporter
        self.run_started = reporter.run_started
        self.stage_started = reporter.stage_started
        self.log_line = reporter.log_line
        self.stage_finished = reporter.stage_finished

    def run_finished(self, report: RunReport) -> None:
        pass
