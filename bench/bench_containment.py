"""What containment costs per start of the program, measured alone, side by side in one run.

Each round starts a program that does nothing (``/bin/true``, then the interpreter running
``pass``) once bare and once under each step of the containment a grading applies: the
launcher alone (limits, allow-listed environment), plus the program's cgroup (memory,
processes, CPU share; made and removed at each start), plus the change to the unprivileged
user (when crack runs as root). Variants alternate within a round so noise hits them alike;
medians of wall and CPU time (crack's own plus the started processes') are printed, with the
cost of each variant over the bare start.

Each start follows a quiet spell of :data:`QUIET_S`, as the starts of a server challenge's
stages do: the first move into a group after a quiet spell waits for an RCU grace period.
"+ cgroup, warmed" is the same start while :class:`crack.containment.cgroups.WarmMigrations`
runs, as it does through a grading.

Usage: python bench/bench_containment.py [--starts N]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from crack.containment import cgroups
from crack.containment.sandbox import Containment, Limits, default_user


def _cpu() -> float:
    spent = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        spent += usage.ru_utime + usage.ru_stime
    return spent


def bare(argv: list[str]) -> Callable[[], None]:
    def start() -> None:
        subprocess.run(argv, stdout=subprocess.DEVNULL, start_new_session=True, check=True)

    return start


def contained(argv: list[str], containment: Containment, home: Path) -> Callable[[], None]:
    """One start as a grading makes it: prepare, launch, wait, end (kill and remove the group)."""

    def start() -> None:
        env = containment.environment(os.environ, home)
        confinement = containment.start(argv, env.get("PATH"))
        popen = subprocess.Popen(
            confinement.argv, stdout=subprocess.DEVNULL, env=env, cwd=home, start_new_session=True
        )
        confinement.started(popen.pid)
        if popen.wait() != 0:
            raise RuntimeError(f"{argv} failed under containment")
        confinement.end()

    return start


QUIET_S = 0.03
"""The pause before each start (not timed): longer than a grace period."""


def warmed(start: Callable[[], None], layout: cgroups.Layout) -> Callable[[], None]:
    def warm_start() -> None:
        with cgroups.WarmMigrations(layout):
            time.sleep(QUIET_S)
            began = time.perf_counter()
            start()
            _warm_spent.append(time.perf_counter() - began)

    return warm_start


_warm_spent: list[float] = []
"""Wall time of the warmed starts alone, without the quiet spell inside them."""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=40, help="starts per variant and program")
    args = parser.parse_args()
    user = default_user()
    layout = cgroups.detect()
    print(f"containment per start: {layout.describe() if layout else 'no cgroup (memory watch)'}, ", end="")
    print(f"program user: {user or 'crack’s own'}")
    interpreter = str(Path(sys.executable).resolve())
    programs = {"/bin/true": ["/bin/true"], "python -c pass": [interpreter, "-c", "pass"]}
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        home.chmod(0o777)
        steps: dict[str, Containment] = {"launcher only": Containment(Limits(), None, use_cgroups=False)}
        if layout is not None:
            steps["+ cgroup"] = Containment(Limits(), None)
        if user is not None:
            steps["+ user switch"] = Containment(Limits(), user, use_cgroups=layout is not None)
        for name, argv in programs.items():
            variants = {"bare": bare(argv)} | {k: contained(argv, c, home) for k, c in steps.items()}
            if layout is not None:
                variants["+ cgroup, warmed"] = warmed(contained(argv, steps["+ cgroup"], home), layout)
            wall: dict[str, list[float]] = {k: [] for k in variants}
            cpu: dict[str, list[float]] = {k: [] for k in variants}
            for start in variants.values():  # warm-up: page cache, bytecode
                start()
            for _ in range(args.starts):
                for variant, start in variants.items():
                    if variant != "+ cgroup, warmed":
                        time.sleep(QUIET_S)
                    _warm_spent.clear()
                    spent, began = _cpu(), time.perf_counter()
                    start()
                    wall[variant].append(_warm_spent[0] if _warm_spent else time.perf_counter() - began)
                    cpu[variant].append(_cpu() - spent)
            base_wall, base_cpu = statistics.median(wall["bare"]), statistics.median(cpu["bare"])
            print(f"\n{name}: medians of {args.starts} starts")
            print(f"{'':16} {'wall (ms)':>10} {'+ vs bare':>10} {'cpu (ms)':>10} {'+ vs bare':>10}")
            for variant in variants:
                w, c = statistics.median(wall[variant]), statistics.median(cpu[variant])
                print(
                    f"{variant:16} {w * 1000:>10.1f} {(w - base_wall) * 1000:>+10.1f} "
                    f"{c * 1000:>10.1f} {(c - base_cpu) * 1000:>+10.1f}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
