"""Your retry policy and circuit breaker. The driver (main.py) creates them, calls the
upstream (upstream.py) and asks these methods what to do.

Time is given to every method as `now_ms`: never read the clock, and never sleep. To wait
before the next attempt, the driver replies "WAIT <ms>"; crack moves its clock on and
says "RESUME <now_ms>" when the wait is over.
"""

from __future__ import annotations

from collections.abc import Callable


class RetryPolicy:
    """When to try again, and how long to wait first (stages retry, backoff, jitter)."""

    def __init__(self, max_attempts: int, base_ms: int, cap_ms: int, jitter: str) -> None:
        self.max_attempts = max_attempts  # attempts in all, the first one included
        self.base_ms = base_ms
        self.cap_ms = cap_ms
        self.jitter = jitter  # "none" or "full"

    def should_retry(self, attempt: int, error: str) -> bool:
        """Attempt number `attempt` (1 for the first) failed with `error` (such as "503",
        "400", "reset"): is another attempt worth it?"""
        raise NotImplementedError("RetryPolicy.should_retry is not written yet")

    def delay_ms(self, attempt: int) -> int:
        """How long to wait after failed attempt number `attempt` before the next one."""
        raise NotImplementedError("RetryPolicy.delay_ms is not written yet")


class CircuitBreaker:
    """Fails fast while the upstream is down (stages circuit-breaker, half-open)."""

    def __init__(self, failure_threshold: int, reset_ms: int) -> None:
        self.failure_threshold = failure_threshold
        self.reset_ms = reset_ms

    def allow(self, now_ms: int) -> bool:
        """May a call go to the upstream now? False while the circuit is open."""
        raise NotImplementedError("CircuitBreaker.allow is not written yet")

    def record_success(self, now_ms: int) -> None:
        raise NotImplementedError("CircuitBreaker.record_success is not written yet")

    def record_failure(self, now_ms: int) -> None:
        raise NotImplementedError("CircuitBreaker.record_failure is not written yet")


def resilient_attempt(
    policy: RetryPolicy,
    breaker: CircuitBreaker,
    request: Callable[[], tuple[bool, str]],
    attempt: int,
    now_ms: int,
) -> str:
    """Attempt number `attempt` of a call through both (stage resilient-client). `request()`
    calls the upstream once. Return the reply: "OK <body>", "WAIT <ms>", "FAILED <error>"
    or "REJECTED"."""
    raise NotImplementedError("resilient_attempt is not written yet")
