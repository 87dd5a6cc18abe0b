"""The raft challenge's tester: one function per stage slug of challenge.yaml.

The learner's program runs as several nodes (``--id n1 --peers n1,n2,n3 --port P
--data-dir D``) behind crack's network (:mod:`crack.harness.router`), which carries every
message between nodes and from clients, and is crashed, restarted and paused through
:mod:`crack.harness.cluster`.

- ``common``: the ``Tester``, starting a cluster, clients, polling who leads.
- the stages, in order: ``kv``, ``votes``, ``election`` (election, re-election),
  ``replication``, ``forwarding``, ``catch_up``, ``persistence``, ``figure_8``, ``partitions``,
  ``message_budget``, ``snapshots``.
"""

from __future__ import annotations

# Importing the stage modules registers their functions on ``tester``.
from .catch_up import catch_up
from .common import tester
from .election import election, re_election
from .figure_8 import figure_8
from .forwarding import forwarding
from .kv import kv
from .message_budget import message_budget
from .partitions import partitions
from .persistence import persistence
from .replication import replication
from .snapshots import snapshots
from .votes import votes

__all__ = [
    "catch_up",
    "election",
    "figure_8",
    "forwarding",
    "kv",
    "message_budget",
    "partitions",
    "persistence",
    "re_election",
    "replication",
    "snapshots",
    "tester",
    "votes",
]
