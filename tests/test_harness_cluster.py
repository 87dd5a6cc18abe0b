"""A cluster of real processes behind the router: messages routed, dropped, delayed,
duplicated, reordered and partitioned; nodes crashed, restarted and paused; a seeded fault
schedule applied and replayed."""

from __future__ import annotations

import os
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crack.harness import Harness, ProgramSpec, StageFailure
from crack.harness.cluster import Cluster, Node
from crack.harness.faults import FaultKind, FaultSchedule, Nemesis
from crack.harness.log import SessionLog
from crack.harness.router import LinkPolicy, Router

NODE = Path(__file__).parent / "programs" / "network_node.py"


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    h = Harness(
        stage_slug="cluster",
        program=ProgramSpec((sys.executable, str(NODE)), tmp_path),
        log=SessionLog("cluster"),
        seed=5,
        deadline=time.monotonic() + 60,
        scratch=scratch,
    )
    yield h
    h.teardown()


def _args(node: Node) -> list[str]:
    return ["--id", node.id, "--port", str(node.port), "--data-dir", str(node.data_dir)]


def _cluster(h: Harness, size: int = 3) -> tuple[Cluster, Router]:
    router = Router(h.log_session, random.Random(1))
    h.defer(router.close)
    cluster = Cluster(h, [f"n{i}" for i in range(1, size + 1)], _args, router)
    cluster.start()
    return cluster, router


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_clients_reach_every_node_and_messages_are_counted(harness: Harness) -> None:
    cluster, router = _cluster(harness)
    client = router.endpoint("c1")
    for node in cluster.ids:
        assert client.request(node, {"type": "echo", "text": node}, timeout=5) == {
            "type": "echo_ok",
            "in_reply_to": 1 + cluster.ids.index(node),
            "text": node,
        }
    assert router.counts() == {"echo": 3, "echo_ok": 3}
    assert router.tally["echo_ok"].delivered == 3
    assert "[cluster] c1 → n1: " in harness.log_session.text()


def test_nodes_talk_to_each_other_only_through_the_router(harness: Harness) -> None:
    _, router = _cluster(harness)
    client = router.endpoint("c1")
    client.send("n1", {"type": "relay", "to": "n2", "text": "hello"})
    got = client.receive(5)
    assert got is not None and got["src"] == "n2" and got["body"]["via"] == "n1"
    assert router.tally["relayed"].delivered == 1


def test_a_partition_cuts_the_sides_apart_until_healed(harness: Harness) -> None:
    _, router = _cluster(harness)
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


def test_drop_duplicate_and_delay(harness: Harness) -> None:
    _, router = _cluster(harness, size=2)
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


def test_a_delay_range_reorders_messages(harness: Harness) -> None:
    _, router = _cluster(harness, size=2)
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


def test_a_crash_kills_the_whole_tree_and_a_restart_keeps_the_data(harness: Harness) -> None:
    cluster, router = _cluster(harness, size=1)
    node = cluster["n1"]
    client = router.endpoint("c1")
    child = int((node.data_dir / "child.pid").read_text())
    assert _alive(child)
    node.crash()
    assert not _alive(child) and not node.running
    assert client.request("n1", {"type": "starts"}, timeout=0.3) is None
    node.restart()
    reply = client.request("n1", {"type": "starts"}, timeout=5)
    assert reply is not None and reply["starts"] == 2
    assert node.starts == 2


def test_a_paused_node_answers_only_after_it_resumes(harness: Harness) -> None:
    cluster, router = _cluster(harness, size=1)
    client = router.endpoint("c1")
    cluster["n1"].pause()
    assert client.request("n1", {"type": "echo", "text": "frozen"}, timeout=0.5) is None
    cluster["n1"].resume()
    late = client.receive(5)
    assert late is not None and late["body"]["text"] == "frozen"


def test_a_malformed_message_is_reported_with_its_text(harness: Harness) -> None:
    _, router = _cluster(harness, size=1)
    router.endpoint("c1").send("n1", {"type": "garble"})
    deadline = time.monotonic() + 5
    while not router.problems and time.monotonic() < deadline:
        time.sleep(0.02)
    with pytest.raises(StageFailure) as failure:
        router.check_messages()
    assert failure.value.message == "node n1 sent a line that is not JSON: this is not json"


def test_a_schedule_is_the_same_for_the_same_seed() -> None:
    ids = ["n1", "n2", "n3", "n4", "n5"]
    first = FaultSchedule.draw(random.Random(42), ids, duration=10)
    assert first == FaultSchedule.draw(random.Random(42), ids, duration=10)
    assert first != FaultSchedule.draw(random.Random(43), ids, duration=10)
    assert first.faults and all(f.at + f.lasting <= 10 for f in first.faults)
    for earlier, later in zip(first.faults, first.faults[1:], strict=False):
        assert earlier.at + earlier.lasting < later.at
    for fault in first.faults:
        assert len(fault.nodes) <= 2
    assert first.describe().splitlines()[0] == "fault schedule:"
    assert FaultSchedule.draw(random.Random(1), ids, duration=0.1).describe() == "fault schedule: none"


def test_a_schedule_reads_as_what_will_happen() -> None:
    schedule = FaultSchedule.draw(random.Random(3), ["n1", "n2", "n3"], duration=4, kinds=[FaultKind.CRASH])
    assert schedule.describe() == (
        "fault schedule:\n"
        + "\n".join(
            f"  at {f.at:.2f} s: crash {f.nodes[0]} (SIGKILL), restart it {f.lasting:.2f} s later"
            for f in schedule.faults
        )
    )


def test_the_nemesis_applies_a_schedule_to_a_real_cluster(harness: Harness) -> None:
    cluster, router = _cluster(harness)
    schedule = FaultSchedule.draw(
        random.Random(9), cluster.ids, duration=2.5, lasting=(0.3, 0.5), gap=(0.1, 0.2)
    )
    assert len(schedule.faults) >= 3
    nemesis = Nemesis(schedule, cluster, router, leader=lambda: "n2")
    nemesis.start()
    time.sleep(2.6)
    nemesis.stop()
    log = harness.log_session.text()
    for fault in schedule.faults:
        word = {"partition": "network: partition", "crash": "crash: SIGKILL", "pause": "pause: SIGSTOP"}[
            fault.kind
        ]
        assert word in log
    client = router.endpoint("c1")
    for node in cluster.ids:  # every fault ended: every node answers again
        assert client.request(node, {"type": "echo", "text": "after"}, timeout=5) is not None
    assert os.path.isdir(cluster["n1"].data_dir)
