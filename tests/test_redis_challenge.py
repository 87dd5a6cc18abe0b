"""What the Redis challenge promises beyond the checks every challenge gets."""

from __future__ import annotations

from crack.authoring.scenarios import load_scenarios
from crack.challenge import load_challenge

REDIS = load_challenge("redis")


def test_redis_has_the_thirteen_stages_in_order() -> None:
    assert REDIS.stage_slugs == [
        "bind", "ping", "ping-multiple", "concurrent-clients", "echo", "set-get", "expiry",
        "pipelining", "incr-del-exists", "type-keys", "transactions", "pubsub", "client-library",
    ]  # fmt: skip


def test_redis_oracle_is_redis_server() -> None:
    assert REDIS.oracle is not None and REDIS.oracle.requires == ["redis-server"]


def test_unusual_but_correct_programs_are_kept() -> None:
    passing = {s.name for s in load_scenarios(REDIS) if s.spec.fails_at is None}
    assert {"byte-by-byte", "slow-start", "noisy-logs", "redis-6-subscribed-error"} <= passing
