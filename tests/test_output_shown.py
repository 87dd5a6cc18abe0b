"""What a learner's program prints reaches messages, logs, reports and the terminal bounded
and escaped: a program printing 10 MB of binary makes a short failure, a small report, and
never a raw control byte on the learner's terminal."""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import Result

from conftest import run_cli
from crack.harness.bytes_display import bounded, printable
from crack.harness.log import SessionLog

TEN_MB = 10 * 1024 * 1024

BINARY_FLOOD = f"""\
import random, sys
out = sys.stdout.buffer
out.write(b"\\x1b[2J\\x1b[31mred\\x07\\rover\\x08\\x9b\\xc2\\x9b\\n")
rng = random.Random(7)
for _ in range({TEN_MB} // 65536):
    out.write(rng.randbytes(65536))
out.flush()
"""


def _controls(text: str) -> list[str]:
    """The control characters a terminal would act on (layout's newline and tab aside)."""
    return sorted({repr(ch) for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\t"})


def _grade(tmp_path: Path, challenge: str, run: str, *extra: str) -> tuple[Result, dict[str, Any], int]:
    report = tmp_path / "report.json"
    result = run_cli(
        ["test", "--challenge", challenge, "--run", run, "--format", "json", "--output", str(report), *extra],
        cwd=tmp_path,
    )
    return result, json.loads(report.read_text()), report.stat().st_size


def test_a_grep_printing_10_mb_of_binary_gets_a_short_failure(tmp_path: Path) -> None:
    program = tmp_path / "flood.py"
    program.write_text(BINARY_FLOOD)
    result, report, size = _grade(
        tmp_path, "grep", f"{sys.executable} {program}", "--stage", "literal-character"
    )
    assert result.exit_code == 1
    stage = report["stages"][0]
    assert stage["status"] == "failed"
    assert len(stage["message"]) < 10_000, len(stage["message"])
    assert "expected this output:" in stage["message"]
    assert "got more than 4,194,304 bytes; its first 5 lines:" in stage["message"]
    assert size < 50_000, size
    assert len(result.output) < 20_000, len(result.output)
    assert _controls(result.output) == []


SERVER_FLOOD_TESTER = """
from crack.tester import Tester
tester = Tester("fake")

@tester.stage("serve")
def serve(h):
    for _ in range(4):
        port = h.free_port()
        h.start_server(["--port", str(port)], port)
"""


def test_a_server_printing_binary_leaves_the_terminal_alone(
    fake_challenges: Callable[..., Path], tmp_path: Path
) -> None:
    """Printed, then exited before listening: the log and the "last output" of the failure
    both quote it, escaped and bounded."""
    fake_challenges("fake", [{"slug": "serve"}], SERVER_FLOOD_TESTER)
    program = tmp_path / "flood.py"
    program.write_text(BINARY_FLOOD + "sys.exit(1)\n")
    result, report, size = _grade(tmp_path, "fake", f"{sys.executable} {program}")
    assert result.exit_code == 1
    stage = report["stages"][0]
    assert "exited with code 1 before it accepted connections" in stage["message"]
    assert len(stage["message"]) < 12_000
    assert "\\x1b[2J\\x1b[31mred\\x07" in stage["log"]
    assert _controls(stage["log"]) == [] and _controls(stage["message"]) == []
    assert size < 150_000, size
    assert _controls(result.output) == []


RESTARTS_TESTER = """
import socket
from crack.tester import Tester
tester = Tester("fake")

@tester.stage("serve")
def serve(h):
    for _ in range(6):
        port = h.free_port()
        process = h.start_server(["--port", str(port)], port)
        process.stop()
"""

LOUD_SERVER = """\
import socket, sys
port = int(sys.argv[sys.argv.index("--port") + 1])
for i in range(2000):
    print(f"log line {i} " + "y" * 40)
sys.stdout.flush()
server = socket.create_server(("127.0.0.1", port))
server.accept()
"""


def test_a_stage_keeps_a_bounded_share_of_the_output_of_every_start(
    fake_challenges: Callable[..., Path], tmp_path: Path
) -> None:
    """Each start of the program is cut at 30,000 bytes; six starts are cut together."""
    fake_challenges("fake", [{"slug": "serve"}], RESTARTS_TESTER)
    program = tmp_path / "loud.py"
    program.write_text(LOUD_SERVER)
    result, report, _ = _grade(tmp_path, "fake", f"{sys.executable} {program}")
    assert result.exit_code == 0, report
    log = report["stages"][0]["log"]
    label = "[your_program] "
    kept = [line[len(label) :] for line in log.splitlines() if line.startswith(label)]
    assert 50_000 < sum(len(line) + 1 for line in kept) <= 60_000
    assert "your program's output in this stage is cut after 60,000 characters" in log
    assert log.count("is cut after") == 1


QUOTING_TESTER = """
from crack.tester import Tester
tester = Tester("fake")

@tester.stage("quote")
def quote(h):
    h.log("received " + "\\x1b[2J" * 3 + "z" * 10_000)
    h.fail("expected nothing, got " + "\\x1b]0;title\\x07" + "x" * 5_000_000, hint="\\x1b[31m" * 2)
"""


def test_a_testers_message_quoting_a_flood_is_cut_and_escaped(
    fake_challenges: Callable[..., Path], tmp_path: Path
) -> None:
    fake_challenges("fake", [{"slug": "quote"}], QUOTING_TESTER)
    result, report, size = _grade(tmp_path, "fake", "true")
    message = report["stages"][0]["message"]
    assert message.startswith("expected nothing, got \\x1b]0;title\\x07xxx")
    assert "(the message is cut here: 5,000,032 characters in all)" in message
    assert "Hint: \\x1b[31m\\x1b[31m" in message
    assert len(message) < 11_000
    log = report["stages"][0]["log"]
    assert "received \\x1b[2J\\x1b[2J\\x1b[2Jzzz" in log
    assert "(this line is cut here: 10,021 characters in all)" in log
    assert size < 30_000
    assert _controls(result.output) == []


def test_printable_escapes_controls_and_keeps_text() -> None:
    text = "héllo\tworld\n\ufffd\x1b[0m\r\x00\x7f\x85"
    assert printable(text) == "héllo\tworld\n\ufffd\\x1b[0m\\r\\x00\\x7f\\u0085"
    assert bounded("abc", 3, "x") == "abc"
    assert bounded("a\x1bcd", 2, "the line") == "a\\x1b… (the line is cut here: 4 characters in all)"


def test_session_log_lines_are_printable() -> None:
    seen: list[str] = []
    log = SessionLog("stage", sink=lambda line: seen.append(line.text))
    log.program("\x1b[31mred\x1b[0m")
    assert seen == ["\\x1b[31mred\\x1b[0m"]


HANGS_UP_THEN_EXITS = """\
import socket, sys, time
port = int(sys.argv[sys.argv.index("--port") + 1])
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", port))
server.listen()
conn, _ = server.accept()
conn.recv(1024)
conn.close()
print("closing down", flush=True)
time.sleep(0.1)  # a little work after the hang-up (flushing, closing files) before it ends
"""


def test_a_program_that_hangs_up_then_exits_is_said_to_have_exited(tmp_path: Path) -> None:
    """The note that the program ended is there every time, not only when the failure was
    written after the exit: the same program gets the same message whatever the load."""
    program = tmp_path / "hangs_up.py"
    program.write_text(HANGS_UP_THEN_EXITS)
    result, report, _ = _grade(tmp_path, "redis", f"{sys.executable} {program}", "--stage", "ping")
    assert result.exit_code == 1
    message = report["stages"][0]["message"]
    assert "your program closed the connection" in message, message
    assert "Note: your program exited with code 0 during this stage" in message, message
    assert "closing down" in message
