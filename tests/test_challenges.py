"""Every challenge against real programs: its oracle, its reference, its scenario programs.

Parametrized over all challenges, so a new challenge is covered as soon as it exists:
the real system passes every stage, the reference passes every stage, the reference as of
stage N-1 fails stage N, every scenario fails exactly where it declares (with unchanged
golden output), and every stage has a broken program that fails there.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from crack.authoring.scenarios import (
    Scenario,
    grade_silently,
    load_scenarios,
    render_failure,
    verdict_problem,
)
from crack.authoring.solutions import diff_path, materialize
from crack.challenge import Challenge, list_challenges
from crack.languages import load_language

CHALLENGES = list_challenges()


def _ids(value: object) -> str:
    if isinstance(value, Challenge):
        return value.slug
    return str(getattr(value, "name", value))


STAGES = [(c, s) for c in CHALLENGES for s in c.stage_slugs]


@pytest.mark.parametrize(("challenge", "slug"), STAGES, ids=_ids)
def test_oracle_passes_the_stage(challenge: Challenge, slug: str, tmp_path: Path) -> None:
    """One item per stage (each stage starts the program afresh), so the stages of a long
    challenge spread over the workers instead of running one after another in one."""
    oracle = challenge.oracle
    if oracle is None:
        pytest.skip(f"{challenge.slug} names no oracle")
    if oracle.missing():
        if os.environ.get("CI"):
            pytest.fail(f"{oracle.missing()} missing in CI: scripts/install-system-deps.sh installs it")
        pytest.skip(f"the oracle needs {oracle.missing()}: {oracle.install}")
    if not oracle.takes_part_in(slug):
        pytest.skip(f"the oracle cannot take part in {slug} (challenge.yaml, oracle.stages)")
    report = grade_silently(challenge, tmp_path, run=oracle.command_for(challenge.directory), only=slug)
    assert [s.slug for s in report.stages] == [slug]
    assert verdict_problem(report, None) is None, verdict_problem(report, None)


def _with_reference(challenge: Challenge) -> list[str]:
    """The languages with a reference solution (a language may have a starter and none)."""
    return [
        language
        for language in challenge.languages
        if diff_path(challenge, language, challenge.stage_slugs[0]).parent.is_dir()
    ]


@pytest.mark.parametrize("challenge", CHALLENGES, ids=_ids)
def test_every_challenge_has_a_reference_in_its_reference_language(challenge: Challenge) -> None:
    assert challenge.reference_language in _with_reference(challenge)


REFERENCES = [(c, language) for c in CHALLENGES for language in _with_reference(c)]


@pytest.mark.parametrize(("challenge", "language"), REFERENCES, ids=_ids)
def test_reference_passes_every_stage(challenge: Challenge, language: str, tmp_path: Path) -> None:
    """One item per language: a compiled reference is built once, and the languages of a
    challenge run on different workers."""
    program = materialize(challenge, language, challenge.stage_slugs[-1], tmp_path / language)
    report = grade_silently(challenge, program, build=load_language(language).build)
    assert verdict_problem(report, None) is None, f"{language}: {verdict_problem(report, None)}"


@pytest.mark.parametrize(("challenge", "slug"), STAGES, ids=_ids)
def test_every_stage_tests_something_new(challenge: Challenge, slug: str, tmp_path: Path) -> None:
    """The reference as of the stage before passes stages 1..N-1 and fails stage N."""
    slugs = challenge.stage_slugs
    index = slugs.index(slug)
    before = slugs[index - 1] if index else None
    program = materialize(challenge, challenge.reference_language, before, tmp_path / "program")
    report = grade_silently(
        challenge, program, until=slug, seed=3, build=load_language(challenge.reference_language).build
    )
    problem = verdict_problem(report, slug)
    assert problem is None, problem


SCENARIOS = [(c, s) for c in CHALLENGES for s in load_scenarios(c)]


@pytest.mark.parametrize(("challenge", "scenario"), SCENARIOS, ids=_ids)
def test_scenario(challenge: Challenge, scenario: Scenario, tmp_path: Path) -> None:
    program = scenario.build(challenge, tmp_path / "program")
    language = scenario.language(challenge)
    report = grade_silently(
        challenge, program, run=scenario.spec.run, build=load_language(language).build, language=language
    )
    problem = verdict_problem(report, scenario.spec.fails_at)
    assert problem is None, f"{scenario.name}: {problem}"
    if scenario.spec.fails_at is None:
        return
    actual = render_failure(report, scenario.spec.normalise)
    golden = scenario.golden_path
    if os.environ.get("CRACK_RECORD_GOLDEN") == "1" or (not golden.exists() and not os.environ.get("CI")):
        golden.write_text(actual)
        return
    assert golden.exists(), f"{golden} is missing: record it with CRACK_RECORD_GOLDEN=1"
    assert actual == golden.read_text(), f"tester output differs from {golden}:\n{actual}"


@pytest.mark.parametrize("challenge", CHALLENGES, ids=_ids)
def test_every_stage_has_a_broken_scenario(challenge: Challenge) -> None:
    declared = {s.spec.fails_at for s in load_scenarios(challenge)}
    missing = sorted(set(challenge.stage_slugs) - declared)
    assert not missing, f"{challenge.slug}: stages without a broken program: {missing}"
