"""Tests of the rate-limiter challenge beyond those every challenge gets (tests/test_challenges.py).

The tester computes every expected reply with its own exact model (tester/model.py). The
challenge has no oracle, since no library implements all five algorithms and the HTTP
front end, so the model is checked here instead:

- against the `limits` library, on seeded random request sequences, for the three
  algorithms it implements: fixed window, moving window (our sliding log) and sliding
  window counter. `limits` reads ``time.time()``; its memory storage is given a fake clock
  in which one "second" is one of our milliseconds, and its background expiry timer is
  switched off so nothing depends on thread timing. Two documented differences are
  pinned by tests of their own;
- for the buckets, against independent simulations written differently: the token bucket
  with exact fractions of a token, the leaky bucket as an explicit queue of departures;
- every ``DENIED`` retry time against a brute-force search for the first moment the same
  request would be allowed.
"""

from __future__ import annotations

import random
import sys
from collections import deque
from collections.abc import Iterator
from fractions import Fraction
from math import ceil, floor
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from crack.authoring.scenarios import grade_silently, load_scenarios
from crack.authoring.solutions import materialize
from crack.challenge import load_challenge
from crack.challenge.model import Rubric
from crack.report import StageStatus
from crack.tester import load_tester

CHALLENGE = load_challenge("rate-limiter")
load_tester(CHALLENGE)
PACKAGE = "crack_challenges.rate_limiter.tester"
model: ModuleType = sys.modules[f"{PACKAGE}.model"]
workload: ModuleType = sys.modules[f"{PACKAGE}.workload"]

SEEDS = range(12)
EPOCH = 1_700_000_000_000


def test_the_yaml_has_the_stages_in_order_with_their_rubrics() -> None:
    assert CHALLENGE.stage_slugs == [
        "fixed-window",
        "boundary-burst",
        "sliding-log",
        "sliding-counter",
        "token-bucket",
        "leaky-bucket",
        "per-client",
        "memory-per-client",
        "http-front-end",
    ]
    rubrics = {stage.slug: stage.rubric for stage in CHALLENGE.stages}
    assert rubrics["boundary-burst"] is Rubric.EDGE_CASES
    assert rubrics["memory-per-client"] is Rubric.COMPLEXITY
    assert rubrics["http-front-end"] is Rubric.EDGE_CASES
    assert rubrics["fixed-window"] is Rubric.CORRECTNESS
    assert CHALLENGE.oracle is None  # see the comment in challenge.yaml


def test_the_memory_scenario_the_benchmark_grades_exists() -> None:
    names = {s.name: s.spec.fails_at for s in load_scenarios(CHALLENGE)}
    assert names["log-per-client"] == "memory-per-client"
    unusual = {name for name, fails_at in names.items() if fails_at is None}
    assert {"noisy-logs", "slow-start", "split-replies", "exact-fractions"} <= unusual


# --- the `limits` library as a second opinion ---------------------------------------------
limits = pytest.importorskip("limits")


class FakeTime:
    """Stands in for the ``time`` module inside limits' memory storage."""

    def __init__(self) -> None:
        self.now = 0.0

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    import limits.storage.memory

    fake = FakeTime()
    monkeypatch.setattr(limits.storage.memory, "time", fake)
    return fake


def _storage() -> Any:
    from limits.storage import MemoryStorage

    storage = MemoryStorage()
    storage.timer.cancel()  # its expiry thread would read the fake clock at random moments
    storage._MemoryStorage__schedule_expiry = lambda: None
    return storage


def _item(amount: int, expiry: int) -> Any:
    from limits import RateLimitItemPerSecond

    return RateLimitItemPerSecond(amount, expiry)  # one "second" of the fake clock = 1 ms


