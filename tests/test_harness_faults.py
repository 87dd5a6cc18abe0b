"""The seeded fault schedule: the same for the same seed, readable, and applied to a real
cluster by the nemesis."""

from __future__ import annotations

import os
import random
import time

from cluster_support import _cluster
from crack.harness import Harness
from crack.harness.faults import FaultKind, FaultSchedule, Nemesis


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


def test_the_nemesis_applies_a_schedule_to_a_real_cluster(node_harness: Harness) -> None:
    cluster, router = _cluster(node_harness)
    schedule = FaultSchedule.draw(
        random.Random(9), cluster.ids, duration=2.5, lasting=(0.3, 0.5), gap=(0.1, 0.2)
    )
    assert len(schedule.faults) >= 3
    nemesis = Nemesis(schedule, cluster, router, leader=lambda: "n2")
    nemesis.start()
    time.sleep(2.6)
    nemesis.stop()
    log = node_harness.log_session.text()
    for fault in schedule.faults:
        word = {"partition": "network: partition", "crash": "crash: SIGKILL", "pause": "pause: SIGSTOP"}[
            fault.kind
        ]
        assert word in log
    client = router.endpoint("c1")
    for node in cluster.ids:  # every fault ended: every node answers again
        assert client.request(node, {"type": "echo", "text": "after"}, timeout=5) is not None
    assert os.path.isdir(cluster["n1"].data_dir)
