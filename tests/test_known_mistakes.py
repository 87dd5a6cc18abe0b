"""Hints the harness gives in every challenge, whatever its tester says: a buffered writer
never flushed (the program runs, not one byte arrives) and debug output on the standard
output of a program that is run once per case."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import grade_json, run_cli
from crack.harness.hints import HINT_FLUSH, flush_hint, looks_like_logging, stderr_hint

MISTAKES = Path(__file__).parent / "programs" / "mistakes"
FLUSH_WORDS = "flush it after each reply"
STDERR_WORDS = "write logs and debug output to standard error"


def _hints(stage: dict[str, object]) -> list[str]:
    message = str(stage["message"])
    return [line[len("Hint: ") :] for line in message.splitlines() if line.startswith("Hint: ")]


@pytest.fixture(scope="module")
def unflushed_c(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("gcc") is None:
        pytest.skip("gcc is not installed")
    binary = tmp_path_factory.mktemp("c") / "unflushed_server"
    subprocess.run(["gcc", "-O1", "-o", str(binary), str(MISTAKES / "unflushed_server.c")], check=True)
    return binary


def test_a_c_server_that_never_flushes_stdio_is_told_to_flush(unflushed_c: Path, tmp_path: Path) -> None:
    code, report = grade_json(tmp_path, "--stage", "ping", run=f"{unflushed_c} redis")
    assert code == 1
    stage = report["stages"][0]
    assert "nothing" in stage["message"]
    assert HINT_FLUSH in _hints(stage)


def test_a_c_learner_is_told_of_c_buffers_alone(unflushed_c: Path, tmp_path: Path) -> None:
    """In a learner repository the hint names the learner's own language's writer, none
    of the six others."""
    assert run_cli(["start", "redis", "repo", "--lang", "c"], cwd=tmp_path).exit_code == 0
    repo = tmp_path / "repo"
    out = tmp_path / "report.json"
    report = ["--output", str(out), "--format", "json"]
    run_cli(["test", "--stage", "ping", "--run", f"{unflushed_c} redis", *report], cwd=repo)
    hints = _hints(json.loads(out.read_text())["stages"][0])
    assert flush_hint("c") in hints, hints
    assert "C's stdio FILE*" in flush_hint("c")
    for other in ("bufio.Writer", "BufWriter", "PrintWriter", "Python", "C++"):
        assert other not in flush_hint("c")
    assert HINT_FLUSH not in hints


def test_an_http_server_that_never_flushes_is_told_to_flush(unflushed_c: Path, tmp_path: Path) -> None:
    code, report = grade_json(
        tmp_path, "--stage", "status-line", challenge="http-server", run=f"{unflushed_c} http"
    )
    assert code == 1
    stage = report["stages"][0]
    assert "expected a response within 2 s, got nothing" in stage["message"]
    assert HINT_FLUSH in _hints(stage)


def test_a_python_server_writing_through_an_unflushed_file_is_told_to_flush(tmp_path: Path) -> None:
    run = f"{sys.executable} {MISTAKES / 'unflushed_server.py'} redis"
    code, report = grade_json(tmp_path, "--stage", "ping", run=run)
    assert code == 1
    hints = _hints(report["stages"][0])
    assert HINT_FLUSH in hints, hints


def test_no_flush_hint_for_a_server_that_never_reads(tmp_path: Path) -> None:
    """Accepting and never reading is not keeping a reply in a buffer."""
    run = f"{sys.executable} {MISTAKES.parent / 'hostile' / 'binds_never_answers.py'}"
    code, report = grade_json(tmp_path, "--stage", "ping", run=run)
    assert code == 1
    stage = report["stages"][0]
    assert "got nothing" in stage["message"]
    assert HINT_FLUSH not in _hints(stage)


SECOND_CLIENT_TESTER = """
from crack.tester import Tester
tester = Tester("fake")

@tester.stage("two-clients")
def two_clients(h):
    port = h.free_port()
    h.start_server(["--port", str(port)], port)
    first = h.connect(port)
    first.send(b"ping\\n")
    first.read_until(b"\\n")
    second = h.connect(port)
    second.send(b"ping\\n")
    second.read_until(b"\\n", timeout=0.5)
"""

ONE_CLIENT_SERVER = """\
import socket, sys, time
server = socket.create_server(("127.0.0.1", int(sys.argv[sys.argv.index("--port") + 1])))
conn = server.accept()[0]
conn.recv(100)
conn.sendall(b"pong\\n")
time.sleep(60)
"""


def test_no_flush_hint_once_the_program_has_sent_something(
    fake_challenges: Callable[..., Path], tmp_path: Path
) -> None:
    """A program that answered the first client does flush: its silence to the second is
    something else (here, one client at a time)."""
    fake_challenges("fake", [{"slug": "two-clients"}], SECOND_CLIENT_TESTER)
    program = tmp_path / "one_client.py"
    program.write_text(ONE_CLIENT_SERVER)
    code, report = grade_json(tmp_path, challenge="fake", run=f"{sys.executable} {program}")
    assert code == 1
    stage = report["stages"][0]
    assert "client 2: expected a reply within 0.5 s, got nothing" in stage["message"]
    assert not any(FLUSH_WORDS in hint for hint in _hints(stage))


def test_a_grep_printing_debug_lines_on_stdout_is_told_to_use_stderr(tmp_path: Path) -> None:
    run = f"{sys.executable} {MISTAKES / 'debug_grep.py'}"
    code, report = grade_json(tmp_path, "--stage", "literal-character", challenge="grep", run=run)
    assert code == 1
    stage = report["stages"][0]
    hints = _hints(stage)
    assert any(STDERR_WORDS in hint and "DEBUG: pattern=" in hint for hint in hints), hints
    assert "output differs" in stage["message"]


def test_a_wrong_grep_without_logging_gets_no_stderr_hint(tmp_path: Path) -> None:
    program = tmp_path / "wrong.py"
    program.write_text("import sys\nsys.stdout.write(sys.stdin.read())\n")
    run = f"{sys.executable} {program}"
    code, report = grade_json(tmp_path, "--stage", "literal-character", challenge="grep", run=run)
    assert code == 1
    assert not any(STDERR_WORDS in hint for hint in _hints(report["stages"][0]))


@pytest.mark.parametrize(
    ("line", "logging"),
    [
        (b"DEBUG: x=1", True),
        (b"[debug] parsed", True),
        (b"debug tokens=[1, 2]", True),
        (b"INFO: listening", True),
        (b"[info] reading", True),
        (b"log: step 3", True),
        (b"# debug", True),
        (b"info about apples", False),
        (b"logging in", False),
        (b"Debugging is fun", False),
        (b"apple", False),
        (b"3|Granny Smith", False),
    ],
)
def test_what_looks_like_logging(line: bytes, logging: bool) -> None:
    assert looks_like_logging(line) is logging


def test_lines_of_the_input_never_count_as_logging() -> None:
    assert stderr_hint(b"log: a\n", given=b"x\nlog: a\ny\n") is None
    hint = stderr_hint(b"log: a\nDEBUG: b\n", given=b"log: a\n")
    assert hint is not None and '"DEBUG: b"' in hint
