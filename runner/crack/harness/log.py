"""A grading's session log: every line labelled by who said it.

Tester lines carry the stage slug (``[ping]``), the learner's output carries
``[your_program]``. Lines are kept for the report and passed live to a sink (the terminal
reporter) as they happen; the log is written to by the tester thread and by the threads
reading the program's output, so it is locked.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class Source(StrEnum):
    TESTER = "tester"
    PROGRAM = "program"
    HELPER = "helper"
    INTERNAL = "internal"


@dataclass(frozen=True)
class LogLine:
    source: Source
    label: str
    text: str
    at: float

    def render(self) -> str:
        return f"[{self.label}] {self.text}"


LogSink = Callable[[LogLine], None]


class SessionLog:
    def __init__(self, stage_label: str, sink: LogSink | None = None) -> None:
        self.stage_label = stage_label
        self._sink = sink
        self._lines: list[LogLine] = []
        self._lock = threading.Lock()

    def _add(self, source: Source, label: str, text: str) -> None:
        for part in text.splitlines() or [""]:
            line = LogLine(source, label, part, time.monotonic())
            with self._lock:
                self._lines.append(line)
            if self._sink is not None:
                self._sink(line)

    def forward(self, lines: list[LogLine]) -> None:
        """Add lines another log kept back (a case run alongside others), as they were."""
        for line in lines:
            with self._lock:
                self._lines.append(line)
            if self._sink is not None:
                self._sink(line)

    def tester(self, text: str) -> None:
        self._add(Source.TESTER, self.stage_label, text)

    def program(self, text: str) -> None:
        self._add(Source.PROGRAM, "your_program", text)

    def helper(self, label: str, text: str) -> None:
        """Output of a process the tester runs itself (a backend, an upstream server...)."""
        self._add(Source.HELPER, label, text)

    def internal(self, text: str) -> None:
        self._add(Source.INTERNAL, "crack internal error", text)

    @property
    def lines(self) -> list[LogLine]:
        with self._lock:
            return list(self._lines)

    def text(self) -> str:
        return "\n".join(line.render() for line in self.lines)
