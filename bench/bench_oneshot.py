"""Speed of a one-shot challenge, measured side by side in one run.

``crack test --all`` on grep's Python reference vs starting the same program serially, once
per case of every stage, with the same argv, stdin and files (target: ≤ 0.65×). The cases
are rebuilt from the tester itself with the same seed, so both sides run exactly the same
commands; the bare side only starts the program and waits for it, in case order.

Runs alternate between the two sides so machine noise hits both alike; medians are
compared. CPU time (of the run and everything it started) is shown beside wall time: crack
spends more of it than the serial starts (it runs the same starts, contained), and gains
wall time only where a core is free, so on a machine others are using the ratio rises. Both
sides run with the same environment, so the program's ``python3`` is the same file on both
(a version manager's shim, when the PATH has one: it is named, since it makes each start
several times dearer). Prints a table and exits 1 if the target is missed.
``python bench_oneshot.py N`` takes N rounds instead of 5.

As in bench_grading, bytecode writing is allowed on both sides (crack's modules compiled
once, as where it is installed).
"""

from __future__ import annotations

import importlib
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from crack.authoring.solutions import materialize
from crack.challenge import load_challenge
from crack.harness.process import ProgramSpec
from crack.learner import DEFAULT_RUN
from crack.tester import load_tester

ROUNDS = 5
SEED = 1
TARGET = 0.65
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def interpreter_note() -> str:
    """What ``python3`` is on the PATH both sides give the program."""
    found = shutil.which("python3", path=ENV.get("PATH"))
    if found is None:
        return "python3: not on PATH"
    if "/shims/" in found:
        return f"python3: {found} (a version manager's shim, on both sides)"
    return f"python3: {found}"


def grep_cases(seed: int) -> list[tuple[str, Any]]:
    """Every case ``crack test --all --seed SEED`` runs, in order, as (stage, case)."""
    challenge = load_challenge("grep")
    load_tester(challenge)
    cases_module = importlib.import_module("crack_challenges.grep.tester.cases")
    found = []
    for stage in challenge.stages:
        # The harness seeds each stage's random generator this way (Harness.random).
        rng = random.Random(f"{seed}:{stage.slug}")
        found += [(stage.slug, case) for case in cases_module.STAGES[stage.slug](rng)]
    return found


def prepare(cases: list[tuple[str, Any]], root: Path) -> list[Path]:
    folders = []
    for number, (slug, case) in enumerate(cases):
        folder = root / f"{number:03d}-{slug}"
        folder.mkdir(parents=True)
        for name, content in case.files:
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        folders.append(folder)
    return folders


def main(rounds: int = ROUNDS) -> int:
    challenge = load_challenge("grep")
    cases = grep_cases(SEED)
    with tempfile.TemporaryDirectory() as tmp:
        program = materialize(challenge, "python", challenge.stages[-1].slug, Path(tmp) / "ref")
        spec = ProgramSpec.parse(DEFAULT_RUN, program)
        folders = prepare(cases, Path(tmp) / "cases")
        crack_test = [
            sys.executable,
            "-m",
            "crack",
            "test",
            "--challenge",
            "grep",
            "--all",
            "--seed",
            str(SEED),
        ]

        crack_cpu: list[float] = []
        bare_cpu: list[float] = []

        def run_crack() -> float:
            spent, start = _children_cpu(), time.perf_counter()
            subprocess.run(crack_test, cwd=program, check=True, capture_output=True, env=ENV)
            crack_cpu.append(_children_cpu() - spent)
            return time.perf_counter() - start

        def run_bare() -> float:
            spent, start = _children_cpu(), time.perf_counter()
            for (_, case), folder in zip(cases, folders, strict=True):
                subprocess.run(
                    spec.argv(case.invocation.args),
                    cwd=folder,
                    input=case.stdin,
                    capture_output=True,
                    env=ENV,
                )
            bare_cpu.append(_children_cpu() - spent)
            return time.perf_counter() - start

        run_crack()  # warm caches (bytecode, page cache) for both sides
        run_bare()
        crack_cpu.clear()
        bare_cpu.clear()
        crack_times, bare_times = [], []
        for index in range(rounds):
            # Alternate which side goes first: noise from a neighbour hits both alike.
            if index % 2:
                bare_times.append(run_bare())
                crack_times.append(run_crack())
            else:
                crack_times.append(run_crack())
                bare_times.append(run_bare())

    ours, theirs = statistics.median(crack_times), statistics.median(bare_times)
    ratio = ours / theirs
    verdict = "ok" if ratio <= TARGET else "MISSED"
    print(f"{'measured':40} {'baseline':42} {'ratio':>7} {'target':>7}")
    print(
        f"{'crack test --all (grep reference)':40} {f'{len(cases)} serial starts, same argv/stdin':42} "
        f"{ratio:6.2f}× ≤{TARGET:.2f}×  {verdict}"
    )
    print(f"{'':40} medians: {ours:.3f} s vs {theirs:.3f} s")
    cpu_ours, cpu_theirs = statistics.median(crack_cpu), statistics.median(bare_cpu)
    print(f"{'':40} cpu: {cpu_ours:.3f} s vs {cpu_theirs:.3f} s ({cpu_ours / cpu_theirs:.2f}×)")
    print(f"{'':40} {interpreter_note()}; load average {os.getloadavg()[0]:.2f}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else ROUNDS))
