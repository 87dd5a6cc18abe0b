"""Tests of the cache challenge beyond those every challenge gets (tests/test_challenges.py).

The tester computes every expected reply with its own models of LRU, LFU and TTL caches
(tester/model.py), so learners' programs never need cachetools. Those models are only
worth something if they agree with cachetools, the oracle: the first tests drive both
with the same seeded workloads and compare every reply and every eviction, in order.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from crack.authoring.scenarios import grade_silently
from crack.authoring.solutions import materialize
from crack.challenge import Rubric, load_challenge
from crack.report import StageStatus
from crack.tester import load_tester

cachetools = pytest.importorskip("cachetools")

CHALLENGE = load_challenge("cache")
load_tester(CHALLENGE)
model: ModuleType = sys.modules["crack_challenges.cache.tester.model"]


class Clock:
    """cachetools' timer: the logical time, as the oracle adapter sets it per command."""

    def __init__(self, now: int) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


def _recording(base: type[Any]) -> type[Any]:
    """A cachetools class that records the keys its popitem() evicts, in order."""

    class Recording(base):  # type: ignore[misc]
        evicted: list[str]

        def popitem(self) -> tuple[Any, Any]:
            key, value = super().popitem()
            self.__dict__.setdefault("evicted", []).append(key)
            return key, value

    return Recording


def _pair(kind: str, capacity: int, ttl: int, clock: Clock) -> tuple[Any, Any]:
    if kind == "LRU":
        return model.LRU(capacity), _recording(cachetools.LRUCache)(capacity)
    if kind == "LFU":
        return model.LFU(capacity), _recording(cachetools.LFUCache)(capacity)
    return model.TTL(capacity, ttl), _recording(cachetools.TTLCache)(capacity, ttl, timer=clock)


@pytest.mark.parametrize("kind", ["LRU", "LFU", "TTL"])
def test_models_evict_in_cachetools_order(kind: str) -> None:
    """Random workloads: every GET, every SIZE and every eviction (which key, in which
    order) as cachetools does it. Expired TTL entries are not evictions, so for TTL the
    evictions are compared as the keys popped to make room."""
    for seed in range(300):
        rng = random.Random(f"{kind}:{seed}")
        capacity = rng.choice([0, 1, 2, 3, 5, 8])
        ttl = rng.choice([1, 5, 50])
        clock = Clock(1_700_000_000_000 + rng.randrange(10**9))
        ours, theirs = _pair(kind, capacity, ttl, clock)
        keys = [f"k{i}" for i in range(rng.randint(1, 12))]
        for step in range(250):
            clock.now += rng.choice([0, 0, 1, 2, 7])
            key, roll = rng.choice(keys), rng.random()
            where = f"{kind} seed {seed} step {step}"
            if roll < 0.45:
                assert ours.get(key, clock.now) == theirs.get(key), where
            elif roll < 0.95:
                evicted = ours.put(key, str(step), clock.now)
                theirs.__dict__["evicted"] = []
                if capacity == 0:
                    with pytest.raises(ValueError):
                        theirs[key] = str(step)
                else:
                    theirs[key] = str(step)
                assert evicted == theirs.__dict__["evicted"], where
            else:
                assert ours.size(clock.now) == len(theirs), where
            assert sorted(ours.keys(clock.now)) == sorted(theirs), where


def test_lfu_breaks_ties_by_last_use_like_cachetools() -> None:
    """The stage's tie case: a, b, c each used twice, b's last use the oldest: b goes."""
    ours, theirs = model.LFU(3), cachetools.LFUCache(3)
    for key in "abc":
        ours.put(key, key, 0)
        theirs[key] = key
    for key in "bac":
        ours.get(key, 0)
        theirs.get(key)
    ours.put("d", "d", 0)
    theirs["d"] = "d"
    assert sorted(theirs) == sorted(ours.keys(0)) == ["a", "c", "d"]
    assert ours.keys(0) == ["d", "a", "c"]  # eviction order: count 1 first, then by last use


