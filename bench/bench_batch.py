"""Batch grading speed: ``crack grade --jobs 2`` vs ``--jobs 1``, side by side in one run.

40 submissions of the Redis challenge — every broken scenario plus copies of the reference
solution — graded through every stage, once with one job and once with two (in the order
A-B-B-A over the two halves, so drifting machine load hits both sides alike). Targets, on a
2-core machine: at least 1.9× faster with two jobs, and not one wrong verdict in either run
(a wrong verdict is a submission whose first stage that did not pass is not the one its
scenario declares, or one that could not be graded). Exits 1 if a target is missed.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from crack.authoring.scenarios import load_scenarios
from crack.authoring.solutions import materialize
from crack.challenge import load_challenge

SUBMISSIONS = 40
TARGET = 1.9
SEED = 2024


def build(base: Path) -> dict[str, str | None]:
    """Write the 40 programs under ``base``; return folder → the stage it must fail (None: pass)."""
    challenge = load_challenge("redis")
    expected: dict[str, str | None] = {}
    for scenario in load_scenarios(challenge):
        folder = scenario.build(challenge, base / f"scenario-{scenario.name}")
        expected[str(folder)] = scenario.spec.fails_at
    reference = materialize(challenge, "python", challenge.stages[-1].slug, base / "reference-00")
    expected[str(reference)] = None
    index = 1
    while len(expected) < SUBMISSIONS:
        copy = base / f"reference-{index:02d}"
        subprocess.run(["cp", "-r", str(reference), str(copy)], check=True)
        expected[str(copy)] = None
        index += 1
    return expected


def grade(submissions: list[str], jobs: int, out: Path) -> tuple[float, float, dict[str, Any]]:
    """(wall seconds, CPU seconds of crack and every program it ran, the batch report)."""
    command = [
        sys.executable, "-m", "crack", "grade", *submissions, "--challenge", "redis", "--all",
        "--jobs", str(jobs), "--seed", str(SEED), "--format", "json", "--output", str(out),
    ]  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=False, capture_output=True, env={**os.environ, "NO_COLOR": "1"})
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu, json.loads(out.read_text())


def wrong_verdicts(batch: dict[str, Any], expected: dict[str, str | None]) -> list[str]:
    wrong = []
    for entry in batch["submissions"]:
        first_bad = next((s for s in entry["stages"] if s["status"] != "passed"), None)
        got = None if first_bad is None else first_bad["slug"]
        want = expected[entry["source"]]
        failure = first_bad is None or first_bad["status"] in ("failed", "timed_out")
        if entry["error"] or got != want or not failure:
            why = entry["error"] or (f"{first_bad['status']} at {got}" if first_bad else "passed everything")
            expectation = "to pass" if want is None else f"to fail at {want}"
            wrong.append(f"{entry['name']}: expected {expectation}, {why}")
    return wrong


def _combine(runs: list[tuple[float, float, dict[str, Any]]]) -> tuple[float, float, dict[str, Any]]:
    """One side's runs as one: times added, submissions put together."""
    batch = dict(runs[0][2])
    batch["submissions"] = [entry for _, _, part in runs for entry in part["submissions"]]
    return sum(run[0] for run in runs), sum(run[1] for run in runs), batch


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="crack-bench-batch-") as tmp:
        base = Path(tmp)
        expected = build(base / "subs")
        submissions = list(expected)
        grade(submissions[:2], 2, base / "warm.json")  # warm caches (bytecode, page cache) for both sides
        load_before = os.getloadavg()[0]
        # A-B-B-A over the two halves: each side grades all 40, and a machine getting busier
        # or quieter during the run weighs on both sides alike.
        half = len(submissions) // 2
        runs: dict[int, list[tuple[float, float, dict[str, Any]]]] = {1: [], 2: []}
        for index, (jobs, part) in enumerate(
            [
                (1, submissions[:half]),
                (2, submissions[:half]),
                (2, submissions[half:]),
                (1, submissions[half:]),
            ]
        ):
            runs[jobs].append(grade(part, jobs, base / f"run-{index}.json"))
        load_after = os.getloadavg()[0]
    one_s, one_cpu, one = _combine(runs[1])
    two_s, two_cpu, two = _combine(runs[2])
    wrong_one, wrong_two = wrong_verdicts(one, expected), wrong_verdicts(two, expected)
    speedup = one_s / two_s
    print(f"crack grade, {len(submissions)} Redis submissions (reference + broken scenarios), every stage")
    print(f"{'':12} {'wall time':>10} {'CPU time':>10} {'wrong verdicts':>15}")
    print(f"{'--jobs 1':12} {one_s:9.1f}s {one_cpu:9.1f}s {len(wrong_one):>15}")
    print(f"{'--jobs 2':12} {two_s:9.1f}s {two_cpu:9.1f}s {len(wrong_two):>15}")
    # Other work on the machine steals the second core from --jobs 2: say how busy it was.
    print(f"load average: {load_before:.1f} before, {load_after:.1f} after (a quiet 2-core machine: < 1)")
    ok_speed = speedup >= TARGET
    ok_verdicts = not wrong_one and not wrong_two
    verdict = "ok" if ok_speed else "MISSED"
    print(f"speed-up {speedup:.2f}× (target ≥ {TARGET}×, {os.cpu_count()} CPUs): {verdict}")
    print(f"wrong verdicts {len(wrong_one) + len(wrong_two)} (target 0): {'ok' if ok_verdicts else 'MISSED'}")
    for line in wrong_one + wrong_two:
        print(f"  {line}")
    return 0 if ok_speed and ok_verdicts else 1


if __name__ == "__main__":
    sys.exit(main())
