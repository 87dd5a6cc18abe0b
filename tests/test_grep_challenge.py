"""Tests of the grep challenge beyond those every challenge gets (tests/test_challenges.py).

The tester computes every expected output with its own model of grep (tester/model.py).
The model is only worth something if it agrees with the real tool, so the first test runs
every stage's fixed and seeded cases through GNU grep and compares: ``grep -P`` for all of
them (the oracle's matcher), and ``grep -E`` as well wherever the pattern has no ``\\d``
(GNU grep 3.8's extended syntax does not know it).
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from crack.authoring.scenarios import grade_silently
from crack.authoring.solutions import materialize
from crack.challenge import load_challenge
from crack.harness.data import EdgeData
from crack.report import StageStatus
from crack.tester import load_tester

CHALLENGE = load_challenge("grep")
load_tester(CHALLENGE)
PACKAGE = "crack_challenges.grep.tester"
cases_module: ModuleType = sys.modules[f"{PACKAGE}.cases"]
model: ModuleType = sys.modules[f"{PACKAGE}.model"]

SEEDS = (1, 2, 3)


def _gnu_grep() -> str | None:
    path = shutil.which("grep")
    if path is None:
        return None
    version = subprocess.run([path, "--version"], capture_output=True, text=True).stdout
    return path if version.startswith("grep (GNU grep)") else None


GREP = _gnu_grep()
needs_gnu_grep = pytest.mark.skipif(GREP is None, reason="GNU grep is not installed")


def _grep_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GREP_")}
    env["LC_ALL"] = "C.UTF-8"
    return env


def _write(case: object, folder: Path) -> None:
    folder.mkdir(parents=True)
    for name, content in case.files:  # type: ignore[attr-defined]
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def test_the_yaml_has_the_stages_in_order() -> None:
    assert CHALLENGE.stage_slugs == list(cases_module.STAGES)
    assert len(CHALLENGE.stage_slugs) >= 14


@needs_gnu_grep
@pytest.mark.parametrize("slug", CHALLENGE.stage_slugs)
def test_the_model_agrees_with_gnu_grep(slug: str, tmp_path: Path) -> None:
    assert GREP is not None
    env = _grep_env()
    checked = 0
    for seed in SEEDS:
        for number, case in enumerate(cases_module.STAGES[slug](random.Random(f"{seed}:{slug}"))):
            expected = model.run(case.invocation, case.file_map, case.stdin)
            folder = tmp_path / f"{seed}-{number}"
            _write(case, folder)
            matchers = ["-P"] if "\\d" in case.invocation.pattern else ["-P", "-E"]
            for matcher in matchers:
                inv = case.invocation
                argv = [GREP, *inv.options, matcher, inv.pattern, *inv.operands]
                real = subprocess.run(argv, input=case.stdin, capture_output=True, cwd=folder, env=env)
                where = f"seed {seed}, case {number} ({case.title}): {argv[1:]} stdin={case.stdin!r}"
                assert real.returncode == expected.returncode, where
                if case.order_free:
                    names = [name for name, _ in case.files]
                    assert model.by_file(real.stdout, names) == model.by_file(expected.stdout, names), where
                else:
                    assert real.stdout == expected.stdout, where
                for missing in expected.unreadable:
                    assert missing.encode() in real.stderr, where
                checked += 1
    assert checked >= len(SEEDS) * 6


@needs_gnu_grep
def test_the_model_agrees_with_gnu_grep_on_digits_outside_ascii() -> None:
    """The digits stage's edge cases (UTF-8 lines with ², ٣, ５…): GNU grep -P in a UTF-8
    locale, like the oracle, selects exactly what the model does, and never such a line."""
    assert GREP is not None
    for seed in (*SEEDS, 4, 5, 6):
        cases = cases_module.non_ascii_digits(EdgeData(seed, "digits"))
        assert len(cases) == 2
        for case in cases:
            expected = model.run(case.invocation, case.file_map, case.stdin)
            argv = [GREP, "-P", case.invocation.pattern]
            real = subprocess.run(argv, input=case.stdin, capture_output=True, env=_grep_env())
            where = f"seed {seed}, {case.title}: stdin={case.stdin!r}"
            assert (real.returncode, real.stdout) == (expected.returncode, expected.stdout), where
            assert not any(ord(c) > 127 for c in real.stdout.decode()), where
        assert any(any(c.isdigit() and not c.isascii() for c in case.stdin.decode()) for case in cases)


@pytest.mark.parametrize("slug", CHALLENGE.stage_slugs)
def test_every_stage_has_fixed_and_seeded_cases_with_both_outcomes(slug: str) -> None:
    cases = cases_module.STAGES[slug](random.Random(f"1:{slug}"))
    assert any(not case.seeded for case in cases) and any(case.seeded for case in cases)
    codes = {model.run(c.invocation, c.file_map, c.stdin).returncode for c in cases}
    assert 0 in codes and (1 in codes or 2 in codes), codes
    seeded_lines = [
        (line, model.compile_pattern(case.invocation.pattern).search(line) is not None)
        for case in cases
        if case.seeded
        for content in ([case.stdin] if case.uses_stdin else [c for _, c in case.files])
        for line in model.split_lines(content)
    ]
    assert any(hit for _, hit in seeded_lines) and any(not hit for _, hit in seeded_lines)


def test_seeded_cases_are_reproducible() -> None:
    slug = "alternation"
    first = cases_module.STAGES[slug](random.Random(f"5:{slug}"))
    again = cases_module.STAGES[slug](random.Random(f"5:{slug}"))
    other = cases_module.STAGES[slug](random.Random(f"6:{slug}"))
    assert first == again
    assert [c.invocation for c in first if c.seeded] != [c.invocation for c in other if c.seeded]


def test_starter_fails_the_first_stage_with_a_clear_message(tmp_path: Path) -> None:
    program = materialize(CHALLENGE, "python", None, tmp_path / "starter")
    report = grade_silently(CHALLENGE, program, until=CHALLENGE.stage_slugs[0])
    stage = report.stages[0]
    assert stage.status is StageStatus.FAILED
    assert "case 1 of" in stage.message
    assert "expected exit code 0 (a line was selected), got 1 (no line was selected)" in stage.message
    assert '- "apple"' in stage.message
    assert stage.hint is not None and "exit 0" in stage.hint


def _first_stage_expecting_no_match(seed: int) -> str:
    for slug in CHALLENGE.stage_slugs:
        rng = random.Random(f"{seed}:{slug}")
        for case in cases_module.STAGES[slug](rng):
            if model.run(case.invocation, case.file_map, case.stdin).returncode != 0:
                return slug
    raise AssertionError("no stage expects exit code 1")


def test_a_program_that_always_exits_0_fails_where_no_line_matches(tmp_path: Path) -> None:
    reference = materialize(CHALLENGE, "python", CHALLENGE.stage_slugs[-1], tmp_path / "reference")
    wrapper = reference / "always_zero.sh"
    wrapper.write_text('#!/bin/sh\n"$(dirname "$0")/your_program.sh" "$@"\nexit 0\n')
    wrapper.chmod(0o755)
    report = grade_silently(CHALLENGE, reference, run="./always_zero.sh", seed=11)
    failed = [stage for stage in report.stages if stage.status is not StageStatus.PASSED]
    assert failed, "a program that always exits 0 passed every stage"
    assert failed[0].slug == _first_stage_expecting_no_match(11)
    assert "expected exit code 1 (no line was selected), got 0 (a line was selected)" in failed[0].message
    assert failed[0].hint is not None and "exit with code 1" in failed[0].hint


def test_a_case_runs_in_its_own_folder_with_relative_names(tmp_path: Path) -> None:
    """Names in the output are the short ones the case gave (fruits.txt:...), even though the
    learner's command is the relative ./your_program.sh of another folder."""
    reference = materialize(CHALLENGE, "python", CHALLENGE.stage_slugs[-1], tmp_path / "reference")
    report = grade_silently(CHALLENGE, reference, until="recursive")
    assert all(stage.status is StageStatus.PASSED for stage in report.stages)
    multiple = next(stage for stage in report.stages if stage.slug == "multiple-files")
    assert any("fruits.txt veg.txt" in line for line in multiple.log)
