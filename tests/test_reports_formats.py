"""Every report format, read by the consumer it is for.

The JSON report by its JSON Schema; JUnit XML by junitparser (as CI systems read it);
Gradescope's results.json and Exercism's version-2 results.json by schemas written here
from their documentation; Markdown by its table. Points come from the challenge's YAML.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from junitparser import Error, Failure, JUnitXml, Skipped

from conftest import REDIS, grade_json, run_cli, statuses
from crack.reporters.documents import xml_safe
from crack.reporters.exercism import TRUNCATION_NOTICE
from crack.reporters.junit import render_junit
from crack.schemas import load_schema, schema_errors

PROGRAMS = Path(__file__).parent / "programs"

# Gradescope's autograder output format, as its documentation specifies it.
GRADESCOPE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["score", "tests"],
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number"},
        "output": {"type": "string"},
        "output_format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
        "test_output_format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
        "visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
        "stdout_visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "score", "max_score", "status", "output", "visibility"],
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "number": {"type": "string"},
                    "score": {"type": "number"},
                    "max_score": {"type": "number"},
                    "status": {"enum": ["passed", "failed"]},
                    "output": {"type": "string"},
                    "visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
                },
            },
        },
    },
}

# Exercism's test-runner interface, version 2.
EXERCISM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["version", "status", "tests"],
    "properties": {
        "version": {"const": 2},
        "status": {"enum": ["pass", "fail", "error"]},
        "message": {"type": ["string", "null"]},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "status"],
                "properties": {
                    "name": {"type": "string"},
                    "status": {"enum": ["pass", "fail", "error"]},
                    "message": {"type": ["string", "null"]},
                    "output": {"type": "string", "maxLength": 500 + 1 + len(TRUNCATION_NOTICE)},
                    "test_code": {"type": "string"},
                },
            },
        },
    },
    "if": {"properties": {"status": {"const": "error"}}},
    "then": {"required": ["message"], "properties": {"message": {"type": "string"}}},
}


def _grade(
    program: Path, fmt: str, *extra: str, challenge: str = "redis", run: str = "./your_program.sh"
) -> str:
    out = program / f"report.{fmt}"
    result = run_cli(
        ["test", "--challenge", challenge, "--run", run, "--format", fmt, "--output", str(out), *extra],
        cwd=program,
    )
    assert result.exit_code in (0, 1, 3), result.output
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def failing_program(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Redis reference as of stage 2: passes bind and ping, fails ping-multiple."""
    from crack.authoring.solutions import materialize

    return materialize(REDIS, "python", "ping", tmp_path_factory.mktemp("formats") / "program")


ARGS = ("--until", "echo", "--seed", "42")


# --- JSON ------------------------------------------------------------------------------------
def test_json_report_is_version_2_and_matches_the_shipped_schema(failing_program: Path) -> None:
    report = json.loads(_grade(failing_program, "json", *ARGS))
    assert schema_errors(report) == []
    assert (report["version"], report["seed"], report["isolation"]) == (2, 42, "none")
    # The schema is strict: a field it does not describe is an error, not silently accepted.
    assert schema_errors({**report, "surprise": 1}) == [
        "(top): Unevaluated properties are not allowed ('surprise' was unexpected)"
    ]
    broken = json.loads(json.dumps(report))
    broken["stages"][0]["status"] = "fine"
    assert any(error.startswith("stages/0/status:") for error in schema_errors(broken))


def test_schemas_ship_inside_the_package() -> None:
    import crack.schemas

    folder = Path(crack.schemas.__file__).parent
    assert (folder / "report.schema.json").is_file() and (folder / "batch.schema.json").is_file()
    for name in ("report", "batch"):
        jsonschema.Draft202012Validator.check_schema(load_schema(name))


# --- JUnit -----------------------------------------------------------------------------------
def test_junit_has_one_testcase_per_stage_read_by_junitparser(failing_program: Path) -> None:
    xml = JUnitXml.fromstring(_grade(failing_program, "junit", *ARGS))
    (suite,) = list(xml)
    cases = {case.name: case for case in suite}
    assert list(cases) == ["bind", "ping", "ping-multiple", "concurrent-clients", "echo"]
    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (5, 1, 0, 2)
    assert cases["bind"].is_passed and cases["ping"].is_passed
    (failure,) = cases["ping-multiple"].result
    assert isinstance(failure, Failure)
    assert (
        failure.message
        == "client 1: your program closed the connection while crack waited for the reply to PING"
    )
    assert "Hint: a server keeps each connection open" in (failure.text or "")
    assert "[ping-multiple]" in (cases["ping-multiple"].system_out or "")
    for slug in ("concurrent-clients", "echo"):
        (skipped,) = cases[slug].result
        assert isinstance(skipped, Skipped) and skipped.message == "not run: an earlier stage did not pass"
    assert cases["bind"].classname == "crack.redis" and cases["bind"].time > 0