def _aligned_sequence(rng: random.Random, limit: int, window: int) -> Iterator[int]:
    """Request times in which every busy window's first request falls on its start.

    There limits (which starts a window at its first hit) and the challenge (windows
    aligned to the epoch) must agree exactly.
    """
    k = EPOCH // window + 1
    for _ in range(40):
        k += rng.choice((1, 1, 1, 2, 5))
        start = k * window
        offsets = sorted(rng.randrange(window) for _ in range(rng.randint(0, 2 * limit)))
        yield start
        yield from (start + offset for offset in offsets)


@pytest.mark.parametrize("seed", SEEDS)
def test_fixed_window_agrees_with_limits(clock: FakeTime, seed: int) -> None:
    from limits.strategies import FixedWindowRateLimiter

    rng = random.Random(seed)
    limit, window = rng.randint(1, 6), rng.choice((7, 100, 1000, 60_000))
    ours = model.FixedWindow(limit, window)
    theirs = FixedWindowRateLimiter(_storage())
    item = _item(limit, window)
    outcomes = set()
    for now in _aligned_sequence(rng, limit, window):
        clock.now = float(now)
        reply = ours.allow("c", now)
        hit = theirs.hit(item, "c")
        stats = theirs.get_window_stats(item, "c")
        assert hit == (reply.word == "ALLOWED"), (seed, now)
        if hit:
            assert reply.value == stats.remaining
        else:  # limits' reset time is the end of the window
            assert reply.value == stats.reset_time - now
        outcomes.add(reply.word)
    assert outcomes == {"ALLOWED", "DENIED"}


def test_limits_starts_a_fixed_window_at_its_first_hit(clock: FakeTime) -> None:
    """The documented difference: limits' window runs from the first hit; ours from k·W."""
    from limits.strategies import FixedWindowRateLimiter

    theirs = FixedWindowRateLimiter(_storage())
    ours = model.FixedWindow(2, 1000)
    item = _item(2, 1000)
    start = EPOCH + 500  # the middle of our window [EPOCH, EPOCH + 1000)
    decisions = []
    for now in (start, start + 1, start + 500):  # start + 500 is our next window
        clock.now = float(now)
        decisions.append((ours.allow("c", now).word, theirs.hit(item, "c")))
    assert decisions == [("ALLOWED", True), ("ALLOWED", True), ("ALLOWED", False)]


