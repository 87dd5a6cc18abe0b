"""Hostile programs under every isolation mode: each grading ends in time, says why in
plain words, leaves no process behind, and the next grading works.

The docker mode needs an engine (``scripts/docker-engine.sh``, which ``.ci/run`` starts,
with DOCKER_HOST pointing at it) and the base image; without them its cases skip with the
reason printed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import docker_problem
from crack.containment import cgroups
from crack.containment.sandbox import default_user
from crack.harness import proctree
from hostile import (
    CASES,
    ESCAPE,
    STAGE_TIMEOUT,
    Case,
    OutsideListener,
    grade,
    make_challenge,
    program_dir,
    run_command,
)

MODES = ["none", "namespace", "docker"]
VERDICT_SLACK_S = 6.0
"""Time to verdict allowed past the stage timeout: teardown, SIGKILL after the grace, and
in the docker mode the container's start (the image is built before the clock starts)."""


@pytest.fixture(scope="module")
def docker_ready() -> str | None:
    return docker_problem()


@pytest.fixture
def hostile_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "challenges"
    make_challenge(root)
    monkeypatch.setenv("CRACK_CHALLENGE_PATH", str(root))
    return tmp_path


def _ours_left(before: set[int]) -> set[int]:
    deadline = time.monotonic() + 3
    while True:
        procs = proctree.snapshot()
        mine = proctree.descendants({os.getpid()}, procs) - {os.getpid()}
        left = {p for p in mine if p not in before and procs[p].state != "Z"}
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


def _expected(case: Case, mode: str) -> tuple[str, tuple[str, ...]]:
    says = case.says
    if case.program == "memory_bomb" and mode != "docker" and cgroups.detect() is not None:
        says = ("was killed for using more than its memory limit of 256 MB",)  # the cgroup's OOM kill
    if case.program == "reaches_outside" and mode == "none":
        says = ("reached ('127.0.0.1'",)  # none keeps the machine's network
    if case.program == "writes_outside" and mode == "none" and default_user() is None:
        says = ()  # not root: the program runs as the learner, who may write there
    return case.status, says


@pytest.fixture
def clean_escape() -> Iterator[None]:
    ESCAPE.unlink(missing_ok=True)
    yield
    ESCAPE.unlink(missing_ok=True)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", CASES, ids=[c.program for c in CASES])
def test_hostile_program(
    case: Case, mode: str, hostile_env: Path, docker_ready: str | None, clean_escape: None
) -> None:
    if mode == "docker" and docker_ready is not None:
        pytest.skip(f"no docker engine: {docker_ready}")
    outside = hostile_env / "outside"
    outside.mkdir(mode=0o755)
    listener = OutsideListener()
    folder = program_dir(hostile_env / "programs", case)
    before = set(proctree.snapshot())
    try:
        outcome = grade(folder, run_command(case, folder, outside, listener.port), mode, stage="serve")
        reached = listener.reached()
    finally:
        listener.close()
    status, says = _expected(case, mode)
    first = outcome.first
    if case.program == "fork_bomb":
        # Whether the tester's wait ends before the stage's deadline depends on how hard the
        # bomb starves the machine; the cause must be named either way.
        assert first["status"] in ("failed", "timed_out"), outcome.text()
    else:
        assert first["status"] == status, outcome.text()
    for words in says:
        assert words in outcome.text(), f"{words!r} not in:\n{outcome.text()}"
    assert "Traceback" not in first["message"]
    assert outcome.seconds < STAGE_TIMEOUT + VERDICT_SLACK_S, f"verdict took {outcome.seconds:.1f} s"
    assert not _ours_left(before), "a process of the program outlived its grading"
    if case.program == "reaches_outside" and mode != "none":
        assert not reached, "the program reached the machine's loopback from inside the isolation"
    if case.program == "writes_outside":
        if default_user() is not None or mode != "none":
            assert not (outside / "escaped.txt").exists(), "it wrote outside its working copy"
        if mode != "none":
            assert not ESCAPE.exists(), "it wrote in the machine's /tmp from inside the isolation"
    # The next grading, of a well-behaved program, works.
    good = program_dir(hostile_env / "good", Case("ignores_sigterm", "passed", ()))
    after = grade(good, run_command(Case("ignores_sigterm", "passed", ()), good, outside, 0), mode)
    assert [s["status"] for s in after.report["stages"]] == ["passed", "passed"], after.text()
    assert after.report["isolation"] == mode


def test_namespace_gradings_do_not_share_ports(hostile_env: Path) -> None:
    """A port taken on the machine is free inside a namespace grading."""
    import socket

    taken = socket.create_server(("127.0.0.1", 0))
    try:
        port = taken.getsockname()[1]
        folder = hostile_env / "fixed"
        folder.mkdir()
        (folder / "fixed.py").write_text(
            "import socket\n"
            f"socket.create_server(('127.0.0.1', {port}))\n"
            "print('bound the port the machine already uses', flush=True)\n"
        )
        import sys

        outcome = grade(folder, f"{sys.executable} fixed.py", "namespace", stage="serve")
        assert "bound the port the machine already uses" in outcome.text()
        none = grade(folder, f"{sys.executable} fixed.py", "none", stage="serve")
        assert "Address already in use" in none.text()
    finally:
        taken.close()


