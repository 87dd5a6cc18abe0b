"""A grading's session log: every line labelled by who said it.

Tester lines carry the stage slug (``[ping]``), the learner's output carries
``[your_program]``. Lines are kept for the report and passed live to a sink (the terminal
reporter) as they happen; the log is written to by the tester thread and by the threads
reading the program's output, so it is locked.

Every line is made printable (control characters escaped: a program's output goes to the
learner's terminal) and cut at ``LINE_CAP_CHARS``; the learner's output in one stage, over
however many starts of the program, is kept up to ``PROGRAM_CAP_CHARS``, then only a notice.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from crack.harness.bytes_display import bounded

LINE_CAP_CHARS = 2_000
"""The longest line a log keeps (the tester's lines show at most 200 bytes of a reply)."""

PROGRAM_CAP_CHARS = 60_000
"""The learner's output one stage's log keeps, all starts of the program together."""


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
        self._program_chars = 0
        self._program_cut = False

    def _add(self, source: Source, label: str, text: str) -> None:
        for part in text.splitlines() or [""]:
            if source is Source.PROGRAM and self._over_budget(part):
                continue
            line = LogLine(source, label, bounded(part, LINE_CAP_CHARS, "this line"), time.monotonic())
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

    def _over_budget(self, part: str) -> bool:
        """Whether the learner's output in this stage is past its cap (said once, in the log)."""
        with self._lock:  # several programs' output readers count into one budget
            if self._program_cut:
                return True
            self._program_chars += len(part) + 1
            if self._program_chars <= PROGRAM_CAP_CHARS:
                return False
            self._program_cut = True
        self.tester(
            f"… your program's output in this stage is cut after {PROGRAM_CAP_CHARS:,} characters "
            "(the rest is not shown)"
        )
        return True

    def tester(self, text: str) -> None:
        self._add(Source.TESTER, self.stage_label, text)

    def program(self, text: str, name: str | None = None) -> None:
        """The learner's output; ``name`` tells apart the copies of a multi-node program."""
        self._add(Source.PROGRAM, "your_program" if name is None else f"your_program {name}", text)

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
