"""Your rate limiters: one class per algorithm, the way an interviewer asks for them.

main.py (the driver, already written) creates a limiter for every CONFIG line and calls
``allow(client, now_ms)`` for every ALLOW line. Time is never read from a clock: ``now_ms``
arrives with each request (milliseconds since the Unix epoch, never going backwards), so
your answers are exact and the tests never sleep.

Stages 1 to 6 send every request from a single client; stage 7 mixes many, each with its
own limit. Work in integers: every answer has one exact value (`crack task` shows it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Decision:
    """A limiter's answer to one request."""

    allowed: bool
    remaining: int = 0
    """When allowed: how many more requests the client could make right now (ALLOWED n)."""
    retry_after_ms: int = 0
    """When denied: the fewest milliseconds after which the same request would be allowed,
    if nothing else arrived meanwhile (DENIED n)."""
    wait_ms: int = 0
    """Leaky bucket only: how long the accepted request waits in the queue (QUEUED n)."""


class Limiter(Protocol):
    def allow(self, client: str, now_ms: int) -> Decision: ...


class FixedWindow:
    """At most ``limit`` requests per client in each window of ``window_ms`` (stages 1-2)."""

    def __init__(self, limit: int, window_ms: int) -> None:
        self.limit = limit
        self.window_ms = window_ms

    def allow(self, client: str, now_ms: int) -> Decision:
        raise NotImplementedError("FixedWindow.allow in app/limiters.py (stage 1, see `crack task`)")


class SlidingLog:
    """At most ``limit`` requests in any ``window_ms`` span, from a log of times (stage 3)."""

    def __init__(self, limit: int, window_ms: int) -> None:
        self.limit = limit
        self.window_ms = window_ms

    def allow(self, client: str, now_ms: int) -> Decision:
        raise NotImplementedError("SlidingLog.allow in app/limiters.py (stage 3)")


class SlidingCounter:
    """Two counters per client: the previous window's, weighted, plus the current one's
    (stage 4)."""

    def __init__(self, limit: int, window_ms: int) -> None:
        self.limit = limit
        self.window_ms = window_ms

    def allow(self, client: str, now_ms: int) -> Decision:
        raise NotImplementedError("SlidingCounter.allow in app/limiters.py (stage 4)")


class TokenBucket:
    """A bucket of ``capacity`` tokens, refilled continuously with ``tokens`` every
    ``period_ms``; a request takes one token (stage 5)."""

    def __init__(self, capacity: int, tokens: int, period_ms: int) -> None:
        self.capacity = capacity
        self.tokens = tokens
        self.period_ms = period_ms

    def allow(self, client: str, now_ms: int) -> Decision:
        raise NotImplementedError("TokenBucket.allow in app/limiters.py (stage 5)")


class LeakyBucket:
    """A queue that lets one request out every ``interval_ms`` and holds at most
    ``capacity`` waiting requests (stage 6)."""

    def __init__(self, capacity: int, interval_ms: int) -> None:
        self.capacity = capacity
        self.interval_ms = interval_ms

    def allow(self, client: str, now_ms: int) -> Decision:
        raise NotImplementedError("LeakyBucket.allow in app/limiters.py (stage 6)")
