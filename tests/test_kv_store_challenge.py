"""Tests of the kv-store challenge beyond those every challenge gets (tests/test_challenges.py)."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import pytest

from crack.authoring.scenarios import grade_silently
from crack.authoring.solutions import materialize
from crack.challenge import load_challenge
from crack.tester import load_tester

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


def load_client() -> ModuleType:
    """The tester's client module, loaded the way crack loads it."""
    load_tester(CHALLENGE)
    return importlib.import_module("crack_challenges.kv_store.tester.client")


@pytest.mark.parametrize(
    ("got", "words"),
    [
        (["apple:1 red", "apple:2 old", "kiwi:3 green"], "an older value of the key came back"),
        (["apple:1 red", "apple:2 new", "apple:2 old", "kiwi:3 green"], "a key was listed twice"),
        (["apple:1 red", "apple:2 new", "fig:9 gone", "kiwi:3 green"], "a deleted key came back"),
        (["apple:2 new", "apple:1 red", "kiwi:3 green"], "out of order"),
    ],
)
def test_a_wrong_scan_is_told_how_its_merge_went_wrong(got: list[str], words: str) -> None:
    """The three ways a merge of the memtable and the tables fails (an older version wins, a
    key comes from two sources, a tombstone hides nothing), each named in the hint."""
    client = load_client()
    wanted = ["apple:1 red", "apple:2 new", "kiwi:3 green"]
    index = next(i for i, (want, have) in enumerate(zip(wanted, got, strict=False)) if want != have)
    hint = client._scan_hint(wanted[index], got[index], wanted, got, ("a", "z"))
    assert words in hint


def test_leveldb_merges_its_tables_on_another_seed(tmp_path: Path) -> None:
    """LevelDB's iterators are the merge the merge-iterator stage checks, on any seed."""
    pytest.importorskip("plyvel")
    assert CHALLENGE.oracle is not None
    run = CHALLENGE.oracle.command_for(CHALLENGE.directory)
    report = grade_silently(CHALLENGE, tmp_path, run=run, only="merge-iterator", seed=7)
    assert [s.status.value for s in report.stages] == ["passed"], report.stages[0].message


def test_the_sorted_tables_reference_fails_the_merge_at_a_scan(tmp_path: Path) -> None:
    """The reference as of sorted-tables lists each table's records without merging: the
    merge-iterator stage must catch it at a SCAN, with a hint about the newest version."""
    program = materialize(CHALLENGE, "python", "sorted-tables", tmp_path / "program")
    report = grade_silently(CHALLENGE, program, only="merge-iterator", seed=3)
    stage = report.stages[0]
    assert stage.status.value == "failed"
    assert "sent SCAN " in stage.message and stage.hint is not None
