"""Waiting for a child of crack's: an exit is seen when it happens, a live child is not
collected, and a child that ignores SIGTERM still ends in the SIGKILL round."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from crack.containment import cgroups
from crack.containment.sandbox import Containment, Limits
from crack.harness import proctree
from crack.harness.oneshot import run_capped


def test_wait_exit_returns_when_the_child_exits_and_collects_it() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.2); raise SystemExit(7)"])
    started = time.monotonic()
    assert proctree.wait_exit(child, 60.0)
    assert time.monotonic() - started < 60.0, "it returned at the exit, not at the timeout"
    assert child.returncode == 7


def test_wait_exit_leaves_a_running_child_alone() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert not proctree.wait_exit(child, 0.05)
        assert child.returncode is None
        assert proctree.wait_exit(child, 0.0) is False
    finally:
        child.kill()
        child.wait()


def test_wait_exit_of_a_child_already_collected() -> None:
    child = subprocess.Popen(["/bin/true"])
    child.wait()
    assert proctree.wait_exit(child, 1.0)


def test_a_cancellable_run_reports_the_exit_code_and_output() -> None:
    result = run_capped(
        [sys.executable, "-c", "import sys; sys.stdout.write(sys.stdin.read().upper()); sys.exit(3)"],
        cwd=os.getcwd(),
        env=dict(os.environ),
        stdin=b"abc",
        timeout=60.0,
        cancel=threading.Event(),
    )
    assert (result.returncode, result.stdout, result.timed_out) == (3, b"ABC", False)


def test_a_cancelled_run_is_ended() -> None:
    cancel = threading.Event()
    threading.Timer(0.2, cancel.set).start()
    result = run_capped(
        [sys.executable, "-c", "import time; time.sleep(60)"],
        cwd=os.getcwd(),
        env=dict(os.environ),
        stdin=b"",
        timeout=60.0,
        cancel=cancel,
    )
    assert result.timed_out and result.returncode is None
    assert result.duration_s < 60.0


def test_kill_tree_ends_a_leader_that_ignores_sigterm() -> None:
    code = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "print(1, flush=True); time.sleep(60)"
    )
    leader = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, start_new_session=True)
    assert leader.stdout is not None and leader.stdout.readline() == b"1\n"
    ended = proctree.kill_tree({leader.pid}, grace=0.1, leader=leader)
    assert leader.pid in ended
    assert leader.wait(timeout=10) == -9


DAEMON = (
    "import os, sys, time\n"
    "if os.fork() == 0:\n"
    "    os.setsid()\n"
    "    if os.fork() == 0:\n"
    "        open(sys.argv[1], 'w').write(str(os.getpid()))\n"
    "        time.sleep(60)\n"
    "    os._exit(0)\n"
    "time.sleep(0.3)\n"
)


@pytest.mark.parametrize("contained", [False, True], ids=["bare", "contained"])
def test_a_run_that_exits_at_once_still_loses_the_daemon_it_left(tmp_path: Path, contained: bool) -> None:
    """The program exits by itself, but a double-forked daemon of its runs on: the run is
    not over until that one is ended too, with a cgroup or without."""
    containment = None
    if contained:
        if cgroups.detect() is None:
            pytest.skip("needs root and writable cgroups")
        containment = Containment(Limits(), None)
    pidfile = tmp_path / "daemon.pid"
    result = run_capped(
        [sys.executable, "-c", DAEMON, str(pidfile)],
        cwd=str(tmp_path),
        env=dict(os.environ),
        stdin=b"",
        timeout=60.0,
        containment=containment,
    )
    assert result.returncode == 0
    daemon = int(pidfile.read_text())
    deadline = time.monotonic() + 10
    while (info := proctree._read_stat(daemon)) is not None and info.state != "Z":
        assert time.monotonic() < deadline, "the daemon outlived its run"
        time.sleep(0.01)
