"""The harness and runner against real processes: trees ended, output capped, time kept."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import grade_json, statuses

PROGRAMS = Path(__file__).parent / "programs"

SERVER_TESTER = """
from crack.tester import Tester
tester = Tester("fake")

@tester.stage("serve")
def serve(h):
    port = h.free_port()
    h.start_server(["--port", str(port)], port)
    h.log("it listens")
"""


def _grade(tmp_path: Path, program: str, **env: str) -> tuple[int, dict[str, Any]]:
    # crack passes only an allow-list of its own environment on: set the program's in its command.
    settings = [f"{name}={value}" for name, value in env.items()]
    run = " ".join([*(["env", *settings] if env else []), sys.executable, str(PROGRAMS / program)])
    return grade_json(tmp_path, challenge="fake", run=run)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_daemon_that_left_the_session_is_ended(
    fake_challenges: Callable[..., Path], tmp_path: Path, no_leftovers: None
) -> None:
    fake_challenges("fake", [{"slug": "serve"}], SERVER_TESTER)
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)  # the program may run as an unprivileged user (crack as root)
    pidfile = shared / "daemon.pid"
    code, report = _grade(tmp_path, "daemonizer.py", DAEMON_PIDFILE=str(pidfile))
    assert code == 0, report
    daemon = int(pidfile.read_text())
    assert not _alive(daemon), "the double-forked daemon outlived the grading"


def test_output_is_capped_with_a_notice(fake_challenges: Callable[..., Path], tmp_path: Path) -> None:
    fake_challenges("fake", [{"slug": "serve"}], SERVER_TESTER)
    code, report = _grade(tmp_path, "flood.py")
    assert code == 0
    log = report["stages"][0]["log"]
    assert "output truncated after 30,000 bytes" in log
    assert len(log) < 40_000


def test_program_that_exits_early_is_explained(fake_challenges: Callable[..., Path], tmp_path: Path) -> None:
    fake_challenges("fake", [{"slug": "serve"}], SERVER_TESTER)
    code, report = _grade(tmp_path, "exits.py")
    assert code == 1
    message = report["stages"][0]["message"]
    assert "your program exited with code 3 before it accepted connections on port" in message
    assert "starting up... oops" in message


def test_wrong_port_fails_at_once_naming_it(fake_challenges: Callable[..., Path], tmp_path: Path) -> None:
    """The program listens, on another port: crack says so without waiting out the stage."""
    fake_challenges("fake", [{"slug": "serve", "timeout": 20}], SERVER_TESTER)
    from crack.harness.net import free_port

    wrong = free_port()
    code, report = _grade(tmp_path, "wrong_port.py", WRONG_PORT=str(wrong))
    assert code == 1
    stage = report["stages"][0]
    assert f"your program listens on port {wrong}, not on port " in stage["message"]
    assert "read it from its arguments instead of using a fixed port" in stage["message"]
    assert stage["duration_s"] < 10, stage["duration_s"]


TWO_PORTS_TESTER = """
from crack.tester import Tester
tester = Tester("fake")

@tester.stage("serve")
def serve(h):
    admin, port = h.free_port(), h.free_port()
    h.start_server(["--admin", str(admin), "--port", str(port)], port)
"""

ADMIN_FIRST = """\
import socket, sys, time
admin = socket.create_server(("127.0.0.1", int(sys.argv[sys.argv.index("--admin") + 1])))
time.sleep(1.5)
server = socket.create_server(("127.0.0.1", int(sys.argv[sys.argv.index("--port") + 1])))
server.accept()
"""


def test_a_port_the_tester_handed_out_is_not_elsewhere(
    fake_challenges: Callable[..., Path], tmp_path: Path
) -> None:
    """Listening first on another port the stage gave the program is no mistake."""
    fake_challenges("fake", [{"slug": "serve"}], TWO_PORTS_TESTER)
    (tmp_path / "admin_first.py").write_text(ADMIN_FIRST)
    code, report = grade_json(tmp_path, challenge="fake", run=f"{sys.executable} admin_first.py")
    assert code == 0, report


HANG_TESTER = """
from crack.tester import Tester
tester = Tester("fake")

