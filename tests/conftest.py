"""Shared fixtures: the CLI in-process, reference programs per stage, fake challenges."""

from __future__ import annotations

import json
import os
import shutil
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cluster_support import node_harness  # noqa: F401  (a fixture of the multi-node harness tests)
from crack.authoring.solutions import materialize
from crack.challenge import load_challenge
from crack.cli import cli
from crack.schemas import schema_errors

ROOT = Path(__file__).resolve().parents[1]
REDIS = load_challenge("redis")


def _skip_version_manager_shims() -> None:
    """Put the interpreter a version manager's ``python3`` shim would pick ahead of the shim.

    A pyenv shim is a shell script that runs ``pyenv exec``: about 100 ms of CPU for each
    start of a Python program, against 10 ms for the interpreter itself. The suite starts
    reference and scenario programs tens of thousands of times (one per case of a one-shot
    challenge), so on a machine with pyenv the shims alone would cost the suite many minutes.
    The same interpreter runs either way; a machine without shims is left as it is."""
    found = shutil.which("python3")
    if found is None or "/shims/" not in found:
        return
    import subprocess

    try:
        real = subprocess.run(
            ["pyenv", "which", "python3"], capture_output=True, text=True, timeout=30, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return
    if real and os.access(real, os.X_OK):
        os.environ["PATH"] = f"{Path(real).parent}{os.pathsep}{os.environ.get('PATH', '')}"


_skip_version_manager_shims()


def run_cli(args: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Result:
    """Invoke ``crack`` in-process, as a user would from ``cwd``."""
    runner = CliRunner()
    old = Path.cwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        return runner.invoke(cli, args, env=env, catch_exceptions=False)
    finally:
        os.chdir(old)


@pytest.fixture
def crack() -> Callable[..., Result]:
    return run_cli


@pytest.fixture(scope="session")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str | None], Path]:
    """The Redis reference program as of a stage (None: the starter), built once per session."""
    cache: dict[str | None, Path] = {}
    base = tmp_path_factory.mktemp("reference")

    def build(stage: str | None) -> Path:
        if stage not in cache:
            cache[stage] = materialize(REDIS, "python", stage, base / (stage or "starter"))
        return cache[stage]

    return build


MARKER_PROGRAM = """\
#!/bin/sh
# $1: what to do; $2: a marker file shared by the cases (and stages) of one grading. Markers
# let cases wait on each other, which proves (without timing anything) that they run at the
# same time.
case "$1" in
  wait-then-pass) i=0; while [ ! -e "$2" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
                  [ -e "$2" ] && echo "saw it" && exit 0; exit 1 ;;
  wait-then-fail) i=0; while [ ! -e "$2" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
                  echo "late failure"; exit 1 ;;
  mark-then-pass) : > "$2"; echo "marked"; exit 0 ;;
  mark-then-fail) : > "$2"; echo "quick failure"; exit 1 ;;
  hang)           sleep 60 ;;
  hang-later)     sleep 61 ;;
  *)              echo "$1"; exit 0 ;;
esac
"""
"""A one-shot program for the case pool's and the stage overlap's tests."""


def grade_json(
    program_dir: Path, *extra: str, challenge: str = "redis", run: str = "./your_program.sh"
) -> tuple[int, dict[str, Any]]:
    """Grade a program outside a learner repo and return (exit code, JSON report)."""
    out = program_dir / "report.json"
    result = run_cli(
        ["test", "--challenge", challenge, "--run", run, "--output", str(out), "--format", "json", *extra],
        cwd=program_dir,
    )
    report = json.loads(out.read_text())
    # Every JSON report the suite produces must match the schema crack ships.
    assert not schema_errors(report), schema_errors(report)
    return result.exit_code, report


def wait_until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Return once ``condition()`` holds; fail the test if it has not within ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition never held"
        time.sleep(0.002)


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {stage["slug"]: stage["status"] for stage in report["stages"]}


@pytest.fixture
def fake_challenges(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """Write a small challenge under a private CRACK_CHALLENGE_PATH and return its folder."""
    root = tmp_path / "challenges"
    root.mkdir()
    monkeypatch.setenv("CRACK_CHALLENGE_PATH", str(root))

    def make(slug: str, stages: list[dict[str, Any]], tester_code: str, yaml_extra: str = "") -> Path:
        folder = root / slug
        (folder / "stages").mkdir(parents=True)
        (folder / "tester").mkdir()
        lines = [
            f"slug: {slug}",
            f"name: Fake {slug}",
            "summary: A challenge for tests.",
            "difficulty: easy",
            "stages:",
        ]
        for stage in stages:
            lines += [
                f"  - slug: {stage['slug']}",
                f"    name: {stage.get('name', stage['slug'])}",
                "    difficulty: easy",
                f"    timeout: {stage.get('timeout', 5)}",
                "    concepts: {pattern: p, data_structure: d, algorithm: a}",
                "    hints: [first hint, second hint]",
                "    interview: [what would an interviewer ask]",
            ]
            (folder / "stages" / f"{stage['slug']}.md").write_text(f"# {stage['slug']}\n\nDo it.\n")
        (folder / "challenge.yaml").write_text("\n".join(lines) + "\n" + yaml_extra)
        (folder / "tester" / "__init__.py").write_text(textwrap.dedent(tester_code))
        return folder

    return make


def copy_program(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__", "report.json"))
    return dest


@pytest.fixture
def no_leftovers() -> Iterator[None]:
    """Fail the test if any process started during it is still running afterwards."""
    from crack.harness import proctree

    before = set(proctree.snapshot())
    yield
    import time

    deadline = time.monotonic() + 3
    while True:
        procs = proctree.snapshot()
        mine = proctree.descendants({os.getpid()}, procs) - {os.getpid()}
        new = {p for p in mine if p not in before and procs[p].state != "Z"}
        if not new or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert not new, f"processes left running: {sorted(new)}"


def docker_problem(language: str = "python") -> str | None:
    """Why the docker isolation mode cannot grade ``language`` here (None: it can). Builds
    the language's image when missing, so the tests that use it time only the grading."""
    from crack.containment.docker_mode import DockerUnavailable, client, language_image

    try:
        language_image(client(), language)
    except DockerUnavailable as exc:
        return str(exc)
    return None
