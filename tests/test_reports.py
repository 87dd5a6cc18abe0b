"""The JSON report: versioned, every stage accounted for, skipped after a failure."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import REDIS, grade_json, statuses


def test_report_of_a_failing_run(reference: Callable[[str | None], Path]) -> None:
    program = reference("ping")
    code, report = grade_json(program, "--until", "echo", "--seed", "42")
    assert code == 1
    assert set(report) == {
        "version",
        "challenge",
        "program",
        "seed",
        "isolation",
        "interrupted",
        "score",
        "max_score",
        "stages",
    }
    assert (report["version"], report["challenge"], report["program"], report["seed"]) == (
        2,
        "redis",
        "./your_program.sh",
        42,
    )
    assert (report["isolation"], report["interrupted"]) == ("none", False)
    assert statuses(report) == {
        "bind": "passed",
        "ping": "passed",
        "ping-multiple": "failed",
        "concurrent-clients": "skipped",
        "echo": "skipped",
    }
    for stage in report["stages"]:
        assert set(stage) == {
            "slug",
            "name",
            "number",
            "status",
            "duration_s",
            "message",
            "log",
            "score",
            "max_score",
        }
        assert stage["name"] == REDIS.stage(stage["slug"]).name
        assert stage["number"] == REDIS.stage_number(stage["slug"])
        assert stage["max_score"] == REDIS.stage(stage["slug"]).worth
    # Points: bind (very-easy, 1) and ping (very-easy, 1) passed; the rest earn nothing.
    assert (report["score"], report["max_score"]) == (2, sum(REDIS.stage(s).worth for s in statuses(report)))
    failed = report["stages"][2]
    assert failed["message"] and "[ping-multiple]" in failed["log"] and failed["duration_s"] > 0


def test_json_to_stdout_is_only_json(
    reference: Callable[[str | None], Path], crack: Callable[..., object]
) -> None:
    import json

    result = crack(
        ["test", "--challenge", "redis", "--stage", "bind", "--format", "json"], cwd=reference("bind")
    )
    assert result.exit_code == 0  # type: ignore[attr-defined]
    assert json.loads(result.output)["stages"][0]["status"] == "passed"  # type: ignore[attr-defined]
