"""Reference solutions beyond Python: the per-stage diffs apply in order, each one adds just
what its stage tests (the program as of stage N-1 fails stage N), and a learner of that
language is shown them.

tests/test_challenges.py grades every language's final reference through every stage; this
file adds, for the languages other than Python, what test_challenges.py checks for Python
only. A compiled language's program is built the way crack builds a learner's (its
``build:`` command) before it is graded.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from crack.authoring.scenarios import grade_silently
from crack.authoring.solutions import diff_path, materialize, solution_dir
from crack.challenge import Challenge, list_challenges, load_challenge
from crack.languages import load_language, probe
from crack.report import StageStatus

CHALLENGES = list_challenges()
REFERENCES = [
    (challenge, language)
    for challenge in CHALLENGES
    for language in challenge.languages
    if language != "python" and (solution_dir(challenge, language) / "stages").is_dir()
]
PROGRESSION = [(c, lang, slug) for c, lang in REFERENCES for slug in c.stage_slugs]


def _ids(value: object) -> str:
    return value.slug if isinstance(value, Challenge) else str(value)


def _need_toolchain(language: str) -> None:
    toolchain = probe(load_language(language))
    if toolchain.found:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{toolchain.missing} missing in CI: scripts/install-system-deps.sh installs it")
    pytest.skip(f"{language} needs {toolchain.missing}")


@pytest.mark.parametrize(("challenge", "language"), REFERENCES, ids=_ids)
def test_every_stage_has_a_diff_and_they_apply_in_order(
    challenge: Challenge, language: str, tmp_path: Path
) -> None:
    for stage in challenge.stages:
        assert diff_path(challenge, language, stage.slug).is_file(), f"no {language} diff for {stage.slug}"
    # materialize applies the diffs one after the other, failing on the first that does not apply.
    program = materialize(challenge, language, challenge.stage_slugs[-1], tmp_path / "program")
    assert (program / "your_program.sh").is_file()


@pytest.mark.slow
@pytest.mark.parametrize(("challenge", "language", "slug"), PROGRESSION, ids=_ids)
def test_the_program_before_a_stage_fails_it(
    challenge: Challenge, language: str, slug: str, tmp_path: Path
) -> None:
    """Graded on stage N alone, so it stays affordable: the program as of stage N-1 passing
    stages 1..N-1 is what the grading of that stage's own program already shows."""
    _need_toolchain(language)
    index = challenge.stage_slugs.index(slug)
    before = challenge.stage_slugs[index - 1] if index else None
    program = materialize(challenge, language, before, tmp_path / "program")
    report = grade_silently(challenge, program, build=load_language(language).build, only=slug, seed=3)
    [result] = report.stages
    assert result.status in (StageStatus.FAILED, StageStatus.TIMED_OUT), (
        f"the {language} reference as of {before or 'the starter'} passes '{slug}' ({result.status.value}):"
        " the stage's diff must add what the stage tests"
    )


@pytest.mark.slow
def test_a_go_learner_is_shown_the_go_reference(crack: Callable[..., Any], tmp_path: Path) -> None:
    _need_toolchain("go")
    redis = load_challenge("redis")
    started = crack(["start", "redis", "myredis", "--lang", "go"], cwd=tmp_path)
    assert started.exit_code == 0, started.output
    repo = tmp_path / "myredis"
    reference = materialize(redis, "go", "bind", tmp_path / "reference")
    shutil.copytree(reference / "app", repo / "app", dirs_exist_ok=True)
    passed = crack(["next"], cwd=repo)
    assert passed.exit_code == 0, passed.output

    shown = crack(["solution"], cwd=repo)
    assert shown.exit_code == 0, shown.output
    assert "Reference solution, stage 1 (bind)" in shown.output
    assert "app/main.go" in shown.output and 'net.Listen("tcp"' in shown.output
    assert "main.py" not in shown.output
