"""N copies of the learner's program, each a node with its own id, port and data folder.

A node is started like any program of the harness (its own session, containment, output
captured and labelled ``[your_program n1]``), and can be made to fail the way machines do:

- :meth:`Node.crash`: SIGKILL of its whole process tree at once, no time to clean up, as a
  power cut; :meth:`Node.restart` starts it again with the same arguments and data folder,
  which is all a real machine keeps.
- :meth:`Node.pause`: SIGSTOP of its whole tree (a long GC pause, a VM frozen), until
  :meth:`Node.resume`. Its peers cannot tell a paused node from a dead one; it comes back
  with every timer it set long expired.

With a :class:`~crack.harness.router.Router`, every node is connected to the network once
it listens, and cut off from it before a crash.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from crack.harness import proctree
from crack.harness.process import ProgramProcess
from crack.harness.router import Router

if TYPE_CHECKING:
    from crack.harness.harness import Harness


class Node:
    def __init__(self, cluster: Cluster, node_id: str, port: int, data_dir: Path) -> None:
        self.id = node_id
        self.port = port
        self.data_dir = data_dir
        self.process: ProgramProcess | None = None
        self.paused = False
        self.starts = 0
        self._cluster = cluster

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    def args(self) -> list[str]:
        return self._cluster.args_for(self)

    def launch(self) -> ProgramProcess:
        """Start the program; does not wait for it (see :meth:`Cluster.start`)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.process = self._cluster.h.start_program(self.args(), name=self.id)
        self.paused = False
        self.starts += 1
        return self.process

    def connect(self) -> None:
        """Wait until the node listens, then connect it to the network."""
        assert self.process is not None
        self._cluster.h.wait_for_port(self.process, self.port)
        if self._cluster.router is not None:
            self._cluster.router.attach(self.id, self.port)

    def start(self) -> None:
        self.launch()
        self.connect()

    def crash(self) -> None:
        """SIGKILL the node's whole process tree at once, and wait until it is gone."""
        if self.process is None:
            return
        self._cluster.h.log(f"crash: SIGKILL to node {self.id} and every process it started")
        if self._cluster.router is not None:
            self._cluster.router.detach(self.id)
        proctree.signal_tree(self.process.pid, signal.SIGKILL)
        self.process.stop(grace=0.0)
        self.process.ended_by_us = True  # the tester's crash, not the program's: no note
        self.paused = False

    def restart(self) -> None:
        """Crash it if it runs, then start it again on the same port and data folder."""
        if self.running:
            self.crash()
        self._cluster.h.log(f"restart: node {self.id} with the same data folder")
        self.start()

    def pause(self) -> None:
        if self.process is None or self.paused:
            return
        self._cluster.h.log(f"pause: SIGSTOP to node {self.id} and every process it started")
        proctree.wait_stopped(proctree.signal_tree(self.process.pid, signal.SIGSTOP))
        self.paused = True

    def resume(self) -> None:
        if self.process is None or not self.paused:
            return
        self._cluster.h.log(f"resume: SIGCONT to node {self.id}")
        proctree.signal_tree(self.process.pid, signal.SIGCONT)
        self.paused = False


ArgsFor = Callable[[Node], list[str]]


class Cluster:
    """Nodes ``ids`` of the learner's program; ``args_for(node)`` is each one's command line
    (the tester's arguments: its id, its peers, its port, its data folder)."""

    def __init__(
        self,
        h: Harness,
        ids: Sequence[str],
        args_for: ArgsFor,
        router: Router | None = None,
        *,
        folder: str = "nodes",
    ) -> None:
        """``folder``: where in the stage's scratch the nodes' data folders go (two clusters
        in one stage need two)."""
        self.h = h
        self.args_for = args_for
        self.router = router
        self.nodes: dict[str, Node] = {}
        for node_id in ids:
            self.nodes[node_id] = Node(self, node_id, h.free_port(), h.scratch / folder / node_id)
            if router is not None:
                router.add_node(node_id)
        h.defer(self._resume_all)

    @property
    def ids(self) -> list[str]:
        return list(self.nodes)

    def __getitem__(self, node_id: str) -> Node:
        return self.nodes[node_id]

    def start(self) -> None:
        """Start every node at once, then wait for each to listen (a node may wait for its
        peers before it listens; starting them one by one would then never end)."""
        for node in self.nodes.values():
            node.launch()
        for node in self.nodes.values():
            node.connect()

    def running(self) -> list[Node]:
        return [node for node in self.nodes.values() if node.running and not node.paused]

    def _resume_all(self) -> None:
        """At teardown: a stopped process would ignore SIGTERM until killed."""
        for node in self.nodes.values():
            if node.paused and node.running:
                node.resume()
