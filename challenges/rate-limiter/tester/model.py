"""Exact models of the five algorithms: the reply every request must get.

Every quantity is an integer, so a verdict never depends on floating-point rounding:

- time is an integer of milliseconds, carried by the tester on every request;
- fixed and sliding-counter windows are aligned to the Unix epoch: window ``k`` covers
  ``[k·W, (k+1)·W)``, so ``k = now // W``;
- the sliding counter weighs the previous window by the part of it the sliding window still
  covers, ``(W - e) / W`` with ``e = now - k·W``, and rounds the weighted previous count
  down: ``estimate = prev·(W - e) // W + cur`` (the rule the ``limits`` library uses);
- a token bucket with ``rate=R/P`` (R tokens every P ms) counts in units of ``1/P`` of a
  token: a token is ``P`` units and every millisecond adds ``R`` units, so continuous
  refills are exact;
- a leaky bucket (a queue) keeps one number per client, the time its outlet is free again.

``retry`` in a ``DENIED`` reply is always the same thing: the fewest milliseconds after
which the same request would be allowed, if nothing else arrived meanwhile.

The ``Mistake`` variants model the classic wrong answers; the checker runs them beside
the model so a failure can say which mistake the program's replies match.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Protocol


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)


@dataclass(frozen=True)
class Reply:
    word: str  # ALLOWED, DENIED or QUEUED
    value: int

    def __str__(self) -> str:
        return f"{self.word} {self.value}"


def allowed(remaining: int) -> Reply:
    return Reply("ALLOWED", remaining)


def denied(retry_ms: int) -> Reply:
    return Reply("DENIED", retry_ms)


def queued(wait_ms: int) -> Reply:
    return Reply("QUEUED", wait_ms)


@dataclass(frozen=True)
class Config:
    """One ``CONFIG`` line: the algorithm and its parameters, in the documented order."""

    algorithm: str
    params: tuple[tuple[str, str], ...]

    @property
    def text(self) -> str:
        return " ".join([self.algorithm, *(f"{k}={v}" for k, v in self.params)])

    @property
    def line(self) -> str:
        return f"CONFIG {self.text}"

    def value(self, name: str) -> str:
        return dict(self.params)[name]

    @property
    def limit(self) -> int:
        """What ``X-RateLimit-Limit`` reports: the limit, or the bucket's capacity."""
        params = dict(self.params)
        return int(params["limit"] if "limit" in params else params["capacity"])


def fixed_window(limit: int, window: int) -> Config:
    return Config("fixed-window", (("limit", str(limit)), ("window", str(window))))


def sliding_log(limit: int, window: int) -> Config:
    return Config("sliding-log", (("limit", str(limit)), ("window", str(window))))


def sliding_counter(limit: int, window: int) -> Config:
    return Config("sliding-counter", (("limit", str(limit)), ("window", str(window))))


def token_bucket(capacity: int, tokens: int, period: int) -> Config:
    return Config("token-bucket", (("capacity", str(capacity)), ("rate", f"{tokens}/{period}")))


def leaky_bucket(capacity: int, interval: int) -> Config:
    return Config("leaky-bucket", (("capacity", str(capacity)), ("interval", str(interval))))


class Limiter(Protocol):
    def allow(self, client: str, now: int) -> Reply: ...


