"""Shared by the multi-node harness tests: a harness whose program is a small test node
(tests/programs/network_node.py), and a cluster of it behind a router."""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crack.harness import Harness, ProgramSpec
from crack.harness.cluster import Cluster, Node
from crack.harness.log import SessionLog
from crack.harness.router import Router

NODE = Path(__file__).parent / "programs" / "network_node.py"


@pytest.fixture
def node_harness(tmp_path: Path) -> Iterator[Harness]:
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
