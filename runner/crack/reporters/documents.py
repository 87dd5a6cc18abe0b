"""Shared pieces of the report formats that are rendered from a JSON report document.

Every file format (JUnit, Gradescope, Exercism, Markdown, CSV, HTML) is a pure function of
the JSON document (``RunReport.to_dict``, or a batch of them), never of live objects: so the
same renderer serves ``crack test``, ``crack grade`` (whose reports come back from child
processes or Dask workers as JSON) and ``crack report`` (converting a saved report).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crack.fileio import atomic_write_text
from crack.reporters import NullReporter

if TYPE_CHECKING:
    from rich.console import Console

    from crack.report import RunReport

Document = Mapping[str, Any]
"""A report as JSON data: see crack/schemas/report.schema.json."""

PROGRAM_LABEL = "[your_program] "

STATUS_WORD = {
    "passed": "passed",
    "failed": "failed",
    "timed_out": "timed out",
    "error": "internal error",
    "skipped": "skipped",
}

_XML_ILLEGAL = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """Replace characters XML 1.0 cannot carry (a learner's program may print any byte)."""
    return _XML_ILLEGAL.sub("\ufffd", text)


def excerpt(log: str, max_lines: int = 60, max_chars: int = 6000) -> str:
    """The end of a stage's log, where its failure is: at most ``max_lines`` and ``max_chars``."""
    lines = log.splitlines()
    cut = len(lines) > max_lines
    text = "\n".join(lines[-max_lines:])
    if len(text) > max_chars:
        text, cut = text[-max_chars:], True
    return (f"… (the first part of the log is left out)\n{text}" if cut else text) if text else ""


def program_output(log: str) -> str:
    """What the learner's own program printed during the stage, without crack's lines."""
    return "\n".join(
        line[len(PROGRAM_LABEL) :] for line in log.splitlines() if line.startswith(PROGRAM_LABEL)
    )


def stage_title(stage: Mapping[str, Any]) -> str:
    return f"Stage {stage['number']}: {stage['name']} ({stage['slug']})"


def summary_line(document: Document) -> str:
    """ "3 of 5 stages passed · score 6/12" — the one line a dashboard shows."""
    stages = document["stages"]
    passed = sum(stage["status"] == "passed" for stage in stages)
    return (
        f"{passed} of {len(stages)} stage{'s' if len(stages) != 1 else ''} passed"
        f" · score {document['score']}/{document['max_score']}"
    )


class DocumentReporter(NullReporter):
    """Hears a grading and, when it ends, writes ``render(report.to_dict())``.

    To ``path``, or to the console's file (standard output) when ``path`` is None, so that
    ``crack test --format junit > report.xml`` holds nothing but the XML.
    """

    def __init__(self, render: Callable[[Document], str], path: Path | None, console: Console) -> None:
        self.render = render
        self.path = path
        self.console = console

    def run_finished(self, report: RunReport) -> None:
        text = self.render(report.to_dict())
        if self.path is None:
            self.console.file.write(text)
            self.console.file.flush()
        else:
            atomic_write_text(self.path, text)
