"""Tests of the sqlite challenge beyond those every challenge gets (tests/test_challenges.py).

The index-lookup stage decides from times (page reads are not observable), so its verdicts
are repeated here: a program that answers the indexed query with a full scan must fail it
every time, and the reference must pass it every time.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

import pytest

from crack.authoring.scenarios import grade_silently, load_scenarios
from crack.authoring.solutions import materialize
from crack.challenge import load_challenge
from crack.grading import GradingPlan, grade
from crack.harness.process import ProgramSpec
from crack.report import RunReport, StageStatus
from crack.reporters import NullReporter
from crack.tester import load_tester

CHALLENGE = load_challenge("sqlite")
REPEATS = 5


def _grade_stage(program: Path, slug: str, seed: int) -> RunReport:
    """Grade one stage alone, as `crack test --stage SLUG` does."""
    plan = GradingPlan(
        CHALLENGE,
        load_tester(CHALLENGE),
        ProgramSpec.parse("./your_program.sh", program),
        [CHALLENGE.stage(slug)],
        seed,
    )
    return grade(plan, NullReporter())


def _tester_module(name: str) -> Any:
    load_tester(CHALLENGE)  # imports the tester package and its modules
    return sys.modules[f"crack_challenges.sqlite.tester.{name}"]


def test_stages_in_order() -> None:
    assert CHALLENGE.stage_slugs == [
        "dbinfo", "tables", "count-rows", "select-column", "select-columns", "where",
        "full-scan", "overflow", "index-lookup",
    ]  # fmt: skip


def test_oracle_is_the_sqlite3_shell_behind_the_adapter() -> None:
    assert CHALLENGE.oracle is not None
    assert CHALLENGE.oracle.requires == ["sqlite3"]
    assert (CHALLENGE.directory / "oracle" / "run.sh").is_file()


def test_unusual_but_correct_programs_are_kept() -> None:
    passing = {s.name for s in load_scenarios(CHALLENGE) if s.spec.fails_at is None}
    assert {"rows-reversed", "slow-start", "chatty-stderr", "mmap-pages"} <= passing


def test_starter_fails_the_first_stage_with_a_clear_message(tmp_path: Path) -> None:
    program = materialize(CHALLENGE, "python", None, tmp_path / "starter")
    report = grade_silently(CHALLENGE, program, until=CHALLENGE.stage_slugs[0])
    stage = report.stages[0]
    assert stage.status is StageStatus.FAILED
    assert 'sample-1.db ".dbinfo"' in stage.message
    assert "exited with status 1" in stage.message
    assert 'expected it to print the lines "database page size: 4096", "number of tables: ' in stage.message
    assert "not implemented yet: .dbinfo" in stage.message  # the starter's own words, from stderr


@pytest.mark.parametrize("seed", range(4))
def test_generated_databases_have_the_layout_each_stage_needs(seed: int, tmp_path: Path) -> None:
    """Single-page tables where a stage reads one page, a three-level table for the scan,
    overflowing rows, an index deeper than one page: the generators check it and raise."""
    dbgen = _tester_module("dbgen")
    rng = random.Random(seed)
    db = dbgen.small_database(rng, tmp_path / "small.db", page_size=4096, tables=4, index=True, view=True)
    assert [kind for kind, _ in db.schema()].count("index") == 1
    dbgen.stars_database(rng, tmp_path / "stars.db", 4500)
    _, overflowing = dbgen.articles_database(rng, tmp_path / "articles.db", 120)
    assert overflowing >= 10


def test_a_full_scan_never_passes_the_index_stage(tmp_path: Path) -> None:
    scenario = next(s for s in load_scenarios(CHALLENGE) if s.name == "index-ignored")
    program = scenario.build(CHALLENGE, tmp_path / "program")
    for seed in range(REPEATS):
        stage = _grade_stage(program, "index-lookup", seed).stages[0]
        assert stage.status is StageStatus.FAILED, f"seed {seed}: {stage.status.value}: {stage.message}"
        assert "more than a fifth of the full scan's" in stage.message, f"seed {seed}: {stage.message}"


def test_the_reference_always_passes_the_index_stage(tmp_path: Path) -> None:
    program = materialize(CHALLENGE, "python", CHALLENGE.stage_slugs[-1], tmp_path / "reference")
    for seed in range(REPEATS):
        stage = _grade_stage(program, "index-lookup", seed).stages[0]
        assert stage.status is StageStatus.PASSED, f"seed {seed}: {stage.status.value}: {stage.message}"
