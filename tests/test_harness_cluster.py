"""A cluster of real processes: a crash ends the whole process tree and a restart keeps the
data folder; a paused node answers only once resumed."""

from __future__ import annotations

from pathlib import Path

from cluster_support import _alive, _cluster
from crack.harness import Harness


def test_a_crash_kills_the_whole_tree_and_a_restart_keeps_the_data(node_harness: Harness) -> None:
    cluster, router = _cluster(node_harness, size=1)
    node = cluster["n1"]
    client = router.endpoint("c1")
    child = int((node.data_dir / "child.pid").read_text())
    assert _alive(child)
    crashed = node.process
    node.crash()
    assert not _alive(child) and not node.running
    assert crashed is not None and crashed.ended_by_us  # the verdict notes no death of its own
    assert client.request("n1", {"type": "starts"}, timeout=0.3) is None
    node.restart()
    reply = client.request("n1", {"type": "starts"}, timeout=5)
    assert reply is not None and reply["starts"] == 2
    assert node.starts == 2


def test_a_paused_node_answers_only_after_it_resumes(node_harness: Harness) -> None:
    cluster, router = _cluster(node_harness, size=1)
    client = router.endpoint("c1")
    cluster["n1"].pause()
    process = cluster["n1"].process
    assert process is not None
    state = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    assert state == "T"  # pause returns once the node has stopped, not when the signal is sent
    assert client.request("n1", {"type": "echo", "text": "frozen"}, timeout=0.5) is None
    cluster["n1"].resume()
    late = client.receive(5)
    assert late is not None and late["body"]["text"] == "frozen"