# --- fixed window -------------------------------------------------------------------------
@dataclass
class FixedWindow:
    limit: int
    window: int
    anchored: bool = False
    """Mistake: a window starts at the first request after the last one ended (as INCR with
    EXPIRE, or the ``limits`` library, do), instead of at a multiple of the window."""
    end_inclusive: bool = False
    """Mistake: a request at exactly the end of a window still counts in it."""
    remaining_before: bool = False
    """Mistake: ALLOWED reports the count left before this request was counted."""
    first_origin: bool = False
    """Mistake: windows are counted from the first request the program saw, not from the
    epoch."""
    state: dict[str, tuple[int, int]] = field(default_factory=dict)  # client → (start, count)
    origin: int | None = None

    def _start(self, now: int) -> int:
        if self.first_origin:
            if self.origin is None:
                self.origin = now
            return now - (now - self.origin) % self.window
        return now - now % self.window

    def window_end(self, client: str, now: int) -> int:
        start, _ = self.state.get(client, (self._start(now), 0))
        return start + self.window

    def allow(self, client: str, now: int) -> Reply:
        start, count = self.state.get(client, (-(10**18), 0))
        end = start + self.window
        over = now > end if self.end_inclusive else now >= end
        if over:
            start, count = (now if self.anchored else self._start(now)), 0
        if count < self.limit:
            self.state[client] = (start, count + 1)
            return allowed(self.limit - count - (0 if self.remaining_before else 1))
        self.state[client] = (start, count)
        return denied(start + self.window - now)

    def reset_ms(self, client: str, now: int) -> int:
        """Milliseconds until the client's window ends (``X-RateLimit-Reset``, rounded up
        to seconds)."""
        start, _ = self.state.get(client, (self._start(now), 0))
        if now >= start + self.window:
            start = self._start(now)
        return start + self.window - now


# --- sliding log --------------------------------------------------------------------------
@dataclass
class SlidingLog:
    limit: int
    window: int
    inclusive: bool = False
    """Mistake: a request exactly ``window`` ms old still counts (the ``limits`` library's
    moving window does this)."""
    logs_denied: bool = False
    """Mistake: denied requests go into the log too, so a client that keeps retrying is
    locked out for as long as it retries."""
    logs: dict[str, deque[int]] = field(default_factory=dict)

    def allow(self, client: str, now: int) -> Reply:
        log = self.logs.setdefault(client, deque())
        horizon = now - self.window
        while log and (log[0] < horizon if self.inclusive else log[0] <= horizon):
            log.popleft()
        if len(log) < self.limit:
            log.append(now)
            return allowed(self.limit - len(log))
        retry = log[0] + self.window - now
        if self.logs_denied:
            log.append(now)
        return denied(retry)


# --- sliding window counter ---------------------------------------------------------------
@dataclass
class SlidingCounter:
    limit: int
    window: int
    weight_elapsed: bool = False
    """Mistake: weighs the previous window by the part of the current one that has passed
    (``e / W``) instead of the part of the previous one still covered (``(W - e) / W``)."""
    float_weight: bool = False
    """Mistake: ``prev * (1 - e / W)`` in floating point, which rounds twice and can land
    just under a whole number (``10 * (1 - 800 / 1000)`` is ``1.9999…``, not 2)."""
    state: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # client → (k, prev, cur)

    def _counts(self, client: str, now: int) -> tuple[int, int, int]:
        k = now // self.window
        index, prev, cur = self.state.get(client, (k, 0, 0))
        if index == k - 1:
            prev, cur = cur, 0
        elif index != k:
            prev, cur = 0, 0
        return k, prev, cur

    def weighted(self, prev: int, elapsed: int) -> int:
        """The previous window's count, weighted and rounded down."""
        w = self.window
        if self.weight_elapsed:
            return prev * elapsed // w
        if self.float_weight:
            import math

            return math.floor(prev * (1 - elapsed / w))
        return prev * (w - elapsed) // w

    def estimate(self, client: str, now: int) -> int:
        k, prev, cur = self._counts(client, now)
        return self.weighted(prev, now - k * self.window) + cur

    def allow(self, client: str, now: int) -> Reply:
        k, prev, cur = self._counts(client, now)
        elapsed = now - k * self.window
        estimate = self.weighted(prev, elapsed) + cur
        if estimate < self.limit:
            self.state[client] = (k, prev, cur + 1)
            return allowed(self.limit - estimate - 1)
        self.state[client] = (k, prev, cur)
        return denied(self.retry(prev, cur, elapsed))

    def retry(self, prev: int, cur: int, elapsed: int) -> int:
        """The first moment the estimate drops below the limit, if nothing else arrives.

        Within this window the estimate only falls as the previous window's weight falls:
        ``prev·(W - e - d) // W + cur < N`` ⟺ ``prev·(W - e - d) < (N - cur)·W``. In the next
        window this window's count becomes the previous one, at full weight at its first
        millisecond: ``cur·(W - e') < N·W``.
        """
        w, n = self.window, self.limit
        rest = w - elapsed  # ms until the next window starts
        if self.weight_elapsed or self.float_weight:  # the mistakes: search instead
            return self._search(prev, cur, elapsed)
        if cur < n and prev > 0:
            d = rest - ceil_div((n - cur) * w, prev) + 1
            if d < rest:
                return d
        after = 0 if cur == 0 else max(0, w - ceil_div(n * w, cur) + 1)
        return rest + after

    def _search(self, prev: int, cur: int, elapsed: int) -> int:
        w, n = self.window, self.limit
        for d in range(1, 2 * w + 2):
            e = elapsed + d
            if e < w:
                estimate = self.weighted(prev, e) + cur
            elif e < 2 * w:
                estimate = self.weighted(cur, e - w)
            else:
                estimate = 0
            if estimate < n:
                return d
        return 2 * w  # pragma: no cover (the loop always returns)


