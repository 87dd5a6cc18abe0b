"""Tests of the url-shortener challenge beyond those every challenge gets (tests/test_challenges.py)."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from crack.authoring.scenarios import SCENARIO_SEED, grade_silently, load_scenarios
from crack.authoring.solutions import materialize
from crack.challenge import load_challenge
from crack.grading import GradingPlan, grade
from crack.harness import ProgramSpec, StageFailure
from crack.harness.http_api import Reply
from crack.report import StageResult, StageStatus
from crack.reporters import NullReporter
from crack.tester import load_tester

CHALLENGE = load_challenge("url-shortener")
PORT = 40123


def _module(name: str) -> ModuleType:
    load_tester(CHALLENGE)  # imports the tester package and its modules
    return sys.modules[f"crack_challenges.url_shortener.tester.{name}"]


class _Api:
    """What the checks read of an Api: its base URL."""

    base = f"http://127.0.0.1:{PORT}"


def _reply(status: int, body: object = None, headers: dict[str, str] | None = None) -> Reply:
    content = b"" if body is None else body if isinstance(body, bytes) else json.dumps(body).encode()
    reply = Reply("POST", "/api/links", b'{"url": "https://a.example/"}', {}, status, "")
    reply.headers = {k.lower(): v for k, v in (headers or {}).items()}
    reply.content = content
    return reply


def _edited_reference(tmp_path: Path, upto: str, old: str, new: str) -> Path:
    """The reference as of ``upto`` with one edit in app/main.py (a broken shortener)."""
    program = materialize(CHALLENGE, "python", upto, tmp_path / "program")
    main = program / "app" / "main.py"
    text = main.read_text()
    assert text.count(old) == 1, f"the reference as of {upto} no longer contains {old!r}"
    main.write_text(text.replace(old, new))
    return program


def _grade_stage(program: Path, slug: str) -> StageResult:
    """Grade one stage alone (each stage starts the program afresh)."""
    plan = GradingPlan(
        CHALLENGE,
        load_tester(CHALLENGE),
        ProgramSpec.parse("./your_program.sh", program),
        [CHALLENGE.stage(slug)],
        SCENARIO_SEED,
    )
    return grade(plan, NullReporter()).stages[0]


def test_stages_in_order_with_their_rubric() -> None:
    assert [(s.slug, s.rubric.value) for s in CHALLENGE.stages] == [
        ("create", "correctness"), ("redirect", "correctness"), ("validation", "edge-cases"),
        ("idempotency", "correctness"), ("custom-alias", "edge-cases"), ("persistence", "correctness"),
        ("concurrency", "correctness"), ("expiry", "edge-cases"), ("click-counts", "correctness"),
    ]  # fmt: skip


def test_no_oracle_is_declared() -> None:
    """No packaged program implements this API: HTTP's rules and the reference are the check."""
    assert CHALLENGE.oracle is None


def test_unusual_but_correct_programs_are_kept() -> None:
    passing = {s.name for s in load_scenarios(CHALLENGE) if s.spec.fails_at is None}
    assert {"noisy-logs", "slow-start", "keep-alive-chunked-307", "random-codes"} <= passing


def test_starter_fails_the_first_stage_with_a_clear_message(tmp_path: Path) -> None:
    program = materialize(CHALLENGE, "python", None, tmp_path / "starter")
    report = grade_silently(CHALLENGE, program, until="create")
    stage = report.stages[0]
    assert stage.status is StageStatus.FAILED
    assert "exited with code 0 before it accepted connections on port" in stage.message


def test_a_link_passes_in_any_json_layout_and_either_location_form() -> None:
    common = _module("common")
    url = "https://a.example/"
    body = {"url": url, "extra": [1, 2], "short_url": f"{_Api.base}/Ab12", "code": "Ab12"}
    for location in ("/api/links/Ab12", f"{_Api.base}/api/links/Ab12", "links/Ab12"):
        headers = {"Location": location, "Content-Type": "application/json; charset=utf-8", "X-Extra": "1"}
        assert common.expect_link(_reply(201, body, headers), _Api(), url) == "Ab12"
    pretty = json.dumps(body, indent=4).encode()
    headers = {"Location": "/api/links/Ab12", "Content-Type": "application/json"}
    assert common.expect_link(_reply(201, pretty, headers), _Api(), url) == "Ab12"


