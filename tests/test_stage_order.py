"""In a learner's repository, `crack test` and `crack next` grade the current stage first and
say so first; the summary lists stages by number and names the earlier stages that were not
re-run. Outside one, `--all` and `--until` keep stage order."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conftest import schema_errors

TESTER = """
from crack.tester import Tester
tester = Tester("fake")

def stage(h):
    h.log(f"grading {h.stage_slug}")
    failing = (h.program.cwd / "failing").read_text().split()
    if h.stage_slug in failing:
        h.fail(f"{h.stage_slug} is broken on purpose")

for slug in ("one", "two", "three", "four"):
    tester.stage(slug)(stage)
"""

STAGES = [{"slug": "one"}, {"slug": "two"}, {"slug": "three"}, {"slug": "four"}]


def _learner_repo(fake_challenges: Callable[..., Path], tmp_path: Path, current: str, failing: str) -> Path:
    if not (tmp_path / "challenges" / "fake").exists():
        fake_challenges("fake", STAGES, TESTER)
    repo = tmp_path / f"learner-{current}-{failing or 'none'}"
    repo.mkdir()
    (repo / "crack.yml").write_text(f"challenge: fake\nstage: {current}\nrun: 'true'\n")
    (repo / "failing").write_text(failing)
    return repo


def _verdicts(output: str) -> list[str]:
    """The per-stage verdict lines, in the order they were printed."""
    return re.findall(r"^. Stage \d \((\w+)\) (?:passed|failed)", output, flags=re.MULTILINE)


def _summary(output: str) -> list[str]:
    return output[output.index("Summary:") :].splitlines()


def test_current_stage_is_graded_and_reported_first(
    fake_challenges: Callable[..., Path], tmp_path: Path, crack: Callable[..., Any]
) -> None:
    repo = _learner_repo(fake_challenges, tmp_path, "three", "")
    result = crack(["test"], cwd=repo)
    assert result.exit_code == 0, result.output
    assert _verdicts(result.output) == ["three", "one", "two"]
    assert result.output.index("grading three") < result.output.index("grading one")
    assert _summary(result.output)[:4] == [
        "Summary: 3 passed",
        "  ✓  1. one",
        "  ✓  2. two",
        "  ✓  3. three",
    ]


def test_failed_current_stage_names_the_stages_not_rerun(
    fake_challenges: Callable[..., Path], tmp_path: Path, crack: Callable[..., Any]
) -> None:
    repo = _learner_repo(fake_challenges, tmp_path, "three", "three")
    result = crack(["test"], cwd=repo)
    assert result.exit_code == 1
    assert _verdicts(result.output) == ["three"]
    summary = _summary(result.output)
    assert summary[:5] == [
        "Summary: 1 failed, 2 not re-run",
        "  ·  1. one",
        "  ·  2. two",
        "  ✗  3. three",
        "  not re-run: 1-2 (stage 3 failed first)",
    ]
    assert "skipped" not in result.output


def test_a_failed_earlier_stage_is_reported_after_the_current_one(
    fake_challenges: Callable[..., Path], tmp_path: Path, crack: Callable[..., Any]
) -> None:
    repo = _learner_repo(fake_challenges, tmp_path, "four", "one")
    result = crack(["test"], cwd=repo)
    assert result.exit_code == 1
    assert _verdicts(result.output) == ["four", "one"]
    assert _summary(result.output)[:6] == [
        "Summary: 1 passed, 1 failed, 2 not re-run",
        "  ✗  1. one",
        "  ·  2. two",
        "  ·  3. three",
        "  ✓  4. four",
        "  not re-run: 2-3 (stage 1 failed first)",
    ]


def test_next_shows_the_current_stage_verdict_first(
    fake_challenges: Callable[..., Path], tmp_path: Path, crack: Callable[..., Any]
) -> None:
    repo = _learner_repo(fake_challenges, tmp_path, "three", "")
    result = crack(["next"], cwd=repo)
    assert result.exit_code == 0, result.output
    assert _verdicts(result.output) == ["three", "one", "two"]
    assert "stage: four" in (repo / "crack.yml").read_text()
    broken = _learner_repo(fake_challenges, tmp_path, "two", "two")
    failing = crack(["next"], cwd=broken)
    assert failing.exit_code == 1
    assert _verdicts(failing.output) == ["two"]
    assert "not re-run: 1 (stage 2 failed first)" in failing.output


def test_json_report_keeps_status_skipped_with_the_reason(
    fake_challenges: Callable[..., Path], tmp_path: Path, crack: Callable[..., Any]
) -> None:
    repo = _learner_repo(fake_challenges, tmp_path, "three", "three")
    out = tmp_path / "report.json"
    result = crack(["test", "--format", "json", "--output", str(out)], cwd=repo)
    assert result.exit_code == 1
    report = json.loads(out.read_text())
    assert not schema_errors(report)
    assert [(s["slug"], s["status"], s["message"]) for s in report["stages"]] == [
        ("three", "failed", "three is broken on purpose"),
        ("one", "skipped", "not re-run: stage 3 failed first"),
        ("two", "skipped", "not re-run: stage 3 failed first"),
    ]


def test_all_and_until_outside_a_repo_keep_stage_order(
    fake_challenges: Callable[..., Path], tmp_path: Path, crack: Callable[..., Any]
) -> None:
    fake_challenges("fake", STAGES, TESTER)
    (tmp_path / "failing").write_text("two")
    base = ["test", "--challenge", "fake", "--run", "true"]
    every = crack([*base, "--all"], cwd=tmp_path)
    assert _verdicts(every.output) == ["one", "two"]
    assert _summary(every.output)[:5] == [
        "Summary: 1 passed, 1 failed, 2 skipped",
        "  ✓  1. one",
        "  ✗  2. two",
        "  ·  3. three",
        "  ·  4. four",
    ]
    assert "not re-run" not in every.output
    (tmp_path / "failing").write_text("")
    until = crack([*base, "--until", "three"], cwd=tmp_path)
    assert _verdicts(until.output) == ["one", "two", "three"]
