"""Tests of the kv-store challenge beyond those every challenge gets (tests/test_challenges.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crack.authoring.scenarios import grade_silently
from crack.authoring.solutions import materialize
from crack.challenge import load_challenge

CHALLENGE = load_challenge("kv-store")


def test_starter_fails_the_first_stage_with_a_clear_message(tmp_path: Path) -> None:
    program = materialize(CHALLENGE, "python", None, tmp_path / "starter")
    report = grade_silently(CHALLENGE, program, until=CHALLENGE.stage_slugs[0])
    assert report.stages[0].status.value == "failed"
    assert "before it accepted connections" in report.stages[0].message


def test_the_stages_build_a_store_from_a_log_to_a_leveled_lsm_tree() -> None:
    assert CHALLENGE.stage_slugs == [
        "put-get",
        "append-log",
        "index",
        "checksums",
        "compaction",
        "crash-compaction",
        "scan",
        "sorted-tables",
        "merge-iterator",
        "bloom",
        "range-reads",
        "leveled-compaction",
    ]


def test_leveldb_survives_torn_and_damaged_tails_on_another_seed(tmp_path: Path) -> None:
    """The checksums stage damages the oracle's write-ahead log; LevelDB must drop the bad
    record at open on any seed (the suite's oracle run uses the default one)."""
    pytest.importorskip("plyvel")
    assert CHALLENGE.oracle is not None
    run = CHALLENGE.oracle.command_for(CHALLENGE.directory)
    report = grade_silently(CHALLENGE, tmp_path, run=run, only="checksums", seed=7)
    assert [s.status.value for s in report.stages] == ["passed"], report.stages[0].message
