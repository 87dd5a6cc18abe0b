"""The learner's workflow through the CLI: start, task, test, next, status, hint, solution."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from conftest import REDIS


def _start(crack: Callable[..., Any], tmp_path: Path) -> Path:
    result = crack(["start", "redis", "myredis"], cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert "Stage 1/13: Bind to a port" in result.output
    return tmp_path / "myredis"


def _solve(repo: Path, reference: Callable[[str | None], Path], stage: str) -> None:
    """Put the reference program as of ``stage`` into the learner's repo."""
    shutil.copytree(reference(stage) / "app", repo / "app", dirs_exist_ok=True)


def test_start_makes_a_git_repo_with_the_starter(crack: Callable[..., Any], tmp_path: Path) -> None:
    repo = _start(crack, tmp_path)
    assert (repo / "your_program.sh").stat().st_mode & 0o111
    assert "Uncomment this to pass the first stage" in (repo / "app" / "main.py").read_text()
    config = yaml.safe_load((repo / "crack.yml").read_text())
    assert config == {
        "challenge": "redis",
        "stage": "bind",
        "run": "./your_program.sh",
        "language": "python",
        "isolation": "none",
    }
    log = subprocess.run(["git", "log", "--oneline"], cwd=repo, capture_output=True, text=True, check=True)
    assert "Start Build your own Redis with crack" in log.stdout
    again = crack(["start", "redis", "myredis"], cwd=tmp_path)
    assert again.exit_code == 2 and "already exists and is not empty" in again.output


def test_starter_fails_stage_one_with_a_clear_message(crack: Callable[..., Any], tmp_path: Path) -> None:
    repo = _start(crack, tmp_path)
    result = crack(["test"], cwd=repo)
    assert result.exit_code == 1
    assert "✗ Stage 1 (bind) failed" in result.output
    assert "your program exited with code 0 before it accepted connections on port" in result.output
    assert "Logs from your program will appear here!" in result.output
    assert "Traceback" not in result.output


def test_the_whole_loop(
    crack: Callable[..., Any], tmp_path: Path, reference: Callable[[str | None], Path]
) -> None:
    repo = _start(crack, tmp_path)
    task = crack(["task"], cwd=repo)
    assert task.exit_code == 0 and "Stage 1/13: Bind to a port" in task.output

    locked = crack(["task", "ping"], cwd=repo)
    assert locked.exit_code == 2 and "locked" in locked.output
    early = crack(["solution"], cwd=repo)
    assert early.exit_code == 2 and "pass a stage first" in early.output

    hint1 = crack(["hint"], cwd=repo)
    assert "Hint 1/" in hint1.output and "Hint 2/" not in hint1.output
    hint2 = crack(["hint"], cwd=repo)
    assert "Hint 1/" in hint2.output and "Hint 2/" in hint2.output

    failing = crack(["next"], cwd=repo)
    assert failing.exit_code == 1 and "has not passed yet" in failing.output
    assert yaml.safe_load((repo / "crack.yml").read_text())["stage"] == "bind"

    _solve(repo, reference, "bind")
    nxt = crack(["next"], cwd=repo)
    assert nxt.exit_code == 0, nxt.output
    bind = REDIS.stage("bind")
    assert "Debrief: Bind to a port" in nxt.output
    assert bind.concepts.pattern.split()[0] in nxt.output
    assert bind.interview[0][:40] in nxt.output
    assert "Stage 2/13" in nxt.output
    assert yaml.safe_load((repo / "crack.yml").read_text())["stage"] == "ping"

    failing = crack(["test"], cwd=repo)
    assert failing.exit_code == 1 and "✗ Stage 2 (ping) failed" in failing.output
    # The current stage runs first, then every earlier one.
    _solve(repo, reference, "ping")
    test = crack(["test"], cwd=repo)
    assert test.exit_code == 0, test.output
    assert test.output.index("Stage 2 (ping) passed") < test.output.index("Stage 1 (bind) passed")

    status = crack(["status"], cwd=repo)
    assert "✓ passed" in status.output and "▶ current (passed)" in status.output
    assert "locked" in status.output and "2 of 13 stages passed" in status.output

    solution = crack(["solution"], cwd=repo)
    assert solution.exit_code == 0
    assert (
        REDIS.directory.parents[1] / "reference_solutions/redis/python/stages/bind.diff"
    ).read_text().splitlines()[0] in solution.output
    not_yet = crack(["solution", "echo"], cwd=repo)
    assert not_yet.exit_code == 2 and "not passed yet" in not_yet.output

    progress = json.loads((repo / ".crack" / "progress.json").read_text())
    assert progress["unlocked"] == "ping" and {"bind", "ping"} <= set(progress["passed"])
    assert progress["hints_revealed"] == {"bind": 2}


def test_corrupted_progress_is_reported_and_kept(crack: Callable[..., Any], tmp_path: Path) -> None:
    repo = _start(crack, tmp_path)
    progress = repo / ".crack" / "progress.json"
    progress.write_text('{"version": 1, "unlocked": "bind", "passed": {')
    for command in (["status"], ["test"], ["hint"]):
        result = crack(command, cwd=repo)
        assert result.exit_code == 2
        assert "progress.json: not valid JSON (line 1" in result.output
        assert "left it untouched" in result.output and "Traceback" not in result.output
    assert progress.read_text() == '{"version": 1, "unlocked": "bind", "passed": {'

    progress.write_text('{"version": 1, "unlocked": "bind", "hints_revealed": {"bind": "many"}}')
    result = crack(["status"], cwd=repo)
    assert result.exit_code == 2 and "field 'hints_revealed.bind'" in result.output


def test_hand_edited_config_names_the_field(crack: Callable[..., Any], tmp_path: Path) -> None:
    repo = _start(crack, tmp_path)
    config = repo / "crack.yml"
    original = config.read_text()
    config.write_text(original.replace("stage: bind", "stage: pubsub"))
    result = crack(["test"], cwd=repo)
    assert result.exit_code == 2 and "field 'stage'" in result.output and "still locked" in result.output
    config.write_text(original.replace("stage: bind", "stage: nope"))
    assert "'nope' is not a stage of redis" in crack(["task"], cwd=repo).output
    config.write_text(original.replace("challenge: redis", "challenge: mongo"))
    result = crack(["status"], cwd=repo)
    assert "field 'challenge'" in result.output and "no challenge named 'mongo'" in result.output
    config.write_text("challenge: [redis\n")
    assert "invalid YAML (line" in crack(["status"], cwd=repo).output


def test_outside_a_repo_commands_explain(crack: Callable[..., Any], tmp_path: Path) -> None:
    for command in (["status"], ["test"], ["next"], ["hint"]):
        result = crack(command, cwd=tmp_path)
        assert result.exit_code == 2
        assert "crack start" in result.output or "--challenge" in result.output
    unknown = crack(["test", "--challenge", "mongo"], cwd=tmp_path)
    assert (
        unknown.exit_code == 2
        and "no challenge named 'mongo' (known: " in unknown.output
        and "redis" in unknown.output
    )
    bad_stage = crack(["test", "--challenge", "redis", "--stage", "nope"], cwd=tmp_path)
    assert bad_stage.exit_code == 2 and "--stage: 'nope' is not a stage of redis" in bad_stage.output


def test_no_colour_when_not_a_terminal(crack: Callable[..., Any], tmp_path: Path) -> None:
    repo = _start(crack, tmp_path)
    result = crack(["test"], cwd=repo, env={"NO_COLOR": "1"})
    assert "\x1b[" not in result.output