def test_a_create_answered_200_or_with_a_wrong_location_is_explained() -> None:
    common = _module("common")
    url = "https://a.example/"
    body = {"url": url, "short_url": f"{_Api.base}/Ab12", "code": "Ab12"}
    with pytest.raises(StageFailure) as caught:
        common.expect_link(_reply(200, body, {"Content-Type": "application/json"}), _Api(), url)
    assert "expected 201 Created" in caught.value.message
    assert caught.value.hint is not None and "RFC 9110" in caught.value.hint
    headers = {"Location": "/Ab12", "Content-Type": "application/json"}
    with pytest.raises(StageFailure) as caught:
        common.expect_link(_reply(201, body, headers), _Api(), url)
    assert "Location: /api/links/Ab12" in caught.value.message
    assert "got Location: /Ab12" in caught.value.message


def test_redirects_accept_302_and_307_and_explain_301_and_quoted_locations() -> None:
    common = _module("common")
    url = "https://a.example/x?y=1#z"
    for status in (302, 307):
        common.expect_redirect(_reply(status, headers={"Location": url}), url)
    with pytest.raises(StageFailure) as caught:
        common.expect_redirect(_reply(301, headers={"Location": url}), url)
    assert caught.value.hint is not None and "cache" in caught.value.hint
    with pytest.raises(StageFailure) as caught:
        common.expect_redirect(_reply(302, headers={"Location": "https%3A//a.example/x%3Fy%3D1%23z"}), url)
    assert caught.value.hint is not None and "relative" in caught.value.hint


def test_errors_must_be_json() -> None:
    common = _module("common")
    json_headers = {"Content-Type": "application/json"}
    common.expect_error(_reply(404, {"error": "no such code"}, json_headers), 404, "x")
    html = b"<!DOCTYPE HTML><html><body>Not Found</body></html>"
    with pytest.raises(StageFailure) as caught:
        common.expect_error(_reply(404, html, {"Content-Type": "text/html"}), 404, "x")
    assert caught.value.hint is not None and "default error page" in caught.value.hint
    with pytest.raises(StageFailure):
        common.expect_error(_reply(404, {"error": ""}, json_headers), 404, "x")


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder outside the stage's scratch space that any user can write (the program may run
    as another user)."""
    folder = Path(tempfile.mkdtemp(prefix="url-shortener-shared-"))
    os.chmod(folder, 0o777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_a_program_that_keeps_its_file_outside_data_dir_fails_persistence(
    tmp_path: Path, shared_folder: Path
) -> None:
    """Links survive restarts, but a run on an empty --data-dir still finds them."""
    program = _edited_reference(
        tmp_path,
        "persistence",
        'self.path = os.path.join(data_dir, "links.json")',
        f"self.path = {str(shared_folder / 'links.json')!r}",
    )
    stage = _grade_stage(program, "persistence")
    assert stage.status is StageStatus.FAILED, stage.message
    assert "this run has an empty --data-dir" in stage.message
    assert stage.hint is not None and "inside the --data-dir folder" in stage.hint


def test_a_redirect_that_counts_clicks_twice_is_caught(tmp_path: Path) -> None:
    program = _edited_reference(tmp_path, "click-counts", 'link["clicks"] += 1', 'link["clicks"] += 2')
    stage = _grade_stage(program, "click-counts")
    assert stage.status is StageStatus.FAILED, stage.message
    assert 'expected 200 OK with the stats as JSON, "clicks": 3' in stage.message
    assert 'got "clicks": 6' in stage.message


def test_a_server_that_stops_answering_fails_in_one_timeout(tmp_path: Path) -> None:
    """A deadlock mid-workload ends the stage at the first timeout, not at the stage's limit."""
    program = _edited_reference(
        tmp_path,
        "concurrency",
        "            code = encode(self.next_id)\n",
        "            code = encode(self.next_id)\n"
        "            if self.next_id > 40:\n"
        "                threading.Event().wait()  # the lock is never released\n",
    )
    stage = _grade_stage(program, "concurrency")
    assert stage.status is StageStatus.FAILED, stage.message
    assert "one of 200 concurrent creates" in stage.message
    assert "no response within 5.0 s" in stage.message


def test_the_codes_a_counter_hands_out_next_are_predicted_and_random_ones_are_not() -> None:
    successors = _module("successors")
    assert successors.next_codes(["000007", "000008", "000009"], 3) == ["00000A", "00000B", "00000C"]
    assert successors.next_codes(["00000z", "000010", "000011"], 1) == ["000012"]  # base 62, 0-9A-Za-z
    assert successors.next_codes(["aaab", "aaac", "aaad"], 2) == ["aaae", "aaaf"]  # a-zA-Z0-9
    assert successors.next_codes(["1000", "1002", "1004"], 2) == ["1006", "1008"]  # a step of 2
    assert successors.next_codes(["x8Kq2A", "0pLm3z", "Qa91bc"], 3) == []  # random
    assert successors.next_codes(["000009", "000007", "000008"], 3) == []  # not evenly spaced