def test_junit_to_stdout_is_only_xml(failing_program: Path) -> None:
    result = run_cli(
        ["test", "--challenge", "redis", "--stage", "bind", "--format", "junit"], cwd=failing_program
    )
    assert result.exit_code == 0
    (suite,) = list(JUnitXml.fromstring(result.output))
    assert [case.name for case in suite] == ["bind"]


def test_junit_survives_control_characters_a_program_prints() -> None:
    document = {
        "challenge": "redis",
        "program": "./p",
        "seed": 1,
        "isolation": "none",
        "score": 0,
        "max_score": 1,
        "stages": [
            {
                "slug": "bind",
                "name": "Bind",
                "number": 1,
                "status": "failed",
                "duration_s": 0.1,
                "message": "got \x00\x1b[31m garbage",
                "log": "[your_program] \x07bell",
                "score": 0,
                "max_score": 1,
            }
        ],
    }
    (suite,) = list(JUnitXml.fromstring(render_junit(document)))
    (case,) = list(suite)
    (failure,) = case.result
    assert failure.message == "got \ufffd\ufffd[31m garbage"
    assert xml_safe("ok\ttab\nline") == "ok\ttab\nline"


ERROR_TESTER = """
from crack.tester import Tester
tester = Tester("fake")

@tester.stage("one")
def one(h):
    raise RuntimeError("tester bug")

@tester.stage("two")
def two(h):
    pass
"""


def test_internal_error_is_a_junit_error_and_an_exercism_error(
    fake_challenges: Callable[..., Path], tmp_path: Path
) -> None:
    fake_challenges(
        "fake", [{"slug": "one"}], ERROR_TESTER.replace('@tester.stage("two")\ndef two(h):\n    pass\n', "")
    )
    (case,) = list(next(iter(JUnitXml.fromstring(_grade(tmp_path, "junit", challenge="fake", run="true")))))
    (error,) = case.result
    assert isinstance(error, Error) and error.type == "internal-error"
    assert "internal error in crack's tester (not your fault): RuntimeError: tester bug" in (
        error.message or ""
    )
    results = json.loads(_grade(tmp_path, "exercism", challenge="fake", run="true"))
    jsonschema.validate(results, EXERCISM_SCHEMA)
    assert results["status"] == "error" and "RuntimeError: tester bug" in results["message"]
    assert [test["status"] for test in results["tests"]] == ["error"]


# --- Gradescope ------------------------------------------------------------------------------
def test_gradescope_results_follow_the_documented_format(failing_program: Path) -> None:
    results = json.loads(_grade(failing_program, "gradescope", *ARGS))
    jsonschema.validate(results, GRADESCOPE_SCHEMA)
    tests = results["tests"]
    assert [test["name"] for test in tests] == [
        f"Stage {REDIS.stage_number(s)}: {REDIS.stage(s).name} ({s})"
        for s in ("bind", "ping", "ping-multiple", "concurrent-clients", "echo")
    ]
    assert [test["status"] for test in tests] == ["passed", "passed", "failed", "failed", "failed"]
    assert [test["max_score"] for test in tests] == [
        REDIS.stage(s).worth for s in ("bind", "ping", "ping-multiple", "concurrent-clients", "echo")
    ]
    assert [test["score"] for test in tests] == [1, 1, 0, 0, 0]
    assert results["score"] == 2
    assert "your program closed the connection" in tests[2]["output"]
    assert "Session log (the end):" in tests[2]["output"] and "not run" in tests[3]["output"]
    assert all(test["visibility"] == "visible" for test in tests)


POINTS_TESTER = """
from crack.tester import Tester
tester = Tester("fake")

@tester.stage("one")
def one(h):
    pass

@tester.stage("two")
def two(h):
    h.fail("two is wrong")
"""


def test_points_come_from_the_yaml(fake_challenges: Callable[..., Path], tmp_path: Path) -> None:
    folder = fake_challenges("fake", [{"slug": "one"}, {"slug": "two"}], POINTS_TESTER)
    yaml_path = folder / "challenge.yaml"
    yaml_path.write_text(yaml_path.read_text().replace("    name: one\n", "    name: one\n    points: 7\n"))
    _, report = grade_json(tmp_path, challenge="fake", run="true")
    # one: points 7 from the YAML; two: no points, so its difficulty's weight (easy = 2).
    assert [(s["slug"], s["score"], s["max_score"]) for s in report["stages"]] == [
        ("one", 7, 7),
        ("two", 0, 2),
    ]
    assert (report["score"], report["max_score"]) == (7, 9)
    results = json.loads(_grade(tmp_path, "gradescope", challenge="fake", run="true"))
    assert results["score"] == 7 and [t["max_score"] for t in results["tests"]] == [7, 2]


