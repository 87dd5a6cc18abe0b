"""The machine report: one JSON document, written when the run ends."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from crack.fileio import atomic_write_text

if TYPE_CHECKING:
    from rich.console import Console

    from crack.challenge.model import Stage
    from crack.grading import GradingPlan
    from crack.harness.log import LogLine
    from crack.report import RunReport, StageResult


class JsonReporter:
    def __init__(self, path: Path | None, console: Console) -> None:
        self.path = path
        self.console = console

    def run_started(self, plan: GradingPlan) -> None:
        pass

    def stage_started(self, stage: Stage, number: int) -> None:
        pass

    def log_line(self, line: LogLine) -> None:
        pass

    def stage_finished(self, result: StageResult) -> None:
        pass

    def run_finished(self, report: RunReport) -> None:
        text = json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
        if self.path is None:
            self.console.file.write(text)
            self.console.file.flush()
        else:
            atomic_write_text(self.path, text)
