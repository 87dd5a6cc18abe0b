"""Tests of the raft challenge beyond those every challenge gets (tests/test_challenges.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from crack.authoring.scenarios import grade_silently
from crack.authoring.solutions import materialize
from crack.challenge import load_challenge
from crack.challenge.loader import load_challenge_file
from crack.errors import ConfigError
from crack.report import StageStatus

CHALLENGE = load_challenge("raft")


def test_the_stages_in_order() -> None:
    assert CHALLENGE.stage_slugs == [
        "kv",
        "votes",
        "election",
        "re-election",
        "replication",
        "forwarding",
        "catch-up",
        "persistence",
        "figure-8",
        "partitions",
        "message-budget",
        "snapshots",
    ]


def test_etcd_takes_part_only_where_no_peer_is_played_and_no_partition_splits() -> None:
    assert CHALLENGE.oracle is not None
    assert CHALLENGE.oracle.stages == ["kv", "election", "re-election", "replication", "forwarding"]
    assert not CHALLENGE.oracle.takes_part_in("votes")


def test_an_oracle_stage_that_does_not_exist_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "raft"
    shutil.copytree(CHALLENGE.directory, folder)
    yaml = folder / "challenge.yaml"
    yaml.write_text(yaml.read_text().replace("stages: [kv, election,", "stages: [kv, elections,"))
    with pytest.raises(ConfigError) as error:
        load_challenge_file(yaml)
    assert "oracle.stages: elections is not a stage of this challenge" in str(error.value)


def _edited_reference(tmp_path: Path, stage: str, old: str, new: str) -> Path:
    program = materialize(CHALLENGE, "python", stage, tmp_path / "program")
    main = program / "app" / "main.py"
    text = main.read_text()
    assert old in text
    main.write_text(text.replace(old, new))
    return program


def test_a_reply_without_in_reply_to_is_shown_with_what_it_lacks(tmp_path: Path) -> None:
    program = _edited_reference(
        tmp_path,
        "kv",
        '{**body, "in_reply_to": request["body"]["msg_id"]}',
        "body",
    )
    [stage] = grade_silently(CHALLENGE, program, only="kv").stages
    assert stage.status is StageStatus.FAILED
    assert 'expected {"type": "put_ok"} with "in_reply_to": ' in stage.message
    assert '     got {"msg_id": ' in stage.message
    assert stage.hint == 'a reply carries "in_reply_to": the "msg_id" of the request it answers'


def test_a_message_from_the_wrong_source_is_reported_as_written(tmp_path: Path) -> None:
    program = _edited_reference(
        tmp_path,
        "kv",
        '{"src": self.id, "dest": dest, "body": body}',
        '{"src": "node", "dest": dest, "body": body}',
    )
    [stage] = grade_silently(CHALLENGE, program, only="kv").stages
    assert stage.status is StageStatus.FAILED
    assert stage.message.startswith('node n1 sent a message whose "src" is not "n1": {"src": "node", ')