# --- token bucket -------------------------------------------------------------------------
@dataclass
class TokenBucket:
    capacity: int
    tokens: int
    period: int
    whole_refills: bool = False
    """Mistake: refills whole tokens only and moves the refill clock to now, so the fraction
    of a token earned since the last whole one is thrown away at every request."""
    uncapped: bool = False
    """Mistake: tokens keep piling up past the capacity while the client is idle."""
    state: dict[str, tuple[int, int]] = field(default_factory=dict)  # client → (units, last)

    def _level(self, client: str, now: int) -> int:
        full = self.capacity * self.period
        level, last = self.state.get(client, (full, now))
        if self.whole_refills:
            level += (now - last) * self.tokens // self.period * self.period
        else:
            level += (now - last) * self.tokens
        return level if self.uncapped else min(full, level)

    def allow(self, client: str, now: int) -> Reply:
        level = self._level(client, now)
        if level >= self.period:
            level -= self.period
            self.state[client] = (level, now)
            return allowed(level // self.period)
        self.state[client] = (level, now)
        return denied(ceil_div(self.period - level, self.tokens))

    def reset_ms(self, client: str, now: int) -> int:
        """Milliseconds until the bucket is full again (``X-RateLimit-Reset``)."""
        full = self.capacity * self.period
        return ceil_div(full - self._level(client, now), self.tokens)


# --- leaky bucket (a queue) ---------------------------------------------------------------
@dataclass
class LeakyBucket:
    capacity: int
    interval: int
    capacity_counts_outlet: bool = False
    """Mistake: the request leaving through the outlet takes one of the capacity places."""
    leak_from_arrival: bool = False
    """Mistake: each request leaves ``interval`` ms after it arrives, instead of one
    ``interval`` after the request before it, so the output is not smoothed."""
    free_at: dict[str, int] = field(default_factory=dict)

    def allow(self, client: str, now: int) -> Reply:
        start = max(now, self.free_at.get(client, now))
        wait = start - now
        room = (self.capacity - (1 if self.capacity_counts_outlet else 0)) * self.interval
        if wait > room:
            return denied(wait - room)
        self.free_at[client] = (now if self.leak_from_arrival else start) + self.interval
        return queued(wait)


# --- a shared limiter (the per-client mistake) ---------------------------------------------
@dataclass
class Shared:
    """Mistake: one limiter state for every client (the client name is ignored)."""

    inner: Limiter

    def allow(self, client: str, now: int) -> Reply:
        return self.inner.allow("*", now)


def build(config: Config) -> Limiter:
    """The exact model for a ``CONFIG`` line."""
    p = dict(config.params)
    if config.algorithm == "fixed-window":
        return FixedWindow(int(p["limit"]), int(p["window"]))
    if config.algorithm == "sliding-log":
        return SlidingLog(int(p["limit"]), int(p["window"]))
    if config.algorithm == "sliding-counter":
        return SlidingCounter(int(p["limit"]), int(p["window"]))
    if config.algorithm == "token-bucket":
        tokens, period = p["rate"].split("/")
        return TokenBucket(int(p["capacity"]), int(tokens), int(period))
    if config.algorithm == "leaky-bucket":
        return LeakyBucket(int(p["capacity"]), int(p["interval"]))
    raise ValueError(config.algorithm)
