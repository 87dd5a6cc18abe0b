"""Grading options a learner mistypes: a time limit that is no number, a --run path with a
space left unquoted; and durations in messages rounded as a person writes them."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from crack.durations import format_seconds


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "-5", "0"])
def test_run_timeout_must_be_a_real_limit(crack: Callable[..., Any], tmp_path: Path, value: str) -> None:
    result = crack(
        ["test", "--challenge", "redis", "--run", "./x.sh", f"--run-timeout={value}"], cwd=tmp_path
    )
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--run-timeout'" in result.output
    assert "Running stage" not in result.output


@pytest.fixture
def spaced_program(tmp_path: Path) -> Path:
    program = tmp_path / "my dir" / "prog.sh"
    program.parent.mkdir()
    program.write_text("#!/bin/sh\necho hi\n")
    program.chmod(0o755)
    return program


def test_a_run_path_split_by_the_shell_says_to_quote_it(
    crack: Callable[..., Any], tmp_path: Path, spaced_program: Path
) -> None:
    # The shell gave crack `--run /…/my` and a stray `dir/prog.sh`.
    first, rest = str(spaced_program).split(" ")
    result = crack(["test", "--challenge", "redis", "--run", first, rest], cwd=tmp_path)
    assert result.exit_code == 2
    assert f"unexpected argument(s) '{rest}'" in result.output
    assert f"""quote the whole command: --run "'{spaced_program}'\"""" in result.output


def test_a_run_path_split_by_crack_says_to_quote_it(
    crack: Callable[..., Any], tmp_path: Path, spaced_program: Path
) -> None:
    result = crack(["test", "--challenge", "redis", "--run", f"python3 -u {spaced_program}"], cwd=tmp_path)
    assert result.exit_code == 2
    first = str(spaced_program).split(" ")[0]
    assert f"--run: '{first}' does not exist, but '{spaced_program}' does" in result.output
    assert f"""as in --run "python3 -u '{spaced_program}'\"""" in result.output
    assert "Running stage" not in result.output


def test_crack_yml_run_with_an_unquoted_space_names_the_field(
    crack: Callable[..., Any], tmp_path: Path, spaced_program: Path
) -> None:
    assert crack(["start", "redis", "repo"], cwd=tmp_path).exit_code == 0
    config = tmp_path / "repo" / "crack.yml"
    config.write_text(config.read_text().replace("run: ./your_program.sh", f"run: {spaced_program}"))
    result = crack(["test"], cwd=tmp_path / "repo")
    assert result.exit_code == 2
    assert f"crack.yml, field 'run': '{str(spaced_program).split(' ')[0]}' does not exist" in result.output


def test_an_unbalanced_quote_in_run_is_an_error(crack: Callable[..., Any], tmp_path: Path) -> None:
    result = crack(["test", "--challenge", "redis", "--run", "'./prog.sh"], cwd=tmp_path)
    assert result.exit_code == 2 and "--run: cannot split" in result.output
    assert "no closing quotation" in result.output and "Traceback" not in result.output


def test_durations_read_as_a_person_writes_them() -> None:
    assert [format_seconds(s) for s in (0.999997, 1, 2.5, 0.25, 9.999, 12.4, 30.0)] == [
        "1 s",
        "1 s",
        "2.5 s",
        "0.25 s",
        "10 s",
        "12 s",
        "30 s",
    ]


STUCK_TESTER = """
import time
from crack.tester import Tester
tester = Tester("fake")

@tester.stage("stuck")
def stuck(h):
    time.sleep(30)
"""


def test_a_stage_cut_by_the_run_limit_says_a_round_duration(
    crack: Callable[..., Any], fake_challenges: Callable[..., Path], tmp_path: Path
) -> None:
    """The stage gets what is left of the run's second (0.99999… s): said as "1 s"."""
    fake_challenges("fake", [{"slug": "stuck", "timeout": 20}], STUCK_TESTER)
    out = tmp_path / "report.json"
    crack(
        [
            "test",
            "--challenge",
            "fake",
            "--run",
            "true",
            "--run-timeout",
            "1",
            "--format",
            "json",
            "--output",
            str(out),
        ],
        cwd=tmp_path,
    )
    message = json.loads(out.read_text())["stages"][0]["message"]
    assert message.startswith("timed out after 1 s"), message
    assert not re.search(r"\d\.\d{3,} s", message)