def test_environment_is_reduced_to_the_allow_list(hostile_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setenv("CI_SECRET_TOKEN", "hunter2")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    folder = hostile_env / "env"
    folder.mkdir()
    (folder / "env.py").write_text(
        "import os\nfor k in sorted(os.environ): print('env', k, flush=True)\nraise SystemExit(4)\n"
    )
    outcome = grade(folder, f"{sys.executable} env.py", "none", stage="serve")
    text = outcome.text()
    assert "env PATH" in text and "env LC_ALL" in text
    assert "CI_SECRET_TOKEN" not in text


@pytest.mark.parametrize("mode", ["none", "namespace"])
def test_whole_run_timeout_stops_the_run(
    hostile_env: Path, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    """A run limit shorter than the stage: the stage gets only what is left of it."""
    import json
    import sys

    from click.testing import CliRunner

    from crack.cli import cli

    folder = program_dir(hostile_env / "programs", Case("hangs_before_bind", "failed", ()))
    out = folder / "r.json"
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(
        cli,
        [
            *["test", "--challenge", "hostile", "--run", f"{sys.executable} hangs_before_bind.py", "--all"],
            *["--run-timeout", "2", "--format", "json", "--output", str(out), "--isolation", mode],
        ],
    )
    report = json.loads(out.read_text())
    first = report["stages"][0]
    assert result.exit_code == 1
    assert [s["status"] for s in report["stages"]] == ["failed", "skipped"]
    assert report["stages"][1]["message"] == "not run: an earlier stage did not pass"
    assert first["duration_s"] < STAGE_TIMEOUT - 1, "the stage ran its own timeout, not what the run had left"
    assert "The whole run's time limit leaves this stage" in first["log"]


FLIP_FLOP = """\
import sys
from pathlib import Path

from _serve import port, serve
import socket, threading

counter = Path(sys.argv[1])
runs = int(counter.read_text()) if counter.exists() else 0
counter.write_text(str(runs + 1))
if runs % 2:
    socket.create_server(("127.0.0.1", port() + 1)).accept()  # every other run: the wrong port
serve()
"""


def test_repeat_flags_a_stage_whose_verdict_changes(
    hostile_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json
    import shutil
    import sys

    from click.testing import CliRunner

    from crack.cli import cli
    from hostile import HOSTILE

    folder = hostile_env / "flip"
    folder.mkdir()
    shutil.copy(HOSTILE / "_serve.py", folder / "_serve.py")
    (folder / "flip.py").write_text(FLIP_FLOP)
    shared = hostile_env / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # written by the program, which may run as an unprivileged user
    monkeypatch.chdir(folder)
    out = folder / "r.json"
    run = f"{sys.executable} flip.py {shared / 'count'}"
    args = ["test", "--challenge", "hostile", "--run", run, "--stage", "serve", "--format", "json"]
    result = CliRunner().invoke(cli, [*args, "--output", str(out), "--repeat", "4", "--seed", "5"])
    stage = json.loads(out.read_text())["stages"][0]
    assert result.exit_code == 1
    assert stage["status"] == "failed"
    assert "flaky" in stage["message"] and "passed 2 of 4" in stage["message"]
    assert "serve: " in result.output and "FLAKY" in result.output

    steady = f"{sys.executable} ignores_sigterm.py"
    shutil.copy(HOSTILE / "ignores_sigterm.py", folder / "ignores_sigterm.py")
    args[4] = steady
    result = CliRunner().invoke(cli, [*args, "--output", str(out), "--repeat", "3"])
    assert result.exit_code == 0, result.output
    assert "No stage changed its verdict." in result.output


def test_unavailable_isolation_says_how_to_fall_back(
    hostile_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from click.testing import CliRunner

    from crack.cli import cli

    monkeypatch.chdir(hostile_env)
    monkeypatch.setenv("DOCKER_HOST", f"unix://{hostile_env}/no-engine.sock")
    run = ["test", "--challenge", "hostile", "--run", f"{sys.executable} -c pass", "--isolation"]
    result = CliRunner().invoke(cli, [*run, "docker"])
    assert result.exit_code == 2
    assert "no Docker engine answers" in result.output and "scripts/docker-engine.sh" in result.output

    monkeypatch.setenv("PATH", str(hostile_env))  # no unshare to be found
    result = CliRunner().invoke(cli, [*run, "namespace"])
    assert result.exit_code == 2
    assert "unshare" in result.output and "--isolation none" in result.output
