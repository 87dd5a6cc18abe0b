"""mini-react beyond `crack author check`: the starter fails stage 1 with the tester's
ordinary message, and the stage-1 reference passes it, through `crack start` and `crack test`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import run_cli
from crack.authoring.solutions import materialize
from crack.challenge import load_challenge

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


def _grade(repo: Path) -> dict[str, Any]:
    out = repo.parent / "report.json"
    run_cli(["test", "--output", str(out), "--format", "json"], cwd=repo)
    return json.loads(out.read_text())


def test_the_starter_fails_stage_one_saying_what_create_element_returned(tmp_path: Path) -> None:
    repo = tmp_path / "ui"
    result = run_cli(["start", "mini-react", str(repo), "--lang", "javascript"])
    assert result.exit_code == 0, result.output
    stage = _grade(repo)["stages"][0]
    assert (stage["slug"], stage["status"]) == ("create-element", "failed")
    assert "createElement returned undefined for <div />" in stage["message"]


def test_the_stage_one_reference_passes_stage_one(tmp_path: Path) -> None:
    repo = tmp_path / "ui"
    assert run_cli(["start", "mini-react", str(repo), "--lang", "javascript"]).exit_code == 0
    reference = materialize(load_challenge("mini-react"), "javascript", "create-element", tmp_path / "ref")
    shutil.copy(reference / "app" / "main.js", repo / "app" / "main.js")
    stage = _grade(repo)["stages"][0]
    assert stage["status"] == "passed", stage["message"]