def test_ttl_boundary_is_cachetools_boundary() -> None:
    """Present at put time + ttl - 1, gone at put time + ttl; a GET does not renew."""
    clock = Clock(1_700_000_000_000)
    ours, theirs = model.TTL(3, 1000), cachetools.TTLCache(3, 1000, timer=clock)
    ours.put("apple", "red", clock.now)
    theirs["apple"] = "red"
    clock.now += 999
    assert ours.get("apple", clock.now) == theirs.get("apple") == "red"
    clock.now += 1
    assert ours.get("apple", clock.now) is None
    assert theirs.get("apple") is None


def test_expired_entries_never_cost_a_live_key_its_place() -> None:
    clock = Clock(1_700_000_000_000)
    theirs = cachetools.TTLCache(2, 1000, timer=clock)
    ours = model.TTL(2, 1000)
    for advance, key in ((0, "apple"), (500, "banana")):
        clock.now += advance
        theirs[key] = key
        ours.put(key, key, clock.now)
    clock.now += 100
    theirs.get("apple")
    ours.get("apple", clock.now)
    clock.now += 400  # apple expires now; banana is the least recently used live key
    theirs["cherry"] = "cherry"
    assert ours.put("cherry", "cherry", clock.now) == []
    assert sorted(theirs) == sorted(ours.keys(clock.now)) == ["banana", "cherry"]


def test_every_stage_names_its_rubric() -> None:
    rubrics = {stage.slug: stage.rubric for stage in CHALLENGE.stages}
    assert rubrics["lru-complexity"] is rubrics["lfu-complexity"] is Rubric.COMPLEXITY
    assert rubrics["capacity-edges"] is Rubric.EDGE_CASES
    assert len(CHALLENGE.stages) >= 8


def test_starter_runs_and_fails_the_first_stage_plainly(tmp_path: Path) -> None:
    program = materialize(CHALLENGE, "python", None, tmp_path / "starter")
    report = grade_silently(CHALLENGE, program, until="lru-get-put")
    stage = report.stages[0]
    assert stage.status is StageStatus.FAILED
    assert "got 'ERROR NotImplementedError: LRUCache.put is not written yet'" in stage.message
    assert stage.hint is not None and "NotImplementedError until you write them" in stage.hint


def test_driver_passes_values_through_untouched(tmp_path: Path) -> None:
    """The provided driver, with the reference's classes: spaces, Unicode and an error."""
    program = materialize(CHALLENGE, "python", CHALLENGE.stage_slugs[-1], tmp_path / "ref")
    commands = [
        "NEW LRU 2",
        "PUT 1 k  two  spaces ",
        "GET 1 k",
        "PUT 1 日本 東京 タワー",
        "GET 1 日本",
        "GET 1 missing",
        "SIZE 1",
        "NEW LRU x",
    ]
    result = subprocess.run(
        [str(program / "your_program.sh")],
        input="".join(f"{line}\n" for line in commands),
        capture_output=True,
        text=True,
        timeout=30,
    )
    replies = result.stdout.splitlines()
    assert replies[:7] == ["OK", "OK", " two  spaces ", "OK", "東京 タワー", "NOT_FOUND", "2"]
    assert replies[7].startswith("ERROR ValueError")
    assert "Traceback" in result.stderr


def test_write_through_store_lines_from_the_reference(tmp_path: Path) -> None:
    program = materialize(CHALLENGE, "python", CHALLENGE.stage_slugs[-1], tmp_path / "ref")
    store = tmp_path / "store.log"
    commands = [f"NEW LRU 1 STORE {store}", "PUT 1 a x", "PUT 1 a y", "GET 1 a", "PUT 1 b z"]
    subprocess.run(
        [str(program / "your_program.sh")],
        input="".join(f"{line}\n" for line in commands),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert store.read_text().splitlines() == ["PUT a x", "PUT a y", "PUT b z", "EVICT a"]