@tester.stage("hang")
def hang(h):
    port = h.free_port()
    h.start_server(["--port", str(port)], port)
    conn = h.connect(port)
    conn.send(b"hello?")
    conn.read_until(b"\\n", timeout=60)

@tester.stage("after")
def after(h):
    pass
"""


def test_stage_timeout_ends_a_program_that_ignores_sigterm(
    fake_challenges: Callable[..., Path], tmp_path: Path, no_leftovers: None
) -> None:
    fake_challenges("fake", [{"slug": "hang", "timeout": 1}, {"slug": "after"}], HANG_TESTER)
    started = time.monotonic()
    code, report = _grade(tmp_path, "mute.py")
    elapsed = time.monotonic() - started
    assert code == 1
    assert statuses(report) == {"hang": "timed_out", "after": "skipped"}
    assert report["stages"][0]["message"].startswith("timed out after 1 s")
    assert elapsed < 6, f"a 1 s stage took {elapsed:.1f} s to end"


BROKEN_TESTER = """
from crack.tester import Tester
tester = Tester("fake")

@tester.stage("oops")
def oops(h):
    h.log("about to divide")
    1 / 0
"""


def test_tester_bug_is_labelled_ours_with_exit_3(
    fake_challenges: Callable[..., Path], tmp_path: Path, crack: Callable[..., Any]
) -> None:
    fake_challenges("fake", [{"slug": "oops"}], BROKEN_TESTER)
    code, report = grade_json(tmp_path, challenge="fake", run="true")
    assert code == 3
    stage = report["stages"][0]
    assert stage["status"] == "error"
    assert "internal error in crack's tester (not your fault): ZeroDivisionError" in stage["message"]
    assert "Traceback" in stage["log"] and "[crack internal error]" in stage["log"]


IO_TESTER = """
from crack.tester import Tester
tester = Tester("fake")

@tester.stage("udp")
def udp(h):
    port = h.free_port()
    h.start_program(["--port", str(port)])
    h.sleep(0.3)
    client = h.udp(port)
    client.send(b"hello")
    if client.receive() != b"HELLO":
        h.fail("wrong datagram")

@tester.stage("oneshot")
def oneshot(h):
    result = h.run(["7"], stdin=b"abc")
    if (result.returncode, result.stdout) != (7, b"cba"):
        h.fail(f"got {result!r}")
    slow = h.run(["sleep"], timeout=0.5)
    if not slow.timed_out or slow.returncode is not None:
        h.fail(f"a sleeping program should have timed out: {slow!r}")

@tester.stage("interactive")
def interactive(h):
    child = h.spawn_interactive([])
    child.expect_exact("> ")
    child.sendline("ping")
    child.expect_exact("you said ping")
    child.sendline("quit")
    child.expect(__import__("pexpect").EOF)
"""


@pytest.mark.parametrize(
    ("stage", "program"), [("udp", "udp_echo.py"), ("oneshot", "repl.py"), ("interactive", "repl.py")]
)
def test_udp_oneshot_and_interactive(
    fake_challenges: Callable[..., Path], tmp_path: Path, stage: str, program: str, no_leftovers: None
) -> None:
    fake_challenges("fake", [{"slug": "udp"}, {"slug": "oneshot"}, {"slug": "interactive"}], IO_TESTER)
    code, report = grade_json(
        tmp_path, "--stage", stage, challenge="fake", run=f"{sys.executable} {PROGRAMS / program}"
    )
    assert code == 0, report["stages"][0]["message"]


def test_logical_clock_is_seeded_and_only_moves_forward() -> None:
    import random

    from crack.harness import LogicalClock

    first, again = LogicalClock(random.Random("7:ttl")), LogicalClock(random.Random("7:ttl"))
    assert first.now_ms == again.now_ms >= 1_700_000_000_000
    assert first.advance(1_500) == first.start_ms + 1_500
    assert first.describe().endswith("(+1,500 ms)")
    with pytest.raises(ValueError):
        first.advance(-1)
    with pytest.raises(ValueError):
        first.set(first.now_ms - 1)
