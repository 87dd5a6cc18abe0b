"""Tests of the kv-store challenge beyond those every challenge gets (tests/test_challenges.py)."""

from __future__ import annotations

from pathlib import Path

from crack.authoring.scenarios import grade_silently
from crack.authoring.solutions import materialize
from crack.challenge import load_challenge

CHALLENGE = load_challenge("kv-store")


def test_starter_fails_the_first_stage_with_a_clear_message(tmp_path: Path) -> None:
    program = materialize(CHALLENGE, "python", None, tmp_path / "starter")
    report = grade_silently(CHALLENGE, program, until=CHALLENGE.stage_slugs[0])
    assert report.stages[0].status.value == "failed"
    assert "before it accepted connections" in report.stages[0].message
