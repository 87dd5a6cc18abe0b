"""Logical time: time-based stages grade TTLs, windows and refills without sleeping.

A program under test never reads the wall clock for the behaviour being graded: the tester
carries the current time in the protocol (an integer of milliseconds on every command that
depends on time), so an expiry at exactly 1,000 ms is checked at 999 and at 1,000 in a
microsecond, and a verdict never depends on how busy the machine is.

The clock starts at a seeded, realistic epoch rather than 0, so a program that confuses
"now" with "time since start" is caught, and the run replays exactly with ``--seed``.
"""

from __future__ import annotations

import random

EPOCH_MIN_MS = 1_700_000_000_000
EPOCH_SPAN_MS = 100_000_000_000


class LogicalClock:
    """The tester's clock: only moves when the tester says so."""

    def __init__(self, rng: random.Random | None = None, *, start_ms: int | None = None) -> None:
        if start_ms is None:
            start_ms = EPOCH_MIN_MS + (rng or random.Random()).randrange(EPOCH_SPAN_MS)
        self.start_ms = start_ms
        self.now_ms = start_ms

    @property
    def elapsed_ms(self) -> int:
        """Milliseconds since the clock was created (for messages: "at +1,500 ms")."""
        return self.now_ms - self.start_ms

    def advance(self, ms: int) -> int:
        """Move time forward by ``ms`` (never backwards) and return the new time."""
        if ms < 0:
            raise ValueError("logical time never goes backwards")
        self.now_ms += ms
        return self.now_ms

    def set(self, now_ms: int) -> int:
        """Jump to an absolute time, at or after the current one."""
        if now_ms < self.now_ms:
            raise ValueError("logical time never goes backwards")
        self.now_ms = now_ms
        return now_ms

    def describe(self) -> str:
        return f"t={self.now_ms} (+{self.elapsed_ms:,} ms)"
