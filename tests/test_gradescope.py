"""Course platforms and CI, run for real.

Gradescope: ``crack gradescope build`` makes the autograder zip; its setup.sh and
run_autograder run against a real ``/autograder``-shaped tree and write results.json in
Gradescope's format. GitHub Actions: the learner template's workflow steps run with the
variables Actions sets, and leave JUnit XML and a Markdown table in $GITHUB_STEP_SUMMARY.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from junitparser import Failure, JUnitXml

from conftest import REDIS, ROOT, run_cli
from crack.authoring.scenarios import load_scenarios
from test_reports_formats import GRADESCOPE_SCHEMA

UNTIL = "ping-multiple"


def _unzip(archive: Path, dest: Path) -> None:
    """Unpack as Gradescope does, keeping the executable bits the zip records."""
    with zipfile.ZipFile(archive) as bundle:
        for info in bundle.infolist():
            target = Path(bundle.extract(info, dest))
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                target.chmod(mode)


@pytest.fixture(scope="module")
def autograder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An /autograder tree: the zip built by crack, unpacked into source/, set up by setup.sh."""
    base = tmp_path_factory.mktemp("gradescope")
    archive = base / "autograder.zip"
    result = run_cli(["gradescope", "build", "redis", "-o", str(archive), "--until", UNTIL])
    assert result.exit_code == 0, result.output
    root = base / "autograder"
    _unzip(archive, root / "source")
    # Gradescope copies run_autograder to /autograder/ and runs it from there.
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    setup = subprocess.run(
        ["bash", str(root / "source" / "setup.sh")],
        cwd=root / "source",
        env={**os.environ, "CRACK_AUTOGRADER_PYTHON": sys.executable, "PIP_NO_INDEX": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert setup.returncode == 0, setup.stderr
    return root


def _zip_holds_what_gradescope_needs(autograder: Path) -> None:
    source = autograder / "source"
    for script in ("setup.sh", "run_autograder"):
        assert (source / script).stat().st_mode & stat.S_IXUSR, f"{script} is not executable"
    assert (source / "crack_src" / "crack" / "_data" / "challenges" / "redis" / "challenge.yaml").is_file()
    assert not (source / "crack_src" / "crack" / "_data" / "challenges" / "redis" / "scenarios").exists()
    requirements = (source / "requirements.txt").read_text().splitlines()
    assert any(line.startswith("click") for line in requirements)
    assert not any("jsonschema" in line for line in requirements)  # dev extras stay out
    assert json.loads((source / "crack-autograder.json").read_text()) == {
        "challenge": "redis",
        "stages": ["bind", "ping", "ping-multiple"],
        "run": None,
    }
    # run_autograder grades with the crack inside the zip, not whatever else is installed.
    where = subprocess.run(
        [str(source / "python"), "-c", "import crack; print(crack.__file__)"],
        env={**os.environ, "PYTHONPATH": str(source / "crack_src")},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert where == str(source / "crack_src" / "crack" / "__init__.py")
    # ./python is the interpreter setup.sh was given, virtual environment and all (this suite
    # runs from one), not the base interpreter behind it, which lacks crack's dependencies.
    prefix = subprocess.run(
        [str(source / "python"), "-c", "import sys; print(sys.prefix)"],
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert prefix == sys.prefix


def _run_autograder(autograder: Path, submission: Path | None) -> tuple[int, dict[str, Any]]:
    target = autograder / "submission"
    shutil.rmtree(target, ignore_errors=True)
    shutil.rmtree(autograder / "results", ignore_errors=True)
    if submission is None:
        target.mkdir()
    else:
        shutil.copytree(submission, target, ignore=shutil.ignore_patterns("__pycache__"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [str(autograder / "run_autograder")],
        cwd=autograder,
        env={**env, "CRACK_AUTOGRADER_ROOT": str(autograder)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    results = json.loads((autograder / "results" / "results.json").read_text())
    jsonschema.validate(results, GRADESCOPE_SCHEMA)
    return done.returncode, results


@pytest.mark.slow
def test_autograder_zip_set_up_and_run_against_an_autograder_tree(autograder: Path, tmp_path: Path) -> None:
    from crack.authoring.solutions import materialize

    _zip_holds_what_gradescope_needs(autograder)

    worth = [REDIS.stage(slug).worth for slug in ("bind", "ping", "ping-multiple")]

    correct = materialize(REDIS, "python", UNTIL, tmp_path / "correct")
    code, results = _run_autograder(autograder, correct)
    assert code == 0
    assert results["score"] == sum(worth)
    assert [(t["status"], t["score"], t["max_score"]) for t in results["tests"]] == [
        ("passed", w, w) for w in worth
    ]

    scenario = {s.name: s for s in load_scenarios(REDIS)}["pong-as-bulk-string"]
    code, results = _run_autograder(autograder, scenario.build(REDIS, tmp_path / "wrong"))
    assert code == 0
    assert results["score"] == worth[0]
    assert [t["status"] for t in results["tests"]] == ["passed", "failed", "failed"]
    assert "expected simple string" in results["tests"][1]["output"]

    # A student who uploaded their folder whole: the one folder inside is graded.
    nested = tmp_path / "nested"
    shutil.copytree(correct, nested / "my-redis")
    code, results = _run_autograder(autograder, nested)
    assert results["score"] == sum(worth)

    code, results = _run_autograder(autograder, None)  # an empty upload
    assert code == 0
    assert results["score"] == 0
    assert results["output"].startswith(
        "crack could not grade your submission: no run script: ./your_program.sh"
    )
    assert all(t["status"] == "failed" and "not graded" in t["output"] for t in results["tests"])


@pytest.mark.slow
def test_run_autograder_writes_results_when_crack_cannot_start(autograder: Path, tmp_path: Path) -> None:
    """An interpreter that cannot import crack's dependencies fails before crack's own
    safety net: run_autograder still leaves a results.json that names the fault."""
    broken = tmp_path / "autograder"
    shutil.copytree(autograder, broken, symlinks=True)
    python = broken / "source" / "python"
    python.unlink()
    python.write_text("#!/bin/sh\necho \"ModuleNotFoundError: No module named 'rich'\" >&2\nexit 1\n")
    python.chmod(0o755)
    code, results = _run_autograder(broken, None)
    assert code == 1
    assert results["score"] == 0 and results["tests"] == []
    assert results["output"] == (
        "internal error in crack's autograder (not your fault; tell your instructor): "
        "it stopped with status 1 before grading"
    )


def test_autograder_writes_results_even_when_it_breaks(tmp_path: Path) -> None:
    from crack.gradescope.autograder import main

    code = main(["--root", str(tmp_path), "--config", str(tmp_path / "missing.json")])
    assert code == 3
    results = json.loads((tmp_path / "results" / "results.json").read_text())
    jsonschema.validate(results, GRADESCOPE_SCHEMA)
    assert results["score"] == 0 and "internal error in crack's autograder" in results["output"]


def test_build_refuses_a_non_zip_name(tmp_path: Path) -> None:
    result = run_cli(["gradescope", "build", "redis", "-o", str(tmp_path / "autograder.tar")])
    assert result.exit_code == 2 and "Gradescope takes a .zip file" in result.output


# --- GitHub Actions ------------------------------------------------------------------------
WORKFLOW = ROOT / "learner_template" / "python" / ".github" / "workflows" / "crack-test.yml"
"""Not crack.yml: crack leaves every file of that name out of a starter (it is the learner's config)."""


def _run_steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    (job,) = workflow["jobs"].values()
    return [step for step in job["steps"] if "run" in step]


def _actions_env(repo: Path, tmp_path: Path) -> dict[str, str]:
    """What GitHub Actions sets for a run step, as far as the workflow uses it."""
    summary = tmp_path / "step_summary.md"
    summary.write_text("")
    return {
        **{k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(repo),
        "GITHUB_STEP_SUMMARY": str(summary),
        "RUNNER_TEMP": str(tmp_path),
        # The install step, pointed at the crack already installed here and kept offline:
        # pip finds the requirement satisfied and changes nothing.
        "CRACK_INSTALL": "crack",
        "PIP_NO_INDEX": "1",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }


def _run_workflow(repo: Path, tmp_path: Path) -> tuple[list[int], dict[str, str]]:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    env = _actions_env(repo, tmp_path)
    codes = []
    failed = False
    for step in _run_steps(workflow):
        condition = str(step.get("if", ""))
        if failed and "always()" not in condition:
            continue
        step_env = {**env, **{k: str(v) for k, v in (step.get("env") or {}).items() if "${{" not in str(v)}}
        done = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", step["run"]],
            cwd=repo,
            env=step_env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        codes.append(done.returncode)
        failed = failed or done.returncode != 0
    return codes, env


@pytest.mark.slow
def test_template_workflow_runs_crack_test_and_writes_junit_and_summary(tmp_path: Path) -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "push" in triggers
    repo = tmp_path / "myredis"
    assert run_cli(["start", "redis", str(repo)]).exit_code == 0
    assert (repo / ".github" / "workflows" / "crack-test.yml").read_text() == WORKFLOW.read_text()

    # The starter does not pass stage 1 yet: the grading step fails, the reports still appear.
    codes, env = _run_workflow(repo, tmp_path)
    assert codes[-3] == 1 and codes[-2:] == [0, 0], codes
    (suite,) = list(JUnitXml.fromfile(str(repo / "crack-junit.xml")))
    (case,) = list(suite)
    assert case.name == "bind" and isinstance(case.result[0], Failure)
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text()
    assert summary.startswith("### crack · redis: 0 of 1 stage passed")
    assert "| 1 | Bind to a port (`bind`) | ❌ failed |" in summary

    # With stage 1 solved, every step succeeds and the table says so.
    from crack.authoring.solutions import materialize

    solved = materialize(REDIS, "python", "bind", tmp_path / "solved")
    shutil.copytree(solved / "app", repo / "app", dirs_exist_ok=True)
    Path(env["GITHUB_STEP_SUMMARY"]).write_text("")
    codes, env = _run_workflow(repo, tmp_path)
    assert set(codes) == {0}, codes
    (suite,) = list(JUnitXml.fromfile(str(repo / "crack-junit.xml")))
    assert [case.is_passed for case in suite] == [True]
    assert "| 1 | Bind to a port (`bind`) | ✅ passed |" in Path(env["GITHUB_STEP_SUMMARY"]).read_text()
