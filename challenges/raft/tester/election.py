"""Stages 3 and 4: one leader that the others follow, and a new one when it fails.

Leadership is read from each node's answer to ``status``, polled every 100 ms. Every leader
seen is remembered by term: two nodes leading one term fail the stage whenever it happens.
"""

from __future__ import annotations

import time

from crack.harness import Harness, StageFailure

from .common import ELECTION_BOUND_S, POLL_S, STABLE_S, LeaderWatch, Status, start_cluster, tester

NO_QUORUM_S = 2.0
"""How long a node cut off from the majority is watched, never to lead."""

HINT_STABLE = (
    "a leader sends heartbeats (append_entries with no entries) to every peer more often than "
    "the election timeout, and a follower starts its election timer over on each one; a "
    "random election timeout (300–600 ms) keeps two nodes from timing out together"
)


@tester.stage("election")
def election(h: Harness) -> None:
    cluster, router = start_cluster(h, 3)
    watch = LeaderWatch(router)
    leader = watch.agreed_leader(cluster.ids, ELECTION_BOUND_S, h)
    h.log(f"n1, n2 and n3 agree on a leader within {ELECTION_BOUND_S:.0f} s")
    began = time.monotonic()
    while time.monotonic() - began < STABLE_S:
        for status in watch.poll(cluster.ids).values():
            if status.term != leader.term or status.role != (
                "leader" if status.node == leader.node else "follower"
            ):
                raise StageFailure(
                    f"{leader.node} led term {leader.term}, and with no node failing, "
                    f"{status.node} was then a {status.role} in term {status.term}",
                    HINT_STABLE,
                )
        time.sleep(POLL_S)
    h.log(f"the leader and the term stayed the same for {STABLE_S:.0f} s")
    router.check_messages()


@tester.stage("re-election")
def re_election(h: Harness) -> None:
    cluster, router = start_cluster(h, 3)
    watch = LeaderWatch(router)
    first = watch.agreed_leader(cluster.ids, ELECTION_BOUND_S, h)
    h.log(f"the three nodes agree on a leader within {ELECTION_BOUND_S:.0f} s; it is crashed")
    cluster[first.node].crash()
    rest = [n for n in cluster.ids if n != first.node]
    second = _new_leader(
        h, watch, rest, first.term, f"the leader was crashed ({first.node}, term {first.term})"
    )
    h.log(
        f"the two left agree on a new leader, in a newer term, within {ELECTION_BOUND_S:.0f} s; "
        "it is crashed too"
    )
    cluster[second.node].crash()
    alone = next(n for n in rest if n != second.node)
    began = time.monotonic()
    while time.monotonic() - began < NO_QUORUM_S:
        status = watch.poll([alone]).get(alone)
        if status is not None and status.role == "leader":
            raise StageFailure(
                f"with {first.node} and {second.node} crashed, {alone} was alone, and yet it said it "
                f"was the leader of term {status.term}",
                "a candidate leads only with the votes of a majority of all the nodes in --peers "
                "(itself included), whether or not they answer: 2 of 3, 3 of 5",
            )
        time.sleep(POLL_S)
    h.log(f"alone, the last node did not lead for {NO_QUORUM_S:.0f} s; the first crashed node is restarted")
    # One node only: both restarted together, knowing no term (nothing is kept on disk
    # before a later stage), could elect one of themselves in a term that already had a
    # leader. With the node that stayed up in every majority, each new term is a new one.
    cluster[first.node].restart()
    _new_leader(h, watch, sorted([alone, first.node]), second.term, "a crashed node was restarted")
    h.log(f"the two running nodes agree on a leader again within {ELECTION_BOUND_S:.0f} s")
    router.check_messages()


def _new_leader(h: Harness, watch: LeaderWatch, nodes: list[str], above: int, after: str) -> Status:
    try:
        leader = watch.agreed_leader(nodes, ELECTION_BOUND_S, h)
    except StageFailure as failure:
        raise StageFailure(
            f"after {after}: {failure.message}",
            "a follower that stops hearing heartbeats must notice: its election timer runs all "
            "the time, started over on each heartbeat, and when it fires the follower stands for election",
        ) from None
    if leader.term <= above:
        raise StageFailure(
            f"after {after}, {leader.node} leads term {leader.term}, not a newer term than {above}"
        )
    return leader
