"""The router against real nodes: messages routed only through it, dropped, delayed,
duplicated, reordered and partitioned, counted per kind, malformed ones reported."""

from __future__ import annotations

import time

import pytest

from cluster_support import _cluster
from crack.harness import Harness, StageFailure
from crack.harness.router import LinkPolicy


def test_clients_reach_every_node_and_messages_are_counted(node_harness: Harness) -> None:
    cluster, router = _cluster(node_harness)
    client = router.endpoint("c1")
    for node in cluster.ids:
        assert client.request(node, {"type": "echo", "text": node}, timeout=5) == {
            "type": "echo_ok",
            "in_reply_to": 1 + cluster.ids.index(node),
            "text": node,
        }
    assert router.counts() == {"echo": 3, "echo_ok": 3}
    assert router.tally["echo_ok"].delivered == 3
    assert "[cluster] c1 → n1: " in node_harness.log_session.text()


def test_messages_are_counted_per_link(node_harness: Harness) -> None:
    _, router = _cluster(node_harness)
    client = router.endpoint("c1")
    for text in ("one", "two"):
        client.send("n1", {"type": "relay", "to": "n2", "text": text})
        assert client.receive(5) is not None
    router.partition(["n1"], ["n2", "n3"])
    client.send("n1", {"type": "relay", "to": "n2", "text": "lost"})
    time.sleep(0.3)
    counts = router.link_counts()
    assert counts[("c1", "n1", "relay")] == 3
    assert counts[("n1", "n2", "relayed")] == 3  # sent, though the partition lost the third
    assert counts[("n2", "c1", "got")] == 2
    assert ("n1", "n3", "relayed") not in counts


def test_nodes_talk_to_each_other_only_through_the_router(node_harness: Harness) -> None:
    _, router = _cluster(node_harness)
    client = router.endpoint("c1")
    client.send("n1", {"type": "relay", "to": "n2", "text": "hello"})
    got = client.receive(5)
    assert got is not None and got["src"] == "n2" and got["body"]["via"] == "n1"
    assert router.tally["relayed"].delivered == 1


def test_a_partition_cuts_the_sides_apart_until_healed(node_harness: Harness) -> None:
    _, router = _cluster(node_harness)
    client = router.endpoint("c1")
    router.partition(["n1"], ["n2", "n3"])
    client.send("n1", {"type": "relay", "to": "n2", "text": "across"})
    client.send("n2", {"type": "relay", "to": "n3", "text": "within"})
    got = client.receive(5)
    assert got is not None and got["body"]["text"] == "within"
    assert client.receive(0.3) is None
    assert router.tally["relayed"].lost == 1
    router.heal()
    client.send("n1", {"type": "relay", "to": "n2", "text": "healed"})
    got = client.receive(5)
    assert got is not None and got["body"]["text"] == "healed"


def test_drop_duplicate_and_delay(node_harness: Harness) -> None:
    _, router = _cluster(node_harness, size=2)
    client = router.endpoint("c1")
    router.set_policy(LinkPolicy(drop=1.0), "n1", "n2")
    client.send("n1", {"type": "relay", "to": "n2", "text": "lost"})
    assert client.receive(0.3) is None
    assert router.tally["relayed"].lost == 1
    router.set_policy(LinkPolicy(duplicate=1.0), "n1", "n2")
    client.send("n1", {"type": "relay", "to": "n2", "text": "twice"})
    texts = [client.receive(5), client.receive(5)]
    assert [m["body"]["text"] for m in texts if m] == ["twice", "twice"]
    router.set_policy(LinkPolicy(delay=(0.3, 0.3)), "n1", "n2")
    sent = time.monotonic()
    client.send("n1", {"type": "relay", "to": "n2", "text": "late"})
    assert client.receive(5) is not None
    assert time.monotonic() - sent >= 0.3


def test_a_delay_range_reorders_messages(node_harness: Harness) -> None:
    _, router = _cluster(node_harness, size=2)
    client = router.endpoint("c1", quiet=True)
    router.set_policy(LinkPolicy(delay=(0.0, 0.3)), "n1", "n2")
    for i in range(20):
        client.send("n1", {"type": "relay", "to": "n2", "text": str(i)})
    order = []
    for _ in range(20):
        message = client.receive(5)
        assert message is not None
        order.append(int(message["body"]["text"]))
    assert sorted(order) == list(range(20))
    assert order != list(range(20))


def test_a_malformed_message_is_reported_with_its_text(node_harness: Harness) -> None:
    _, router = _cluster(node_harness, size=1)
    router.endpoint("c1").send("n1", {"type": "garble"})
    deadline = time.monotonic() + 5
    while not router.problems and time.monotonic() < deadline:
        time.sleep(0.02)
    with pytest.raises(StageFailure) as failure:
        router.check_messages()
    assert failure.value.message == "node n1 sent a line that is not JSON: this is not json"
