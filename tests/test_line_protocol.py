"""The line protocol, and complexity stages that tell O(1) from O(n) by a measured ratio."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import grade_json

LRU = Path(__file__).parent / "programs" / "lru.py"

TESTER = """
import time
from crack.harness.growth import require_constant
from crack.tester import Tester

tester = Tester("fake")

@tester.stage("basics")
def basics(h):
    s = h.start_line_session()
    s.expect("CAP 2", "OK")
    s.expect("PUT a 1", "OK")
    s.expect("PUT b 2", "OK")
    s.expect("GET a", "1")
    s.expect("PUT c 3", "OK")
    s.expect("GET b", "-1", hint="b was the least recently used key")
    s.expect("GET x", "-1")

@tester.stage("crash")
def crash(h):
    s = h.start_line_session()
    s.expect("CAP 1", "OK")
    s.expect("CRASH", "OK")

@tester.stage("constant-time")
def constant_time(h):
    def workload(size):
        s = h.start_line_session(quiet=True)
        s.ask_many([f"CAP {size}", f"FILL {size}"])
        ops = [f"GET {i}" for i in range(0, size, max(1, size // 500))][:500]
        start = time.perf_counter()
        s.ask_many(ops)
        return (time.perf_counter() - start) / len(ops)

    growth = h.growth(workload, small=1_000, large=100_000, operation="GET", rounds=3)
    require_constant(growth, operation="GET", thing="cache", limit=10,
                     hint="is GET moving the key to the front of a list?")
"""


@pytest.fixture
def challenge(fake_challenges: Callable[..., Path]) -> Path:
    stages = [{"slug": "basics"}, {"slug": "crash"}, {"slug": "constant-time", "timeout": 60}]
    return fake_challenges("fake", stages, TESTER)


def _grade(tmp_path: Path, mode: str, stage: str) -> dict[str, str]:
    _, report = grade_json(tmp_path, "--stage", stage, challenge="fake", run=f"{sys.executable} {LRU} {mode}")
    return report["stages"][0]


def test_replies_are_checked_with_a_transcript(challenge: Path, tmp_path: Path) -> None:
    assert _grade(tmp_path, "fast", "basics")["status"] == "passed"
    crashed = _grade(tmp_path, "fast", "crash")
    assert crashed["status"] == "failed"
    assert (
        "sent 'CRASH': your program closed its output (exited with code 4) instead of replying"
        in crashed["message"]
    )
    assert "  > CAP 1\n  < OK" in crashed["message"]


@pytest.mark.parametrize("round_", range(3))
def test_complexity_stage_tells_o1_from_on(challenge: Path, tmp_path: Path, round_: int) -> None:
    fast = _grade(tmp_path, "fast", "constant-time")
    assert fast["status"] == "passed", fast["message"]
    assert "time per GET:" in fast["log"]
    slow = _grade(tmp_path, "slow", "constant-time")
    assert slow["status"] == "failed"
    assert "expected constant time (at most 10×)" in slow["message"]
    assert "when the cache grew 100×" in slow["message"]
    assert "is GET moving the key to the front of a list?" in slow["message"]
