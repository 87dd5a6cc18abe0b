"""Speed targets of the engine, each measured side by side in one run.

1. ``crack test --all`` on the Redis reference vs a bare script that starts the same program
   the same number of times and sends the same commands (target: ≤ 1.10×).
2. ``crack --version`` vs ``python -c pass`` (target: ≤ 2×).

Runs alternate between the two sides so machine noise hits both alike; medians are
compared. Prints a table and exits 1 if a target is missed.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from crack.authoring.solutions import materialize
from crack.challenge import load_challenge

ROUNDS = 5
BARE = Path(__file__).with_name("bare_redis_client.py")


# --- measuring ------------------------------------------------------------------------------
def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def crack_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "crack", *args]


def main() -> int:
    challenge = load_challenge("redis")
    with tempfile.TemporaryDirectory() as tmp:
        program = materialize(challenge, "python", challenge.stages[-1].slug, Path(tmp) / "ref")
        crack_test = crack_cmd("test", "--challenge", "redis", "--all", "--seed", "1")

        def run_crack() -> None:
            subprocess.run(crack_test, cwd=program, check=True, capture_output=True)

        samples: dict[str, list[float]] = {"crack": [], "bare": [], "version": [], "pass": []}

        def run_bare() -> None:
            subprocess.run([sys.executable, str(BARE), str(program)], check=True, capture_output=True)

        run_crack()  # warm caches (bytecode, page cache) for both sides
        run_bare()
        for _ in range(ROUNDS):
            samples["crack"].append(timed(run_crack))
            samples["bare"].append(timed(run_bare))
        for _ in range(ROUNDS * 4):
            samples["version"].append(
                timed(lambda: subprocess.run(crack_cmd("--version"), check=True, capture_output=True))
            )
            samples["pass"].append(timed(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True)))

    med = {name: statistics.median(values) for name, values in samples.items()}
    rows = [
        (
            "crack test --all (Redis reference)",
            "bare script, same program and commands",
            med["crack"],
            med["bare"],
            1.10,
        ),
        ("crack --version", "python -c pass", med["version"], med["pass"], 2.0),
    ]
    failed = False
    print(f"{'measured':40} {'baseline':42} {'ratio':>7} {'target':>7}")
    for name, base, ours, theirs, target in rows:
        ratio = ours / theirs
        failed |= ratio > target
        verdict = "ok" if ratio <= target else "MISSED"
        print(f"{name:40} {base:42} {ratio:6.2f}× ≤{target:.2f}×  {verdict}")
        print(f"{'':40} medians: {ours:.3f} s vs {theirs:.3f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