def _random_times(rng: random.Random, scale: int, count: int) -> Iterator[int]:
    now = EPOCH + rng.randrange(scale)
    for _ in range(count):
        now += rng.choice((0, 0, 1, rng.randint(1, scale // 4 or 1), rng.randint(1, scale), scale))
        yield now


@pytest.mark.parametrize("seed", SEEDS)
def test_sliding_log_agrees_with_limits_moving_window(clock: FakeTime, seed: int) -> None:
    """limits keeps a request in its moving window while ``atime >= now - expiry``; a request
    exactly W old has left ours. In integer milliseconds ours is its window of W - 1."""
    from limits.strategies import MovingWindowRateLimiter

    rng = random.Random(seed)
    limit, window = rng.randint(1, 6), rng.choice((2, 10, 1000, 2500))
    ours = model.SlidingLog(limit, window)
    theirs = MovingWindowRateLimiter(_storage())
    item = _item(limit, window - 1)
    outcomes = set()
    for now in _random_times(rng, window, 400):
        clock.now = float(now)
        reply = ours.allow("c", now)
        assert theirs.hit(item, "c") == (reply.word == "ALLOWED"), (seed, now)
        outcomes.add(reply.word)
    assert outcomes == {"ALLOWED", "DENIED"}


def test_limits_moving_window_counts_a_request_exactly_one_window_old(clock: FakeTime) -> None:
    from limits.strategies import MovingWindowRateLimiter

    theirs = MovingWindowRateLimiter(_storage())
    ours = model.SlidingLog(1, 1000)
    item = _item(1, 1000)
    decisions = []
    for now in (EPOCH, EPOCH + 1000):
        clock.now = float(now)
        decisions.append((ours.allow("c", now).word, theirs.hit(item, "c")))
    assert decisions == [("ALLOWED", True), ("ALLOWED", False)]


@pytest.mark.parametrize("seed", SEEDS)
def test_sliding_counter_agrees_with_limits(clock: FakeTime, seed: int) -> None:
    """Same weighting, (W - e) / W, and the same rounding down. Windows are powers of two
    here, so limits' floating-point weight is exact and any disagreement is real."""
    from limits.strategies import SlidingWindowCounterRateLimiter

    rng = random.Random(seed)
    limit, window = rng.randint(1, 12), rng.choice((8, 512, 1024, 65_536))
    ours = model.SlidingCounter(limit, window)
    theirs = SlidingWindowCounterRateLimiter(_storage())
    item = _item(limit, window)
    outcomes = set()
    for now in _random_times(rng, window, 400):
        clock.now = float(now)
        reply = ours.allow("c", now)
        hit = theirs.hit(item, "c")
        assert hit == (reply.word == "ALLOWED"), (seed, now)
        if hit:
            assert reply.value == theirs.get_window_stats(item, "c").remaining
        outcomes.add(reply.word)
    assert outcomes == {"ALLOWED", "DENIED"}


# --- the buckets against independent simulations ------------------------------------------
class FractionBucket:
    """A token bucket in exact fractions of a token, one client."""

    def __init__(self, capacity: int, tokens: int, period: int) -> None:
        self.capacity, self.rate = Fraction(capacity), Fraction(tokens, period)
        self.level: Fraction | None = None
        self.last = 0

    def allow(self, now: int) -> str:
        level = self.capacity if self.level is None else self.level + (now - self.last) * self.rate
        level = min(self.capacity, level)
        self.last = now
        if level >= 1:
            self.level = level - 1
            return f"ALLOWED {floor(self.level)}"
        self.level = level
        return f"DENIED {ceil((1 - level) / self.rate)}"


@pytest.mark.parametrize("seed", SEEDS)
def test_token_bucket_matches_exact_fractions(seed: int) -> None:
    rng = random.Random(seed)
    capacity, tokens, period = rng.randint(1, 8), rng.randint(1, 7), rng.choice((3, 7, 1000, 2000, 60_000))
    ours = model.TokenBucket(capacity, tokens, period)
    exact = FractionBucket(capacity, tokens, period)
    outcomes = set()
    for now in _random_times(rng, max(1, capacity * period // tokens), 400):
        reply = str(ours.allow("c", now))
        assert reply == exact.allow(now), (seed, now)
        outcomes.add(reply.split()[0])
    assert outcomes == {"ALLOWED", "DENIED"}


class ExplicitQueue:
    """A leaky bucket as a real queue of departure times, one client."""

    def __init__(self, capacity: int, interval: int) -> None:
        self.capacity, self.interval = capacity, interval
        self.departures: deque[int] = deque()  # every accepted request, in order

    def _decide(self, now: int) -> tuple[bool, int]:
        last = self.departures[-1] if self.departures else None
        leave = now if last is None else max(now, last + self.interval)
        waiting = sum(1 for d in self.departures if d > now)
        return (leave == now or waiting < self.capacity), leave

    def allow(self, now: int) -> str:
        accepted, leave = self._decide(now)
        if accepted:
            self.departures.append(leave)
            return f"QUEUED {leave - now}"
        retry = next(d for d in range(1, 10**9) if self._decide(now + d)[0])
        return f"DENIED {retry}"


@pytest.mark.parametrize("seed", SEEDS)
def test_leaky_bucket_matches_an_explicit_queue(seed: int) -> None:
    rng = random.Random(seed)
    capacity, interval = rng.randint(0, 5), rng.choice((1, 7, 250, 1000))
    ours = model.LeakyBucket(capacity, interval)
    queue = ExplicitQueue(capacity, interval)
    outcomes = set()
    for now in _random_times(rng, interval * (capacity + 1), 300):
        reply = str(ours.allow("c", now))
        assert reply == queue.allow(now), (seed, now)
        outcomes.add(reply.split()[0])
    assert outcomes == {"QUEUED", "DENIED"}


# --- retry times ---------------------------------------------------------------------------
def _first_allowed(limiter: Any, client: str, now: int) -> int:
    """Brute force: try the same request 1, 2, 3… ms later on a copy of the limiter."""
    import copy

    for d in range(1, 10**7):
        if copy.deepcopy(limiter).allow(client, now + d).word != "DENIED":
            return d
    raise AssertionError("never allowed")


@pytest.mark.parametrize(
    "config",
    [
        model.fixed_window(3, 100),
        model.sliding_log(3, 100),
        model.sliding_counter(4, 100),
        model.sliding_counter(9, 64),
        model.token_bucket(3, 2, 7),
        model.leaky_bucket(2, 9),
    ],
    ids=lambda c: c.text,
)
def test_every_retry_time_is_the_first_moment_the_request_would_pass(config: Any) -> None:
    rng = random.Random(config.text)
    limiter = model.build(config)
    denials = 0
    for now in _random_times(rng, workload.span_of(config), 300):
        import copy

        before = copy.deepcopy(limiter)
        reply = limiter.allow("c", now)
        if reply.word == "DENIED":
            assert reply.value == _first_allowed(before, "c", now), (config.text, now)
            denials += 1
    assert denials >= 20


def test_the_float_trap_is_real() -> None:
    """Stage 4 relies on it: the float weight rounds 2 down to 1 where integers do not."""
    exact = model.SlidingCounter(10, 1000)
    floating = model.SlidingCounter(10, 1000, float_weight=True)
    assert exact.weighted(10, 800) == 2
    assert floating.weighted(10, 800) == 1


# --- workloads -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "config",
    [
        model.fixed_window(5, 1_000),
        model.sliding_log(4, 2_000),
        model.sliding_counter(6, 1_000),
        model.token_bucket(5, 2, 1_000),
        model.leaky_bucket(3, 300),
    ],
    ids=lambda c: c.text,
)
def test_workloads_are_reproducible_and_reach_the_limits(config: Any) -> None:
    clients = ["alice", "bob", "carol", "dave", "erin", "frank"]
    first = workload.sequence(random.Random(5), config, clients, 500, EPOCH, 1000)
    assert first == workload.sequence(random.Random(5), config, clients, 500, EPOCH, 1000)
    assert first != workload.sequence(random.Random(6), config, clients, 500, EPOCH, 1000)
    limiter = model.build(config)
    words = [limiter.allow(client, now).word for now, client in first]
    assert words.count("DENIED") >= 10 and len(set(words)) == 2
    assert [now for now, _ in first] == sorted(now for now, _ in first)


# --- the memory stage, graded the way the benchmark grades it -------------------------------
@pytest.mark.parametrize("seed", [1, 2])
def test_memory_stage_fails_a_log_and_passes_counters(tmp_path: Path, seed: int) -> None:
    scenario = next(s for s in load_scenarios(CHALLENGE) if s.name == "log-per-client")
    program = scenario.build(CHALLENGE, tmp_path / "log")
    report = grade_silently(CHALLENGE, program, seed=seed)
    stage = next(s for s in report.stages if s.slug == "memory-per-client")
    assert stage.status is StageStatus.FAILED, stage.message
    assert "fixed-window: your program's memory grew with every request" in stage.message
    assert stage.hint is not None and "A list of request times is a sliding log" in stage.hint

    reference = materialize(CHALLENGE, "python", "memory-per-client", tmp_path / "reference")
    report = grade_silently(CHALLENGE, reference, until="memory-per-client", seed=seed)
    assert all(s.status is StageStatus.PASSED for s in report.stages), report.stages[-1].message
