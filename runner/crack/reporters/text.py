"""The human report: a live session log, then a verdict per stage and a summary."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text

from crack.harness.bytes_display import printable
from crack.harness.log import LogLine, Source
from crack.report import RunReport, StageResult, StageStatus

if TYPE_CHECKING:
    from rich.console import Console

    from crack.challenge.model import Stage
    from crack.grading import GradingPlan

_STYLE = {Source.TESTER: "cyan", Source.PROGRAM: "dim", Source.HELPER: "magenta", Source.INTERNAL: "bold red"}
_MARK = {
    StageStatus.PASSED: ("✓", "green"),
    StageStatus.FAILED: ("✗", "red"),
    StageStatus.TIMED_OUT: ("⏱", "red"),
    StageStatus.ERROR: ("!", "bold red"),
    StageStatus.SKIPPED: ("·", "dim"),
}
_WORD = {
    StageStatus.PASSED: "passed",
    StageStatus.FAILED: "failed",
    StageStatus.TIMED_OUT: "timed out",
    StageStatus.ERROR: "could not be graded (internal error)",
    StageStatus.SKIPPED: "skipped",
}


class TextReporter:
    def __init__(self, console: Console, *, show_log: bool = True) -> None:
        self.console = console
        self.show_log = show_log
        self._file: object | None = None
        self._lock = threading.Lock()  # log lines arrive from the tester's and the readers' threads
        self._plain = console.color_system is None

    def _print(self, *items: object) -> None:
        with self._lock:
            self.console.print(*items)

    @classmethod
    def to_file(cls, path: Path) -> TextReporter:
        from crack.console import make_console

        handle = path.open("w", encoding="utf-8")
        reporter = cls(make_console(handle))
        reporter._file = handle
        return reporter

    def run_started(self, plan: GradingPlan) -> None:
        line = Text()
        line.append(f"Grading {plan.challenge.name}", style="bold")
        line.append(f" · {len(plan.stages)} stage{'s' if len(plan.stages) != 1 else ''}")
        line.append(f" · program: {plan.program.display()} · seed {plan.seed} · isolation {plan.isolation}")
        self._print(line)

    def stage_started(self, stage: Stage, number: int) -> None:
        self._print()

    def log_line(self, line: LogLine) -> None:
        if not self.show_log:
            return
        if self._plain:
            # No colours to render: write the line as it is (rich costs ~0.1 ms a line, and
            # a grading logs hundreds). Flushed, as rich does: on a pipe (`| tee`, CI, a
            # parent process) the line is due now, not when a block fills or crack exits.
            with self._lock:
                try:
                    self.console.file.write(line.render() + "\n")
                    self.console.file.flush()
                except BrokenPipeError:
                    self.console.on_broken_pipe()
            return
        text = Text()
        text.append(f"[{line.label}] ", style=_STYLE[line.source])
        text.append(line.text)
        self._print(text)

    def stage_finished(self, result: StageResult) -> None:
        mark, style = _MARK[result.status]
        head = Text()
        head.append(f"{mark} Stage {result.number} ({result.slug}) {_WORD[result.status]}", style=style)
        if result.status is not StageStatus.SKIPPED:
            head.append(f" in {result.duration_s:.2f} s", style="dim")
        self._print(head)
        if result.status in (StageStatus.PASSED, StageStatus.SKIPPED):
            return
        # Messages quote the learner's output: never a raw control character to the terminal
        # (a grading's are escaped already; a build's compiler output may colour itself).
        for line in printable(result.message).splitlines():
            self._print(Text("  " + line, style=style))
        for line in printable(result.hint or "").splitlines():
            hint = Text("  Hint: ", style="yellow")
            hint.append(line)
            self._print(hint)

    def run_finished(self, report: RunReport) -> None:
        counts = report.counts()
        not_rerun = [stage for stage in report.stages if stage.not_rerun]
        counts[StageStatus.SKIPPED] -= len(not_rerun)
        self._print()
        parts = [
            f"{n} {_WORD[s] if s is not StageStatus.ERROR else 'internal error'}"
            for s, n in counts.items()
            if n
        ]
        if not_rerun:
            parts.append(f"{len(not_rerun)} not re-run")
        summary = Text("Summary: " + ", ".join(parts), style="bold")
        self._print(summary)
        # By stage number, whatever order they ran in (a learner's current stage goes first).
        for stage in sorted(report.stages, key=lambda s: s.number):
            mark, style = _MARK[stage.status]
            self._print(Text(f"  {mark} {stage.number:>2}. {stage.slug}", style=style))
        if not_rerun:
            failed = [
                s.number for s in report.stages if s.status not in (StageStatus.PASSED, StageStatus.SKIPPED)
            ]
            why = f" (stage {failed[0]} failed first)" if failed else ""
            numbers = number_ranges(sorted(s.number for s in not_rerun))
            self._print(Text(f"  not re-run: {numbers}{why}", style="dim"))
        if report.interrupted:
            self._print(Text("Interrupted: your program was stopped.", style="yellow"))
        if self._file is not None:
            self._file.close()  # type: ignore[attr-defined]


def number_ranges(numbers: list[int]) -> str:
    """``[1, 2, 3, 5]`` → ``"1-3, 5"``."""
    spans: list[list[int]] = []
    for number in numbers:
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    return ", ".join(f"{a}-{b}" if b > a else str(a) for a, b in spans)
