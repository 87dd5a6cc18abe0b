"""Stage 11: a bounded number of messages, idle, per write, and to bring back a follower.

Counted by crack's network per link (:meth:`crack.harness.router.Router.link_counts`),
only between nodes (the tester's own status requests and clients are left out):

1. an idle cluster of three, for 2 s;
2. 30 writes, one after another, at the leader;
3. a follower cut off while 80 writes commit without it, then a new leader elected (the
   old one paused): the append_entries that leader sends the follower before their logs
   match, which a leader stepping back one entry per refusal spends by the dozen.
"""

from __future__ import annotations

import time
from collections import Counter

from crack.harness import Harness, StageFailure
from crack.harness.cluster import Cluster
from crack.harness.router import Router

from .common import ELECTION_BOUND_S, Client, LeaderWatch, show, start_cluster, tester, word

IDLE_S = 2.0
IDLE_RATE = 120
"""Messages per second between the nodes of an idle cluster of three: heartbeats every
50 ms make 80 (two followers, each heartbeat answered); 120 is a heartbeat every 33 ms."""
WRITES = 30
PER_WRITE = 10
"""Messages between nodes per write, on top of the idle allowance for the time taken."""
BEHIND = 80
"""Entries the paused follower misses."""
CATCH_UP_BUDGET = 20
"""append_entries from the new leader to the lagging follower before their logs match."""
COMMIT_S = 8.0
"""How long the write that needs the lagging follower may take."""

HINT_HEARTBEAT = (
    "send heartbeats every 50–100 ms, from a timer, not in a loop that runs as fast as it can: "
    "a heartbeat only has to come well within the election timeout (300–600 ms)"
)
HINT_PER_WRITE = (
    "replicate a new entry with one append_entries per follower (or let the next heartbeat "
    "carry it), and send each follower only the entries from its next index on"
)
HINT_JUMP = (
    "a follower whose log is shorter than prev_log_index can say how long its log is in its "
    'refusal (for instance "last_index"); the leader then sets that follower\'s next index '
    "just after it, instead of stepping back one entry per round trip"
)


def _between_nodes(counts: Counter[tuple[str, str, str]], nodes: list[str]) -> Counter[str]:
    kinds: Counter[str] = Counter()
    for (src, dest, kind), count in counts.items():
        if src in nodes and dest in nodes:
            kinds[kind] += count
    return kinds


def _difference(after: Counter[str], before: Counter[str]) -> Counter[str]:
    return Counter({kind: after[kind] - before[kind] for kind in after if after[kind] > before[kind]})


def _listing(kinds: Counter[str]) -> str:
    return ", ".join(f"{count} {kind}" for kind, count in kinds.most_common()) or "none"


@tester.stage("message-budget")
def message_budget(h: Harness) -> None:
    cluster, router = start_cluster(h, 3)
    watch = LeaderWatch(router)
    leader = watch.agreed_leader(cluster.ids, ELECTION_BOUND_S, h).node
    h.log(f"the three nodes agree on a leader within {ELECTION_BOUND_S:.0f} s")
    _idle(h, cluster, router)
    _per_write(h, cluster, router, leader)
    _catch_up(h, cluster, router, watch, leader)
    router.check_messages()


def _idle(h: Harness, cluster: Cluster, router: Router) -> None:
    before = _between_nodes(router.link_counts(), cluster.ids)
    h.sleep(IDLE_S)
    sent = _difference(_between_nodes(router.link_counts(), cluster.ids), before)
    total, allowed = sum(sent.values()), int(IDLE_RATE * IDLE_S)
    if total > allowed:
        raise StageFailure(
            f"with no client request for {IDLE_S:.0f} s, the three nodes sent each other "
            f"{total} messages ({_listing(sent)})\nexpected at most {allowed} "
            f"({IDLE_RATE} a second)",
            HINT_HEARTBEAT,
        )
    h.log(f"idle for {IDLE_S:.0f} s: {total} messages between the nodes (at most {allowed})")


def _per_write(h: Harness, cluster: Cluster, router: Router, leader: str) -> None:
    client = Client(router, "c1", quiet=True)
    key = word(h)
    before = _between_nodes(router.link_counts(), cluster.ids)
    began = time.monotonic()
    for _ in range(WRITES):
        client.expect(leader, {"type": "put", "key": key, "value": word(h)}, {"type": "put_ok"})
    took = time.monotonic() - began
    sent = _difference(_between_nodes(router.link_counts(), cluster.ids), before)
    total = sum(sent.values())
    allowed = WRITES * PER_WRITE + int(IDLE_RATE * took)
    if total > allowed:
        raise StageFailure(
            f"for {WRITES} puts sent one after another to the leader {leader} (in {took:.1f} s), "
            f"the nodes sent each other {total} messages ({_listing(sent)})\nexpected at most "
            f"{allowed}: {PER_WRITE} a write, and {IDLE_RATE} a second of heartbeats",
            HINT_PER_WRITE,
        )
    h.log(f"{WRITES} puts, one after another: {total} messages between the nodes (at most {allowed})")


def _catch_up(h: Harness, cluster: Cluster, router: Router, watch: LeaderWatch, leader: str) -> None:
    lagging, other = sorted(n for n in cluster.ids if n != leader)
    client = Client(router, "c2", quiet=True)
    router.partition([lagging], [leader, other])
    h.log(f"{lagging} is cut off; {BEHIND} puts commit without it")
    for index in range(BEHIND):
        client.expect(leader, {"type": "put", "key": f"k{index}", "value": word(h)}, {"type": "put_ok"})
    cluster[leader].pause()
    before = router.link_counts()  # the new leader starts repairing as soon as it is elected
    router.heal()
    h.log(f"the leader is paused and {lagging} let back: only {other}, whose log is complete, can win")
    new = watch.agreed_leader([lagging, other], ELECTION_BOUND_S, h).node
    h.log(f"the two running nodes agree on a leader within {ELECTION_BOUND_S:.0f} s")
    writer = Client(router, "c3")
    exchange = writer.call(new, {"type": "put", "key": word(h), "value": word(h)}, timeout=COMMIT_S)
    link = (new, lagging, "append_entries")
    sent = router.link_counts()[link] - before[link]
    if exchange.reply is None or exchange.reply.get("type") != "put_ok":
        got = "nothing" if exchange.reply is None else show(exchange.reply)
        raise StageFailure(
            f"{exchange.sent()}, which commits only once {lagging} ({BEHIND} entries behind) has "
            f"its log\nexpected a put_ok within {COMMIT_S:.0f} s\n     got {got} ({new} had sent "
            f"{lagging} {sent} append_entries by then)",
            HINT_JUMP,
        )
    if sent > CATCH_UP_BUDGET:
        raise StageFailure(
            f"{new}, elected while {lagging} was {BEHIND} entries behind, sent it {sent} "
            f"append_entries before a put could commit with it\nexpected at most "
            f"{CATCH_UP_BUDGET}",
            HINT_JUMP,
        )
    h.log(f"{new} brought {lagging} up to date with {sent} append_entries (at most {CATCH_UP_BUDGET})")
    cluster[leader].resume()
