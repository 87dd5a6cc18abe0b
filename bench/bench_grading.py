"""Speed targets of the engine, each measured side by side in one run.

1. ``crack test --all`` on the Redis reference vs a bare script that starts the same program
   the same number of times and sends the same commands (target: ≤ 1.10×).
2. ``crack --version`` and ``crack --help`` vs ``python -c pass`` (target: ≤ 2×).

Runs alternate between the two sides so machine noise hits both alike; medians are
compared. CPU time (of the run and everything it started) is shown beside wall time: on a
loaded machine it is the steadier of the two. Prints a table and exits 1 if a target is
missed.

Every side runs with bytecode writing allowed, as on a machine where crack is installed
(its modules compiled once); an environment that forbids it (PYTHONDONTWRITEBYTECODE)
would have crack compile itself at every run and the bench measure that instead.
"""

from __future__ import annotations

import os
import resource
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


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


# --- measuring ------------------------------------------------------------------------------
def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(action: Callable[[], object], cpu: list[float] | None = None) -> float:
    spent = _children_cpu()
    start = time.perf_counter()
    action()
    wall = time.perf_counter() - start
    if cpu is not None:
        cpu.append(_children_cpu() - spent)
    return wall


def crack_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "crack", *args]


def main() -> int:
    challenge = load_challenge("redis")
    with tempfile.TemporaryDirectory() as tmp:
        program = materialize(challenge, "python", challenge.stages[-1].slug, Path(tmp) / "ref")
        crack_test = crack_cmd("test", "--challenge", "redis", "--all", "--seed", "1")

        def run_crack() -> None:
            subprocess.run(crack_test, cwd=program, check=True, capture_output=True, env=ENV)

        names = ("crack", "bare", "version", "help", "pass")
        samples: dict[str, list[float]] = {name: [] for name in names}
        cpu: dict[str, list[float]] = {name: [] for name in names}

        def run_bare() -> None:
            bare = [sys.executable, str(BARE), str(program)]
            subprocess.run(bare, check=True, capture_output=True, env=ENV)

        def run(name: str, argv: list[str]) -> None:
            samples[name].append(
                timed(lambda: subprocess.run(argv, check=True, capture_output=True, env=ENV), cpu[name])
            )

        run_crack()  # warm caches (bytecode, page cache) for both sides
        run_bare()
        for _ in range(ROUNDS):
            samples["crack"].append(timed(run_crack, cpu["crack"]))
            samples["bare"].append(timed(run_bare, cpu["bare"]))
        for warm_up in (crack_cmd("--version"), crack_cmd("--help")):
            subprocess.run(warm_up, check=True, capture_output=True, env=ENV)
        for _ in range(ROUNDS * 4):
            run("version", crack_cmd("--version"))
            run("pass", [sys.executable, "-c", "pass"])
            run("help", crack_cmd("--help"))
            run("pass", [sys.executable, "-c", "pass"])

    med = {name: statistics.median(values) for name, values in samples.items()}
    med_cpu = {name: statistics.median(values) for name, values in cpu.items()}
    rows = [
        (
            "crack test --all (Redis reference)",
            "bare script, same program and commands",
            "crack",
            "bare",
            1.10,
        ),
        ("crack --version", "python -c pass", "version", "pass", 2.0),
        ("crack --help", "python -c pass", "help", "pass", 2.0),
    ]
    failed = False
    print(f"{'measured':40} {'baseline':42} {'ratio':>7} {'target':>7}")
    for name, base, ours, theirs, target in rows:
        ratio = med[ours] / med[theirs]
        failed |= ratio > target
        verdict = "ok" if ratio <= target else "MISSED"
        print(f"{name:40} {base:42} {ratio:6.2f}× ≤{target:.2f}×  {verdict}")
        print(f"{'':40} medians: {med[ours]:.3f} s vs {med[theirs]:.3f} s")
        cpu_ratio = med_cpu[ours] / med_cpu[theirs]
        print(f"{'':40} cpu: {med_cpu[ours]:.3f} s vs {med_cpu[theirs]:.3f} s ({cpu_ratio:.2f}×)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
