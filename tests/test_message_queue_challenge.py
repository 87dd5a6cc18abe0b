"""Tests of the message-queue challenge beyond those every challenge gets (tests/test_challenges.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from crack.authoring.scenarios import grade_silently
from crack.authoring.solutions import materialize
from crack.challenge import load_challenge

CHALLENGE = load_challenge("message-queue")


def test_starter_fails_the_first_stage_with_a_clear_message(tmp_path: Path) -> None:
    program = materialize(CHALLENGE, "python", None, tmp_path / "starter")
    report = grade_silently(CHALLENGE, program, until=CHALLENGE.stage_slugs[0])
    assert report.stages[0].status.value == "failed"
    assert "before it accepted connections" in report.stages[0].message


def test_the_stages_go_from_one_queue_to_a_log_with_partitions_and_failover() -> None:
    assert CHALLENGE.stage_slugs == [
        "put-reserve",
        "tubes",
        "competing-consumers",
        "ttr-redelivery",
        "release-delay",
        "bury-kick",
        "durable-jobs",
        "stream-log",
        "consumer-groups",
        "pubsub-fanout",
        "partitions",
        "claim-pending",
    ]


def test_beanstalkd_and_redis_are_the_oracle_of_every_stage() -> None:
    assert CHALLENGE.oracle is not None
    assert {"beanstalkd", "redis-server"} <= set(CHALLENGE.oracle.requires)
    assert CHALLENGE.oracle.stages is None or set(CHALLENGE.oracle.stages) == set(CHALLENGE.stage_slugs)


@pytest.mark.parametrize("seed", [7, 8, 9])
def test_beanstalkd_redelivers_after_the_ttr_on_other_seeds(tmp_path: Path, seed: int) -> None:
    """beanstalkd 1.12 can miss a silent connection's TTR expiry; the tester's nudge (the
    holder sends ``use default`` after the TTR) must make it pass on any seed, not only on
    the one the suite's oracle run uses."""
    if shutil.which("beanstalkd") is None:
        pytest.skip("beanstalkd is not installed (apt-get install beanstalkd)")
    assert CHALLENGE.oracle is not None
    run = CHALLENGE.oracle.command_for(CHALLENGE.directory)
    report = grade_silently(CHALLENGE, tmp_path, run=run, only="ttr-redelivery", seed=seed)
    assert [s.status.value for s in report.stages] == ["passed"], report.stages[0].message


def test_a_job_kept_past_a_restart_keeps_its_body_byte_for_byte(tmp_path: Path) -> None:
    """The reference as of durable-jobs passes that stage on another seed: bodies holding
    \\r\\n come back from its log whole."""
    program = materialize(CHALLENGE, "python", "durable-jobs", tmp_path / "ref")
    report = grade_silently(CHALLENGE, program, only="durable-jobs", seed=11)
    assert [s.status.value for s in report.stages] == ["passed"], report.stages[0].message


@pytest.mark.parametrize("stage", ["pubsub-fanout", "partitions", "claim-pending"])
def test_redis_passes_the_later_stages_on_another_seed(tmp_path: Path, stage: str) -> None:
    """The checks of the pub/sub, partition and claim stages are invariants (sets, order per
    channel or key, idle-time bounds), so the real server passes them on any seed, not only
    on the one the suite's oracle run uses."""
    if shutil.which("redis-server") is None or shutil.which("beanstalkd") is None:
        pytest.skip("the oracle needs beanstalkd and redis-server (apt-get install beanstalkd redis-server)")
    assert CHALLENGE.oracle is not None
    run = CHALLENGE.oracle.command_for(CHALLENGE.directory)
    report = grade_silently(CHALLENGE, tmp_path, run=run, only=stage, seed=23)
    assert [s.status.value for s in report.stages] == ["passed"], report.stages[0].message


def test_a_server_without_the_detail_form_of_xpending_fails_claim_pending_clearly(tmp_path: Path) -> None:
    """The reference as of partitions answers XPENDING's summary to its detail form: it fails
    claim-pending with a message naming the command and the expected shape."""
    program = materialize(CHALLENGE, "python", "partitions", tmp_path / "ref")
    report = grade_silently(CHALLENGE, program, only="claim-pending", seed=5)
    assert report.stages[0].status.value == "failed"
    assert "XPENDING" in report.stages[0].message
    assert "[id, consumer, idle ms, delivery count]" in report.stages[0].message
