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


# --- the TypeScript starter: app/main.ts, compiled by the pinned tsc, run as JavaScript -----
TYPESCRIPT_REFERENCE = Path(__file__).parent / "programs" / "languages" / "mini-react" / "typescript"
"""The reference through stage 3 (events), written in TypeScript."""


def _start_typescript(tmp_path: Path) -> Path:
    repo = tmp_path / "ui-ts"
    result = run_cli(["start", "mini-react", str(repo), "--lang", "typescript"])
    assert result.exit_code == 0, result.output
    assert "the typescript starter, run as JavaScript" in result.output
    return repo


def test_the_typescript_starter_compiles_and_fails_stage_one_like_the_javascript_one(tmp_path: Path) -> None:
    repo = _start_typescript(tmp_path)
    assert (repo / "app" / "main.ts").is_file() and (repo / "tsconfig.json").is_file()
    assert not (repo / "app" / "main.js").exists(), "the JavaScript template's source came along"
    assert "language: javascript" in (repo / "crack.yml").read_text()
    stage = _grade(repo)["stages"][0]
    # The message is the driver's about the module's createElement: tsc compiled the starter
    # and the driver imported what it wrote.
    assert (stage["slug"], stage["status"]) == ("create-element", "failed")
    assert "createElement returned undefined for <div />" in stage["message"]


def test_a_typescript_reference_of_the_first_stages_passes_them(tmp_path: Path) -> None:
    repo = _start_typescript(tmp_path)
    shutil.copytree(TYPESCRIPT_REFERENCE, repo, dirs_exist_ok=True)
    out = repo.parent / "report.json"
    result = run_cli(["test", "--until", "events", "--output", str(out), "--format", "json"], cwd=repo)
    stages = json.loads(out.read_text())["stages"]
    assert [(s["slug"], s["status"]) for s in stages] == [
        ("create-element", "passed"),
        ("render", "passed"),
        ("events", "passed"),
    ], result.output
    assert not list(repo.glob("build")), "the compiled module belongs in a temporary folder"


def test_a_type_error_fails_the_stage_with_tscs_message(tmp_path: Path) -> None:
    repo = _start_typescript(tmp_path)
    shutil.copytree(TYPESCRIPT_REFERENCE, repo, dirs_exist_ok=True)
    with (repo / "app" / "main.ts").open("a") as main:
        main.write('\nexport const count: number = "three";\n')
    stage = _grade(repo)["stages"][0]
    assert stage["status"] == "failed"
    assert "error TS2322: Type 'string' is not assignable to type 'number'." in stage["message"]
    assert "tsc could not compile app/main.ts" in stage["message"]


def test_typescript_is_offered_only_where_a_challenge_has_that_starter(tmp_path: Path) -> None:
    result = run_cli(["start", "mini-react", str(tmp_path / "py"), "--lang", "python"])
    assert result.exit_code == 2
    assert "it can be started in javascript, typescript" in result.output
    result = run_cli(["start", "redis", str(tmp_path / "ts"), "--lang", "typescript"])
    assert result.exit_code == 2
    assert "unknown language 'typescript'" in result.output
    assert not (tmp_path / "py").exists() and not (tmp_path / "ts").exists()


def test_an_interview_starts_from_the_typescript_starter(tmp_path: Path) -> None:
    repo = tmp_path / "interview-ts"
    result = run_cli(["interview", "mini-react", str(repo), "--lang", "typescript"])
    assert result.exit_code == 0, result.output
    assert (repo / "app" / "main.ts").is_file()
    assert "language: javascript" in (repo / "crack.yml").read_text()
