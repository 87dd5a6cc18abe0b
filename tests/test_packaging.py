"""A built wheel, installed into a fresh virtual environment, is a working crack."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_in_a_fresh_venv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTHONPATH", raising=False)  # crack must come from the wheel alone
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(dist),
            str(ROOT),
        ],
        check=True,
    )
    (wheel,) = dist.glob("crack-*.whl")
    env_dir = tmp_path / "venv"
    # A venv of its own, as a learner's `pip install` makes: crack from the wheel, its
    # dependencies from the package index (pip's cache when warm), nothing from this
    # interpreter or the system's site-packages.
    venv.EnvBuilder(system_site_packages=False, with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", str(wheel)],
        check=True,
    )
    outside = tmp_path / "elsewhere"
    outside.mkdir()

    def crack(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(env_dir / "bin" / "crack"), *args], cwd=outside, capture_output=True, text=True
        )

    where = subprocess.run(
        [str(python), "-c", "import crack.paths as p; print(p.__file__); print(p.data_root())"],
        cwd=outside,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert all(str(env_dir) in line for line in where), where

    listing = crack("list")
    assert listing.returncode == 0 and "redis" in listing.stdout and "13" in listing.stdout

    started = crack("start", "redis", "repo")
    assert started.returncode == 0, started.stderr
    assert (outside / "repo" / "your_program.sh").exists()

    report = outside / "report.json"
    demo_ref = outside / "ref"
    script = (
        "from pathlib import Path; from crack.challenge import load_challenge; "
        "from crack.authoring.solutions import materialize; "
        f"materialize(load_challenge('redis'), 'python', 'echo', Path({str(demo_ref)!r}))"
    )
    subprocess.run([str(python), "-c", script], check=True, cwd=outside)
    graded = subprocess.run(
        [
            str(env_dir / "bin" / "crack"),
            "test",
            "--challenge",
            "redis",
            "--until",
            "echo",
            "--format",
            "json",
            "--output",
            str(report),
        ],
        cwd=demo_ref,
        capture_output=True,
        text=True,
    )
    assert graded.returncode == 0, graded.stdout + graded.stderr
    assert {s["status"] for s in json.loads(report.read_text())["stages"]} == {"passed"}
