"""Stage 8: the term, the vote and the log survive kill -9.

First the tester plays n2 and n3 again: n1 votes for n2, is crashed and restarted, and
must still refuse n3 in that term. Then a cluster of three commits writes, all three are
crashed at once and restarted on the same data folders, and the writes must still be there.
"""

from __future__ import annotations

from crack.harness import Harness, StageFailure

from .common import ELECTION_BOUND_S, Client, LeaderWatch, start_cluster, tester, word
from .votes import ROUNDS, NodeMovedOn, ask_vote, highest_term

HINT_VOTE_KEPT = (
    "currentTerm, votedFor and the log are written to a file in --data-dir (and flushed to "
    "disk) before any reply that depends on them is sent, and read back at start: a node that "
    "forgets its vote after a crash can vote twice in one term"
)
HINT_LOG_KEPT = (
    "an entry is on disk in --data-dir before the node acknowledges it (append_entries_result, "
    "or the leader's own count): a committed entry must survive every node crashing"
)


@tester.stage("persistence")
def persistence(h: Harness) -> None:
    _vote_survives(h)
    _log_survives(h)


def _vote_survives(h: Harness) -> None:
    cluster, router = start_cluster(h, 1, peers=["n2", "n3"], folder="alone")
    n2, n3 = router.endpoint("n2"), router.endpoint("n3")
    term = h.random.randrange(5, 40)
    for _ in range(ROUNDS):
        term = max(term, highest_term(n2, n3)) + 10
        try:
            ask_vote(n2, term, granted=True, hint="a node that has not voted in a term grants its vote")
            cluster["n1"].restart()
            ask_vote(n3, term, granted=False, hint=HINT_VOTE_KEPT)
            ask_vote(n2, term, granted=True, hint=HINT_VOTE_KEPT)
            router.check_messages()
            h.log("n1 kept its term and its vote through a crash")
            return
        except NodeMovedOn as moved:
            h.log(f"n1 moved on to term {moved.term} by itself: starting again above it")
            term = moved.term
    raise StageFailure(f"n1 started a new election of its own during each of {ROUNDS} rounds of votes")


def _log_survives(h: Harness) -> None:
    cluster, router = start_cluster(h, 3, folder="cluster")
    watch = LeaderWatch(router)
    leader = watch.agreed_leader(cluster.ids, ELECTION_BOUND_S, h).node
    h.log(f"the three nodes agree on a leader within {ELECTION_BOUND_S:.0f} s")
    client = Client(router, "c1")
    writes = [(word(h), word(h)) for _ in range(3)]
    for key, value in writes:
        client.expect(leader, {"type": "put", "key": key, "value": value}, {"type": "put_ok"})
    for node in cluster.ids:
        cluster[node].crash()
    h.log("every node was crashed; they are restarted on the same data folders")
    for node in cluster.ids:
        cluster[node].start()
    leader = watch.agreed_leader(cluster.ids, ELECTION_BOUND_S, h).node
    h.log(f"the three nodes agree on a leader again within {ELECTION_BOUND_S:.0f} s")
    for key, value in writes:
        client.expect(leader, {"type": "get", "key": key}, {"type": "get_ok", "value": value}, HINT_LOG_KEPT)
    router.check_messages()
