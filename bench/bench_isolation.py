"""What each isolation mode costs, measured side by side in one run.

``crack test --all`` on the Redis reference (13 stages, 13 starts of the program) under
``none``, ``namespace`` and ``docker``, alternated round by round so noise hits every mode
alike. Prints, per mode, the median wall time of the run, the part of it spent in stages
(from the JSON report), and the overhead per stage against ``none``. The docker mode needs
an engine and the base image (``scripts/docker-setup.sh``); without them its row says why.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from crack.authoring.solutions import materialize
from crack.challenge import load_challenge

MODES = ("none", "namespace", "docker")


def grade(program: Path, mode: str, out: Path) -> tuple[float, float, bool]:
    """(wall seconds, seconds inside stages, passed)."""
    command = [sys.executable, "-m", "crack", "test", "--challenge", "redis", "--all", "--seed", "1"]
    command += ["--isolation", mode, "--format", "json", "--output", str(out)]
    # The program's `python3` must be an interpreter, not a version manager's shim (a
    # pyenv shim costs ~0.1 s a start), or the modes differ by what PATH finds, not by
    # their containment: in the container PATH finds the image's own python3.
    interpreter = Path(sys.executable).resolve().parent
    env = {**os.environ, "PATH": f"{interpreter}:{os.environ.get('PATH', '')}"}
    started = time.perf_counter()
    result = subprocess.run(command, cwd=program, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    if result.returncode not in (0, 1):
        raise RuntimeError(result.stdout + result.stderr)
    report = json.loads(out.read_text())
    inside = sum(stage["duration_s"] for stage in report["stages"])
    return wall, inside, result.returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    from crack.containment.docker_mode import DockerUnavailable, client, language_image

    modes = list(MODES)
    try:
        language_image(client(), "python")  # built once, before any clock starts
    except DockerUnavailable as exc:
        print(f"docker: not measured ({exc})")
        modes.remove("docker")
    challenge = load_challenge("redis")
    stages = len(challenge.stages)
    with tempfile.TemporaryDirectory() as tmp:
        program = materialize(challenge, "python", challenge.stages[-1].slug, Path(tmp) / "ref")
        out = Path(tmp) / "report.json"
        samples: dict[str, list[tuple[float, float]]] = {mode: [] for mode in modes}
        for mode in modes:  # warm-up: caches, the image
            grade(program, mode, out)
        for round_number in range(args.rounds):
            for mode in modes:
                wall, inside, passed = grade(program, mode, out)
                if not passed:
                    print(f"round {round_number + 1}: {mode} did not pass every stage")
                samples[mode].append((wall, inside))
    base_wall = statistics.median(w for w, _ in samples["none"])
    base_inside = statistics.median(i for _, i in samples["none"])
    print(f"\ncrack test --all, Redis reference ({stages} stages), medians of {args.rounds} rounds")
    header = f"{'mode':<10} {'run (s)':>8} {'in stages (s)':>14} {'per stage (ms)':>15}"
    print(f"{header} {'overhead/stage vs none (ms)':>28}")
    for mode in modes:
        wall = statistics.median(w for w, _ in samples[mode])
        inside = statistics.median(i for _, i in samples[mode])
        overhead = (wall - base_wall) / stages * 1000
        print(
            f"{mode:<10} {wall:>8.2f} {inside:>14.2f} {inside / stages * 1000:>15.0f} "
            f"{overhead:>+28.0f}  (in stages: {(inside - base_inside) / stages * 1000:+.0f})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
