"""Tests of the rest-api challenge beyond those every challenge gets (tests/test_challenges.py)."""

from __future__ import annotations

import json
import sys
import time
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

CHALLENGE = load_challenge("rest-api")
OPENAPI = CHALLENGE.directory / "openapi.yaml"


def _module(name: str) -> ModuleType:
    load_tester(CHALLENGE)  # imports the tester package and its modules
    return sys.modules[f"crack_challenges.rest_api.tester.{name}"]


def _reply(status: int, body: object, headers: dict[str, str] | None = None) -> Reply:
    """A reply as the rest-api tester's client makes it: its headers shown, JWTs hidden."""
    common = _module("common")
    reply = Reply(
        "GET", "/tasks", None, {}, status, "", shown_headers=common.SHOWN_HEADERS, redact=common.hide_jwts
    )
    reply.headers = {k.lower(): v for k, v in (headers or {"Content-Type": "application/json"}).items()}
    reply.content = json.dumps(body).encode()
    return reply


def test_the_eleven_stages_in_order() -> None:
    assert CHALLENGE.stage_slugs == [
        "create-read", "update-delete", "validation", "methods", "pagination", "filter-sort",
        "login", "tokens", "ownership", "conditional-requests", "property-based",
    ]  # fmt: skip


def test_the_last_stage_publishes_the_openapi_document_schemathesis_runs() -> None:
    page = (CHALLENGE.directory / "stages" / "property-based.md").read_text()
    assert f"```yaml\n{OPENAPI.read_text()}```" in page
    assert OPENAPI.resolve() == _module("fuzz").OPENAPI


def test_the_openapi_document_loads_in_schemathesis() -> None:
    import schemathesis

    schema = schemathesis.openapi.from_path(str(OPENAPI))
    operations = {f"{op.ok().method.upper()} {op.ok().path}" for op in schema.get_all_operations()}
    assert operations == {
        "POST /tasks", "GET /tasks", "GET /tasks/{id}", "PATCH /tasks/{id}", "DELETE /tasks/{id}",
        "POST /users", "POST /login", "GET /me",
    }  # fmt: skip


def test_the_starter_fails_the_first_stage_with_a_clear_message(tmp_path: Path) -> None:
    program = materialize(CHALLENGE, "python", None, tmp_path / "starter")
    report = grade_silently(CHALLENGE, program, until=CHALLENGE.stage_slugs[0])
    assert report.stages[0].status.value == "failed"
    assert "before it accepted connections" in report.stages[0].message


def test_tokens_in_logged_bodies_are_named_not_shown() -> None:
    import jwt

    token = jwt.encode(
        {"sub": "ada_12", "exp": int(time.time()) + 60}, "k" * 32, algorithm="HS256"
    )  # 32 bytes: no key-length warning
    text = _reply(200, {"access_token": token, "token_type": "bearer"}).response_text()
    assert token not in text
    assert '"access_token": "<a JWT>"' in text


def test_minted_tokens_are_what_their_labels_say() -> None:
    import jwt

    auth = _module("auth")
    common = _module("common")

    class _Api:
        def __init__(self) -> None:
            self.labels: dict[str, str] = {}

        def label(self, token: str, label: str) -> None:
            self.labels[token] = label

    server = common.Server(1, _Api(), "s" * 64, Path("."))
    unsigned = auth.mint(server, {"sub": "ada_12", "exp": 1}, "alg none", algorithm="none")
    assert jwt.get_unverified_header(unsigned)["alg"] == "none"
    assert unsigned.endswith(".")  # no signature at all
    forged = auth.mint(server, {"sub": "ada_12", "exp": int(time.time()) + 60}, "forged", key="o" * 32)
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(forged, server.secret, algorithms=["HS256"])
    assert server.api.labels == {unsigned: "alg none", forged: "forged"}


def test_a_short_page_with_a_cursor_is_refused() -> None:
    paging = _module("paging")
    items = [{"id": "3"}, {"id": "2"}]
    assert paging._page(_reply(200, {"items": items, "next_cursor": None}), 3) == (items, None)
    with pytest.raises(StageFailure, match="only the last page may be shorter"):
        paging._page(_reply(200, {"items": items, "next_cursor": "abc"}), 3)
    with pytest.raises(StageFailure) as missing:
        paging._page(_reply(200, {"items": items}), 3)
    assert "must be present, even when null" in (missing.value.hint or "")


def test_schemathesis_failures_are_shown_without_replay_ids() -> None:
    fuzz = _module("fuzz")
    output = "\n".join([
        "intro", "=" * 20 + " FAILURES " + "=" * 20, "_____ QUERY /login _____",
        "1. Test Case ID: ab12Cd", "", "- ST204 Wrong response to undeclared method", "",
        "Reproduce with:", "", "    curl -X QUERY http://127.0.0.1:1/login", "", "    st replay ab12Cd",
        "=" * 20 + " SUMMARY " + "=" * 20, "Seed: 1",
    ])  # fmt: skip
    shown = fuzz._failures(output)
    assert "curl -X QUERY" in shown and "ST204" in shown
    assert "ab12Cd" not in shown and "SUMMARY" not in shown and "intro" not in shown


def _edited_reference(tmp_path: Path, upto: str, old: str, new: str) -> Path:
    """The reference as of ``upto`` with one edit in app/main.py (a broken server)."""
    program = materialize(CHALLENGE, "python", upto, tmp_path / "program")
    main = program / "app" / "main.py"
    text = main.read_text()
    assert text.count(old) == 1, f"the reference as of {upto} no longer contains {old!r}"
    main.write_text(text.replace(old, new))
    return program


def _grade_stage(program: Path, slug: str) -> StageResult:
    plan = GradingPlan(
        CHALLENGE,
        load_tester(CHALLENGE),
        ProgramSpec.parse("./your_program.sh", program),
        [CHALLENGE.stage(slug)],
        SCENARIO_SEED,
    )
    return grade(plan, NullReporter()).stages[0]


def test_the_oracle_is_the_fastapi_reference() -> None:
    assert CHALLENGE.oracle is not None
    assert "oracle/app.py" in CHALLENGE.oracle.command
    assert "FastAPI" in (CHALLENGE.directory / "oracle" / "app.py").read_text()


def test_an_unusual_but_correct_program_is_kept() -> None:
    passing = {s.name for s in load_scenarios(CHALLENGE) if s.spec.fails_at is None}
    assert "closes-every-connection" in passing


def test_a_server_that_never_checks_exp_fails_the_tokens_stage(tmp_path: Path) -> None:
    program = _edited_reference(tmp_path, "tokens", "or now >= exp:", "or False:")
    result = _grade_stage(program, "tokens")
    assert result.status is StageStatus.FAILED
    assert "the token expired an hour ago" in result.message
    assert '"exp" is in seconds since 1970' in result.message_and_hints()


def test_a_server_that_ignores_if_match_fails_with_the_lost_update(tmp_path: Path) -> None:
    program = _edited_reference(
        tmp_path,
        "conditional-requests",
        'header = self.headers.get("If-Match")\n',
        "header = None\n",
    )
    result = _grade_stage(program, "conditional-requests")
    assert result.status is StageStatus.FAILED
    assert "412 Precondition Failed" in result.message
    assert "silently lost" in result.message_and_hints()
