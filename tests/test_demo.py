"""`crack demo`: the reference of a challenge graded through every stage, in the language
asked for when it has one, else the Python one with a note saying so."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any


def test_a_language_without_a_reference_grades_the_python_one(
    crack: Callable[..., Any], tmp_path: Path
) -> None:
    result = crack(["demo", "grep", "--lang", "java", "--seed", "5"], cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("No Java reference yet; showing the Python one.\n")
    assert "Demo: the python reference solution of Build your own grep" in result.output
    assert "20. color" in result.output


def test_a_language_with_a_reference_is_built_and_graded(crack: Callable[..., Any], tmp_path: Path) -> None:
    result = crack(["demo", "grep", "--lang", "go", "--seed", "5"], cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert "No Go reference" not in result.output
    assert "Demo: the go reference solution of Build your own grep" in result.output


def test_an_unknown_language_is_refused(crack: Callable[..., Any], tmp_path: Path) -> None:
    result = crack(["demo", "grep", "--lang", "cobol"], cwd=tmp_path)
    assert result.exit_code == 2
    assert (
        "unknown language 'cobol' (crack knows: c, cpp, go, java, javascript, python, rust)" in result.output
    )