def test_points_must_be_a_whole_non_negative_number(
    fake_challenges: Callable[..., Path], tmp_path: Path
) -> None:
    from crack.challenge import load_challenge
    from crack.errors import ConfigError

    folder = fake_challenges("fake", [{"slug": "one"}], POINTS_TESTER)
    yaml_path = folder / "challenge.yaml"
    yaml_path.write_text(yaml_path.read_text().replace("    name: one\n", "    name: one\n    points: -3\n"))
    with pytest.raises(ConfigError) as info:
        load_challenge("fake")
    assert "challenge.yaml" in info.value.message and "points" in info.value.message


# --- Exercism --------------------------------------------------------------------------------
FLOOD_TESTER = """
from crack.tester import Tester
tester = Tester("fake")

@tester.stage("serve")
def serve(h):
    port = h.free_port()
    h.start_server(["--port", str(port)], port)
"""


def test_exercism_v2_caps_program_output_at_500_chars(
    fake_challenges: Callable[..., Path], tmp_path: Path
) -> None:
    fake_challenges("fake", [{"slug": "serve"}], FLOOD_TESTER)
    results = json.loads(
        _grade(tmp_path, "exercism", challenge="fake", run=f"{sys.executable} {PROGRAMS / 'flood.py'}")
    )
    jsonschema.validate(results, EXERCISM_SCHEMA)
    assert results["status"] == "pass" and results["message"] is None
    (test,) = results["tests"]
    assert test["status"] == "pass" and test["name"] == "Stage 1: serve (serve)"
    output = test["output"]
    assert output.startswith("log line 0 " + "x" * 40)
    assert output.endswith("\n" + TRUNCATION_NOTICE)
    assert len(output) == 500 + 1 + len(TRUNCATION_NOTICE)
    assert "[your_program]" not in output  # the learner's own output, not crack's labels


def test_exercism_failure_carries_the_message(failing_program: Path) -> None:
    results = json.loads(_grade(failing_program, "exercism", *ARGS))
    jsonschema.validate(results, EXERCISM_SCHEMA)
    assert results["status"] == "fail"
    assert [t["status"] for t in results["tests"]] == ["pass", "pass", "fail", "fail", "fail"]
    assert results["tests"][2]["message"].startswith("client 1: your program closed the connection")
    assert results["tests"][0]["message"] is None


# --- Markdown and conversion -----------------------------------------------------------------
def test_markdown_table_and_failure_details(failing_program: Path) -> None:
    text = _grade(failing_program, "markdown", *ARGS)
    assert text.startswith("### crack · redis: 2 of 5 stages passed · score 2/9\n")
    rows = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| #")]
    assert len(rows) == 5
    assert rows[0].startswith("| 1 | Bind to a port (`bind`) | ✅ passed |")
    assert "| ❌ failed |" in rows[2] and "| ⏭️ skipped |" in rows[4]
    assert "<details><summary>Stage 3 (ping-multiple) failed</summary>" in text
    assert "closed the connection while crack waited" in text


def test_crack_report_converts_a_saved_report(failing_program: Path, tmp_path: Path) -> None:
    saved = tmp_path / "saved.json"
    saved.write_text(_grade(failing_program, "json", *ARGS))
    report = json.loads(saved.read_text())
    for fmt, check in (
        ("junit", lambda text: [c.name for c in next(iter(JUnitXml.fromstring(text)))][2] == "ping-multiple"),
        ("gradescope", lambda text: json.loads(text)["score"] == report["score"]),
        ("markdown", lambda text: "2 of 5 stages passed" in text),
    ):
        out = tmp_path / f"converted.{fmt}"
        result = run_cli(["report", fmt, str(saved), "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert check(out.read_text()), fmt
    assert statuses(report)["ping-multiple"] == "failed"


def test_crack_report_names_the_file_and_field_of_a_bad_report(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"version": 2, "challenge": "redis"}))
    result = run_cli(["report", "junit", str(bad)])
    assert result.exit_code == 2
    assert f"crack: error: {bad}" in result.output and "not a crack report" in result.output
    assert "'program' is a required property" in result.output and "Traceback" not in result.output
    bad.write_text("{not json")
    result = run_cli(["report", "junit", str(bad)])
    assert result.exit_code == 2 and "not valid JSON (line 1" in result.output
