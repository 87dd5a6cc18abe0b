"""The Redis tester against real programs: redis-server, the reference, broken and odd ones."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import REDIS, grade_json, statuses
from crack.authoring.scenarios import (
    grade_silently,
    load_scenarios,
    render_failure,
    verdict_problem,
)
from crack.authoring.solutions import materialize

SLUGS = REDIS.stage_slugs
SCENARIOS = load_scenarios(REDIS)


def test_real_redis_server_passes_every_stage(tmp_path: Path) -> None:
    oracle = REDIS.oracle
    assert oracle is not None
    if oracle.missing():
        if os.environ.get("CI"):
            pytest.fail(f"{oracle.missing()} missing in CI: scripts/install-system-deps.sh installs it")
        pytest.skip(f"the oracle needs {oracle.missing()}: {oracle.install}")
    code, report = grade_json(tmp_path, "--all", run=oracle.command_for(REDIS.directory))
    assert code == 0, report
    assert set(statuses(report).values()) == {"passed"}
    assert list(statuses(report)) == SLUGS


def test_reference_passes_every_stage(tmp_path: Path) -> None:
    program = materialize(REDIS, "python", SLUGS[-1], tmp_path / "program")
    report = grade_silently(REDIS, program)
    assert verdict_problem(report, None) is None, verdict_problem(report, None)


@pytest.mark.parametrize("slug", SLUGS)
def test_every_stage_tests_something_new(slug: str, tmp_path: Path) -> None:
    """The reference as of the stage before passes stages 1..N-1 and fails stage N."""
    index = SLUGS.index(slug)
    program = materialize(REDIS, "python", SLUGS[index - 1] if index else None, tmp_path / "program")
    report = grade_silently(REDIS, program, until=slug, seed=3)
    problem = verdict_problem(report, slug)
    assert problem is None, problem


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_scenario(scenario, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    program = scenario.build(REDIS, tmp_path / "program")
    report = grade_silently(REDIS, program, run=scenario.spec.run)
    problem = verdict_problem(report, scenario.spec.fails_at)
    assert problem is None, f"{scenario.name}: {problem}"
    if scenario.spec.fails_at is None:
        return
    actual = render_failure(report)
    golden = scenario.golden_path
    if os.environ.get("CRACK_RECORD_GOLDEN") == "1" or (not golden.exists() and not os.environ.get("CI")):
        golden.write_text(actual)
        return
    assert golden.exists(), f"{golden} is missing: record it with CRACK_RECORD_GOLDEN=1"
    assert actual == golden.read_text(), f"tester output differs from {golden}:\n{actual}"


def test_every_stage_has_a_broken_scenario() -> None:
    declared = {s.spec.fails_at for s in SCENARIOS}
    assert set(SLUGS) <= declared, f"stages without a broken program: {sorted(set(SLUGS) - declared)}"


def test_unusual_but_correct_programs_exist() -> None:
    passing = {s.name for s in SCENARIOS if s.spec.fails_at is None}
    assert {"byte-by-byte", "slow-start", "noisy-logs"} <= passing
