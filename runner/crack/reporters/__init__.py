"""Reporters: how a grading's events become output. One seam, many formats."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crack.errors import CrackUsageError

if TYPE_CHECKING:
    from rich.console import Console

    from crack.challenge.model import Stage
    from crack.grading import GradingPlan, Reporter
    from crack.harness.log import LogLine
    from crack.report import RunReport, StageResult

FORMATS = ("text", "json", "junit", "gradescope", "exercism", "markdown")
"""What ``crack test --format`` writes. Every one but text is rendered from the JSON report."""


def document_renderer(fmt: str) -> Callable[[Any], str]:
    """The function turning a JSON report document into ``fmt`` (any format but text)."""
    import json

    from crack.reporters.exercism import render_exercism
    from crack.reporters.gradescope import render_gradescope
    from crack.reporters.junit import render_junit
    from crack.reporters.markdown import render_markdown

    renderers: dict[str, Callable[[Any], str]] = {
        "json": lambda doc: json.dumps(doc, indent=2, ensure_ascii=False) + "\n",
        "junit": render_junit,
        "gradescope": render_gradescope,
        "exercism": render_exercism,
        "markdown": render_markdown,
    }
    if fmt not in renderers:
        raise CrackUsageError(f"unknown format '{fmt}' (choose from {', '.join(renderers)})")
    return renderers[fmt]


class FanOut:
    """Sends every event to several reporters (the terminal and a file, say)."""

    def __init__(self, reporters: Sequence[Reporter]) -> None:
        self.reporters = list(reporters)

    def run_started(self, plan: GradingPlan) -> None:
        for r in self.reporters:
            r.run_started(plan)

    def stage_started(self, stage: Stage, number: int) -> None:
        for r in self.reporters:
            r.stage_started(stage, number)

    def log_line(self, line: LogLine) -> None:
        for r in self.reporters:
            r.log_line(line)

    def stage_finished(self, result: StageResult) -> None:
        for r in self.reporters:
            r.stage_finished(result)

    def run_finished(self, report: RunReport) -> None:
        for r in self.reporters:
            r.run_finished(report)


def make_reporter(fmt: str, output: Path | None, console: Console) -> Reporter:
    """The terminal always sees text, unless the chosen format goes to standard output."""
    from crack.reporters.documents import DocumentReporter
    from crack.reporters.text import TextReporter

    if fmt == "text":
        if output is None:
            return TextReporter(console)
        return FanOut([TextReporter(console), TextReporter.to_file(output)])

    file_reporter = DocumentReporter(document_renderer(fmt), output, console)
    return file_reporter if output is None else FanOut([TextReporter(console), file_reporter])


class NullReporter:
    """Hears every event and shows nothing: for gradings whose report is the product."""

    def run_started(self, plan: GradingPlan) -> None:
        pass

    def stage_started(self, stage: Stage, number: int) -> None:
        pass

    def log_line(self, line: LogLine) -> None:
        pass

    def stage_finished(self, result: StageResult) -> None:
        pass

    def run_finished(self, report: RunReport) -> None:
        pass
