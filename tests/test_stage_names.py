"""Stages named on the command line by number, as `crack status` shows them, or by slug,
with "did you mean" for a near miss; and a `cd` line a shell takes as it is printed."""

from __future__ import annotations

import json
import shlex
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conftest import REDIS


def _start(crack: Callable[..., Any], where: Path, name: str = "repo") -> Path:
    result = crack(["start", "redis", name], cwd=where)
    assert result.exit_code == 0, result.output
    return where / name


def test_task_takes_a_stage_number(crack: Callable[..., Any], tmp_path: Path) -> None:
    repo = _start(crack, tmp_path)
    first = crack(["task", "1"], cwd=repo)
    assert first.exit_code == 0 and "Stage 1/13: Bind to a port" in first.output
    locked = crack(["task", "2"], cwd=repo)
    assert locked.exit_code == 2 and "stage 'ping' is locked" in locked.output
    beyond = crack(["task", "14"], cwd=repo)
    assert beyond.exit_code == 2 and "redis has no stage 14: its stages are numbered 1 to 13" in beyond.output


def test_a_mistyped_stage_gets_did_you_mean(crack: Callable[..., Any], tmp_path: Path) -> None:
    repo = _start(crack, tmp_path)
    for command, prefix in (
        (["task", "bnid"], ""),
        (["solution", "bnid"], ""),
        (["hint", "bnid"], ""),
        (["test", "--stage", "bnid"], "--stage: "),
        (["test", "--until", "bnid"], "--until: "),
    ):
        result = crack(command, cwd=repo)
        assert result.exit_code == 2, result.output
        assert f"{prefix}'bnid' is not a stage of redis: did you mean 'bind' (stage 1)?" in result.output
    nothing_close = crack(["task", "zzzz"], cwd=repo)
    assert "give a stage's number, 1 to 13, or its name: bind, ping" in nothing_close.output


def test_test_selects_stages_by_number(crack: Callable[..., Any], tmp_path: Path) -> None:
    repo = _start(crack, tmp_path)
    first_three = [stage.slug for stage in REDIS.stages[:3]]
    for options, expected in ((["--until", "3"], first_three), (["--stage", "2"], first_three[1:2])):
        out = tmp_path / "report.json"
        crack(["test", *options, "--format", "json", "--output", str(out)], cwd=repo)
        assert sorted(s["slug"] for s in json.loads(out.read_text())["stages"]) == sorted(expected)


def test_start_prints_a_cd_line_the_shell_can_run(crack: Callable[..., Any], tmp_path: Path) -> None:
    name = "my redis [v1]"
    result = crack(["start", "redis", name], cwd=tmp_path)
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.startswith("Next: cd "))
    command = line.removeprefix("Next: ").split("   (")[0].replace("crack test", "pwd")
    shell = subprocess.run(["sh", "-c", command], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert shell.stdout.strip() == str(tmp_path / name)
    assert f"cd {shlex.quote(name)}" in line and f"Created {name} for" in result.output


def test_hint_takes_a_stage_number(crack: Callable[..., Any], tmp_path: Path) -> None:
    repo = _start(crack, tmp_path)
    first = crack(["hint", "1"], cwd=repo)
    assert first.exit_code == 0 and "Hint 1/" in first.output
    assert json.loads((repo / ".crack" / "progress.json").read_text())["hints_revealed"] == {"bind": 1}
    locked = crack(["hint", "2"], cwd=repo)
    assert locked.exit_code == 2 and "stage 'ping' is locked" in locked.output
