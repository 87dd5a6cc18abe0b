"""Ctrl-C during a grading ends the learner's tree, shows what ran, and exits 130."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import docker_problem
from crack.harness import proctree

PROGRAMS = Path(__file__).parent / "programs"

HANG_TESTER = """
from crack.tester import Tester
tester = Tester("fake")

@tester.stage("quick")
def quick(h):
    pass

@tester.stage("hang")
def hang(h):
    port = h.free_port()
    h.start_server(["--port", str(port)], port)
    h.log("connected; now waiting for an answer that never comes")
    conn = h.connect(port)
    conn.read_until(b"\\n", timeout=60)
"""


def _buffered_env() -> dict[str, str]:
    """A learner's environment: Python block-buffers output to a pipe unless crack flushes."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}


def test_log_lines_reach_a_pipe_while_the_grading_runs(
    fake_challenges: Callable[..., Path], tmp_path: Path
) -> None:
    """`crack test | tee`, a CI log, a parent process: each log line arrives when it is
    written, not when crack exits."""
    shutil.copy(PROGRAMS / "mute.py", tmp_path / "mute.py")
    fake_challenges("fake", [{"slug": "quick"}, {"slug": "hang", "timeout": 120}], HANG_TESTER)
    started = time.monotonic()
    crack = subprocess.Popen(
        [*CRACK_TEST, "--run", f"{sys.executable} {tmp_path / 'mute.py'}"],
        cwd=tmp_path,
        env=_buffered_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert crack.stdout is not None
    for line in crack.stdout:
        if "now waiting for an answer" in line:
            break
    # Held back, the line would come only when the stage times out (120 s) and crack's
    # output is flushed on its way out.
    waited = time.monotonic() - started
    crack.send_signal(signal.SIGINT)
    crack.stdout.read()
    assert crack.wait(timeout=20) == 130
    assert waited < 100, f"the line came after {waited:.0f} s"


def _program_pid(marker: str) -> int:
    """The pid of the learner's program, wherever its isolation put it (a container's
    processes are not crack's descendants, but the machine's /proc lists them)."""
    for pid in proctree.snapshot():
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if marker in cmdline and "mute.py" in cmdline:
            return pid
    raise AssertionError("the program is not running")


@pytest.mark.parametrize("isolation", ["none", "namespace", "docker"])
def test_ctrl_c_kills_the_tree_and_exits_130(
    fake_challenges: Callable[..., Path], tmp_path: Path, isolation: str
) -> None:
    if isolation == "docker" and (problem := docker_problem()) is not None:
        pytest.skip(f"no docker engine: {problem}")
    shutil.copy(PROGRAMS / "mute.py", tmp_path / "mute.py")
    fake_challenges(
        "fake",
        [{"slug": "quick"}, {"slug": "hang", "timeout": 60}, {"slug": "later"}],
        HANG_TESTER + '\n@tester.stage("later")\ndef later(h): pass\n',
    )
    crack = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "crack",
            "test",
            "--challenge",
            "fake",
            "--all",
            "--run",
            f"{sys.executable} {tmp_path / 'mute.py'}",
            "--isolation",
            isolation,
        ],
        cwd=tmp_path,
        env=_buffered_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert crack.stdout is not None
    program = None
    deadline = time.monotonic() + 20
    for line in crack.stdout:
        if "now waiting for an answer" in line:
            program = _program_pid(str(tmp_path))
            break
        assert time.monotonic() < deadline
    assert program is not None
    crack.send_signal(signal.SIGINT)
    rest = crack.stdout.read()
    assert crack.wait(timeout=10) == 130
    assert "Interrupted: your program was stopped." in rest
    assert "✓  1. quick" in rest and "·  2. hang" in rest
    leftover = [p for p in Path("/sys/fs/cgroup").glob("*/crack-run-*") if str(crack.pid) in p.name]
    assert not leftover, f"cgroups left behind: {leftover}"
    assert (
        not Path(f"/proc/{program}").exists()
        or "Z" in Path(f"/proc/{program}/stat").read_text().split(")")[-1][:3]
    )


BURN = "while True: pass\n"
CRACK_TEST = [sys.executable, "-m", "crack", "test", "--challenge", "fake", "--all"]


@pytest.fixture(scope="module")
def load() -> Iterator[None]:
    """Two busy processes for the duration of the tests: Ctrl-C must hold under load."""
    burners = [subprocess.Popen([sys.executable, "-c", BURN]) for _ in range(2)]
    yield
    for burner in burners:
        burner.kill()
        burner.wait()


def _alive_with(marker: str) -> list[int]:
    alive = []
    for pid in proctree.snapshot():
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker in cmdline and "mute.py" in cmdline and state != "Z":
            alive.append(pid)
    return alive


@pytest.mark.parametrize("count", [1, 2, 5])
@pytest.mark.parametrize("delay", [0.0, 0.05, 0.2, 0.5, 1.0, 2.0])
def test_any_number_of_sigints_at_any_moment(
    fake_challenges: Callable[..., Path], tmp_path: Path, load: None, delay: float, count: int
) -> None:
    """Ctrl-C pressed ``count`` times, 30 ms apart, ``delay`` s after crack's first line
    (while it starts the program, grades, waits on it, tears down): exit 130, no
    traceback, nothing left. (Before crack's first line of code runs, Python's own start-up
    owns SIGINT.)"""
    shutil.copy(PROGRAMS / "mute.py", tmp_path / "mute.py")
    fake_challenges(
        "fake",
        [{"slug": "quick"}, {"slug": "hang", "timeout": 60}, {"slug": "later"}],
        HANG_TESTER + '\n@tester.stage("later")\ndef later(h): pass\n',
    )
    crack = subprocess.Popen(
        [*CRACK_TEST, "--run", f"{sys.executable} {tmp_path / 'mute.py'}"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert crack.stdout is not None
    first = crack.stdout.readline()
    time.sleep(delay)
    for _ in range(count):
        crack.send_signal(signal.SIGINT)
        time.sleep(0.03)
    rest, _ = crack.communicate(timeout=30)
    output = first + rest
    assert crack.returncode == 130, output
    assert "Traceback" not in output, output
    assert _alive_with(str(tmp_path)) == [], output
