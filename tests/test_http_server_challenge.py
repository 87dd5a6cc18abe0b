"""What the http-server challenge promises beyond the checks every challenge gets
(tests/test_challenges.py runs nginx, the reference and the scenarios through every stage)."""

from __future__ import annotations

import itertools
import re
import shutil
from pathlib import Path

import pytest

from crack.authoring.scenarios import SCENARIO_SEED, grade_silently, load_scenarios
from crack.authoring.solutions import materialize
from crack.challenge import load_challenge
from crack.grading import GradingPlan, grade
from crack.harness.process import ProgramSpec
from crack.report import StageStatus
from crack.reporters import NullReporter
from crack.tester import load_tester

HTTP = load_challenge("http-server")

LF_ONLY_SERVER = """\
import argparse
import socket

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int)
parser.add_argument("--directory")
args = parser.parse_args()
server = socket.create_server(("127.0.0.1", args.port), reuse_port=True)
while True:
    conn, _ = server.accept()
    data = b""
    while b"\\r\\n\\r\\n" not in data:
        data += conn.recv(4096)
    conn.sendall(b"HTTP/1.1 200 OK\\n\\n")
    conn.close()
"""


def test_http_server_has_the_stages_in_order() -> None:
    assert HTTP.stage_slugs == [
        "bind", "status-line", "routing", "echo", "user-agent", "concurrent-clients",
        "serve-files", "upload-files", "persistent-connections", "content-encoding", "gzip",
    ]  # fmt: skip


def test_oracle_is_nginx_through_the_adapter() -> None:
    assert HTTP.oracle is not None
    assert HTTP.oracle.requires == ["nginx"]
    assert HTTP.oracle.command_for(HTTP.directory).endswith("oracle/run.sh")


def test_starter_fails_the_first_stage_with_a_clear_message(tmp_path: Path) -> None:
    program = materialize(HTTP, "python", None, tmp_path / "starter")
    report = grade_silently(HTTP, program, until="bind")
    stage = report.stages[0]
    assert stage.status is StageStatus.FAILED
    assert "before it accepted connections on port" in stage.message
    assert "Logs from your program will appear here!" in stage.message


def test_lf_only_line_endings_fail_the_status_line_stage_with_a_hint(tmp_path: Path) -> None:
    program = tmp_path / "lf-only"
    program.mkdir()
    (program / "main.py").write_text(LF_ONLY_SERVER)
    report = grade_silently(HTTP, program, run="python3 -u main.py", until="status-line")
    bind, status_line = report.stages
    assert bind.status is StageStatus.PASSED
    assert status_line.status is StageStatus.FAILED
    assert 'this line ends with "\\n" alone, not "\\r\\n": "HTTP/1.1 200 OK\\n"' in status_line.message
    assert "GET / HTTP/1.1" in status_line.message  # the request that was sent is shown
    assert status_line.hint is not None and '"\\r\\n" (carriage return, line feed)' in status_line.hint


def test_missing_blank_line_is_named_in_the_hint() -> None:
    golden = (HTTP.directory / "scenarios" / "no-blank-line" / "expected_output.txt").read_text()
    assert "Hint: the headers end with an empty line" in golden


def _grade_stage(program: Path, slug: str) -> list[str]:
    challenge = HTTP
    stage = challenge.stages[challenge.index_of(slug)]
    plan = GradingPlan(
        challenge,
        load_tester(challenge),
        ProgramSpec.parse("./your_program.sh", program),
        [stage],
        SCENARIO_SEED,
    )
    report = grade(plan, NullReporter())
    assert report.stages[0].status is StageStatus.PASSED, report.stages[0].message
    return list(report.stages[0].log)


def test_gzip_bodies_are_decompressed_by_a_real_client(tmp_path: Path) -> None:
    program = materialize(HTTP, "python", "gzip", tmp_path / "reference")
    log = _grade_stage(program, "gzip")
    # On the raw socket the body is gzip data...
    assert any(re.search(r'client 1: < ".*Content-Encoding: gzip.*\\x1f\\x8b', line) for line in log)
    # ...and httpx, which asked for gzip, hands back the decompressed text.
    pairs = [
        (request, answer)
        for request, answer in itertools.pairwise(log)
        if request.startswith("[gzip] httpx: > GET /echo/")
        and re.search(r"Accept-Encoding: [^)]*\bgzip\b", request)
    ]
    assert len(pairs) == 2
    for request, answer in pairs:
        text = re.search(r"GET /echo/(\S+)", request)
        assert text is not None
        assert answer.endswith(f'200 OK, body "{text.group(1)}"'), answer


def test_a_body_that_is_not_gzip_fails_in_the_real_client(tmp_path: Path) -> None:
    """httpx's own decoder runs: a program that passes the raw checks by accident still fails."""
    program = materialize(HTTP, "python", "gzip", tmp_path / "program")
    main = program / "app" / "main.py"
    source = main.read_text()
    # Send gzip bodies to the raw socket only: httpx (User-Agent crack-httpx) gets a broken one.
    source = source.replace(
        "        body = gzip.compress(body, mtime=0)",
        "        body = gzip.compress(body, mtime=0)\n"
        "        if BROKEN.get():\n"
        "            body = body[:-8] + bytes(8)",
    )
    source = source.replace(
        "def route(request: Request, directory: str) -> bytes:\n",
        "def route(request: Request, directory: str) -> bytes:\n"
        '    BROKEN.set(request.headers.get(b"user-agent") == b"crack-httpx")\n',
    )
    source = source.replace(
        "from dataclasses import dataclass\n",
        "from contextvars import ContextVar\nfrom dataclasses import dataclass\n\n"
        'BROKEN: ContextVar[bool] = ContextVar("broken", default=False)\n',
    )
    main.write_text(source)
    report = grade_silently(HTTP, program, until="gzip")
    gzip_stage = report.stages[-1]
    assert [s.status for s in report.stages[:-1]] == [StageStatus.PASSED] * (len(report.stages) - 1)
    assert gzip_stage.status is StageStatus.FAILED
    assert "a real HTTP client (httpx) could not complete GET /echo/" in gzip_stage.message
    assert gzip_stage.hint is not None and "gzip" in gzip_stage.hint


def test_unusual_but_correct_programs_are_kept() -> None:
    passing = {s.name for s in load_scenarios(HTTP) if s.spec.fails_at is None}
    assert {"slow-start", "byte-at-a-time", "chunked-lowercase-headers", "asyncio-server"} <= passing


def test_small_pool_and_closing_server_fail_where_they_are_taught() -> None:
    fails_at = {s.name: s.spec.fails_at for s in load_scenarios(HTTP)}
    assert fails_at["small-thread-pool"] == "concurrent-clients"
    assert fails_at["closes-after-gzip-response"] == "gzip"


@pytest.mark.skipif(shutil.which("nginx") is None, reason="the oracle needs nginx")
def test_oracle_adapter_keeps_its_files_in_one_temp_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert HTTP.oracle is not None
    env_tmp = tmp_path / "tmp"
    env_tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(env_tmp))
    report = grade_silently(HTTP, tmp_path, run=HTTP.oracle.command_for(HTTP.directory), until="routing")
    assert all(s.status is StageStatus.PASSED for s in report.stages), [s.message for s in report.stages]
    made = sorted(p.name for p in env_tmp.iterdir() if p.name.startswith("crack-http-oracle."))
    assert made == [], made  # the adapter removes its folder when it is ended
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tmp"]  # nothing in its working folder
