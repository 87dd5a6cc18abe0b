"""Tests of the distributed-patterns challenge beyond those every challenge gets
(tests/test_challenges.py).

The tester computes every expected owner with its own model of ketama (tester/model.py),
so learners' programs never need uhashring; that model is only worth something if it
agrees with uhashring, the oracle, key for key. The Bloom stages hold programs to the
sizing formula and to false-positive bounds: rbloom must sit inside them, and the bounds
must hold with a wide margin for a correct filter over many seeds, or the stage would
fail correct programs now and then.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import math
import random
import sys
from pathlib import Path
from types import ModuleType

import pytest

from crack.authoring.scenarios import grade_silently
from crack.authoring.solutions import materialize
from crack.challenge import Rubric, load_challenge
from crack.report import StageStatus
from crack.tester import load_tester

uhashring = pytest.importorskip("uhashring")
rbloom = pytest.importorskip("rbloom")
tenacity = pytest.importorskip("tenacity")
pybreaker = pytest.importorskip("pybreaker")

CHALLENGE = load_challenge("distributed-patterns")
load_tester(CHALLENGE)
model: ModuleType = sys.modules["crack_challenges.distributed_patterns.tester.model"]
ring_tests: ModuleType = sys.modules["crack_challenges.distributed_patterns.tester.ring"]
resilience: ModuleType = sys.modules["crack_challenges.distributed_patterns.tester.resilience"]


@pytest.mark.parametrize("seed", range(5))
def test_ketama_model_places_every_key_as_uhashring(seed: int) -> None:
    rng = random.Random(seed)
    nodes = ring_tests.node_names(rng, rng.randint(1, 12))
    ours = model.KetamaRing()
    theirs = uhashring.HashRing(hash_fn="ketama")
    for node in nodes:
        ours.add(node)
        theirs.add_node(node)
    gone = rng.choice(nodes)
    keys = ring_tests.key_names(rng, 3000) + ring_tests.edge_keys(ours, rng)
    assert [ours.get(key) for key in keys] == [theirs.get_node(key) for key in keys]
    if len(nodes) > 1:
        ours.remove(gone)
        theirs.remove_node(gone)
        keys += ring_tests.edge_keys(ours, rng)
        assert [ours.get(key) for key in keys] == [theirs.get_node(key) for key in keys]


def test_edge_keys_sit_on_a_point_and_past_both_ends() -> None:
    ring = model.KetamaRing()
    for node in ["cache-1", "cache-2", "cache-3"]:
        ring.add(node)
    on_point, *_, after, before = ring_tests.edge_keys(ring, random.Random(1))[:5]
    assert model.key_position(on_point) in ring.owners
    assert model.key_position(after) >= ring.points[-1]
    assert model.key_position(before) < ring.points[0]


@pytest.mark.parametrize(("expected", "rate"), [(1000, 0.01), (3000, 0.02), (5000, 0.05)])
def test_rbloom_size_is_within_the_stage_bounds(expected: int, rate: float) -> None:
    optimal = model.bloom_bits(expected, rate)
    bits = rbloom.Bloom(expected, rate).size_in_bits
    assert optimal - 1 <= bits <= optimal * 1.1 + 64


def _false_positive_rate(expected: int, rate: float, seed: int) -> float:
    """A textbook filter (formula size, rounded k, double hashing over SHA-256), filled
    with ``expected`` items and probed with 20,000 others, as the stage does."""
    bits = math.ceil(model.bloom_bits(expected, rate))
    hashes = max(round(model.bloom_hashes(bits, expected)), 1)
    array = bytearray(bits)
    rng = random.Random(seed)

    def positions(item: str) -> list[int]:
        digest = hashlib.sha256(item.encode()).digest()
        h1, h2 = int.from_bytes(digest[:8], "little"), int.from_bytes(digest[8:16], "little") | 1
        return [(h1 + i * h2) % bits for i in range(hashes)]

    for n in range(expected):
        for p in positions(f"member:{seed}:{n}:{rng.random()}"):
            array[p] = 1
    probes = (f"probe:{seed}:{n}:{rng.random()}" for n in range(20_000))
    return sum(all(array[p] for p in positions(item)) for item in probes) / 20_000


@pytest.mark.parametrize(("expected", "rate"), [(1000, 0.01), (3000, 0.02), (5000, 0.05)])
def test_a_correct_filter_stays_well_inside_the_false_positive_bounds(expected: int, rate: float) -> None:
    measured = [_false_positive_rate(expected, rate, seed) for seed in range(8)]
    # The stage accepts rate/3 to 2·rate; a correct filter must keep far from both ends.
    assert all(rate * 0.6 < value < rate * 1.5 for value in measured), measured


def test_ketama_balance_bounds_hold_over_many_seeds() -> None:
    """The virtual-nodes stage accepts 0.55× to 1.5× the average per node; ketama's 160
    points per node stay well inside that for any seeded names."""
    low, high = 1.0, 1.0
    for seed in range(40):
        rng = random.Random(seed)
        ring = model.KetamaRing()
        nodes = ring_tests.node_names(rng, 8)
        for node in nodes:
            ring.add(node)
        keys = ring_tests.key_names(rng, 8000)
        counts = {node: 0 for node in nodes}
        for key in keys:
            counts[ring.get(key)] += 1
        low = min(low, min(counts.values()) / 1000)
        high = max(high, max(counts.values()) / 1000)
    assert low > 0.7 and high < 1.35, (low, high)


@pytest.mark.parametrize(("base", "cap"), [(100, 1000), (1, 100), (250, 25_000), (1000, 3000)])
def test_backoff_model_is_tenacitys_wait_exponential(base: int, cap: int) -> None:
    wait = tenacity.wait_exponential(multiplier=base / 1000, max=cap / 1000)
    state = tenacity.RetryCallState(retry_object=tenacity.Retrying(), fn=None, args=(), kwargs={})
    for attempt in range(1, 15):
        state.attempt_number = attempt
        assert round(wait(state) * 1000) == resilience.backoff(base, cap, attempt)


class _Down(Exception):
    pass


@pytest.mark.parametrize("seed", range(6))
def test_breaker_model_follows_pybreakers_state_machine(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Seeded calls through the model and through pybreaker on the same logical clock: the
    same calls must be rejected, and the same states reached."""
    now = [1_700_000_000_000]
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

    class Logical(dt.datetime):
        @classmethod
        def now(cls, tz: object = None) -> dt.datetime:  # type: ignore[override]
            return epoch + dt.timedelta(milliseconds=now[0])

    monkeypatch.setattr(pybreaker, "datetime", Logical)
    rng = random.Random(seed)
    threshold, reset = rng.randint(1, 4), rng.choice([100, 500, 3000])
    real = pybreaker.CircuitBreaker(fail_max=threshold, reset_timeout=reset / 1000)
    model = resilience.Breaker(threshold, reset)
    for _ in range(400):
        now[0] += rng.choice([0, 1, 10, reset // 2, reset - 1, reset, reset + 1])
        ok = rng.random() < 0.4
        called: list[bool] = []

        def call(ok: bool = ok, called: list[bool] = called) -> None:
            called.append(True)
            if not ok:
                raise _Down

        allowed = model.allow(now[0])
        with contextlib.suppress(_Down, pybreaker.CircuitBreakerError):
            real.call(call)
        assert bool(called) == allowed
        if allowed:
            model.success() if ok else model.failure(now[0])
        assert model.state == real.current_state


def test_starter_runs_and_fails_the_first_stage_plainly(tmp_path: Path) -> None:
    program = materialize(CHALLENGE, "python", None, tmp_path / "starter")
    report = grade_silently(CHALLENGE, program, until="hash-ring")
    stage = report.stages[0]
    assert stage.status is StageStatus.FAILED
    assert "HashRing.add is not written yet" in stage.message
    assert stage.hint is not None and "not written yet" in stage.hint


def test_oracle_sits_out_only_what_it_cannot_do() -> None:
    """rbloom has no removal, and uhashring builds a 200-node ring too slowly to time."""
    assert CHALLENGE.oracle is not None
    left_out = set(CHALLENGE.stage_slugs) - set(CHALLENGE.oracle.stages or [])
    assert left_out == {"counting-bloom", "lookup-complexity"}


def test_every_stage_names_its_rubric() -> None:
    rubrics = {stage.slug: stage.rubric for stage in CHALLENGE.stages}
    assert rubrics["lookup-complexity"] is Rubric.COMPLEXITY
    assert rubrics["ketama"] is rubrics["half-open"] is Rubric.EDGE_CASES
    assert None not in rubrics.values()
