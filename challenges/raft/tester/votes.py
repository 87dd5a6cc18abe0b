"""Stage 2: a node answers RequestVote: one vote per term, never for a stale term.

The tester plays n2 and n3, the learner's program is n1; a node that already runs
elections of its own (a later stage's program) may move to a newer term between two
requests, so a round that finds the node in a term the tester did not send starts again,
in a term above it."""

from __future__ import annotations

from typing import Any

from crack.harness import Harness, StageFailure
from crack.harness.router import Endpoint

from .common import show, start_cluster, tester

REPLY_S = 1.0
ROUNDS = 3

HINT_TWICE = (
    "a node keeps, with its term, whom it voted for in that term (votedFor): a second "
    "candidate in the same term is refused, the same candidate asking again is granted again"
)
HINT_STALE = "a request from an older term is refused, with the node's own (newer) term in the reply"
HINT_NEWER = (
    "a request with a newer term than the node's makes it adopt that term and forget its "
    "vote (votedFor is per term) before deciding"
)


class NodeMovedOn(Exception):
    def __init__(self, term: int) -> None:
        self.term = term


@tester.stage("votes")
def votes(h: Harness) -> None:
    _, router = start_cluster(h, 1, peers=["n2", "n3"])
    n2, n3 = router.endpoint("n2"), router.endpoint("n3")
    term = h.random.randrange(5, 40)
    for _ in range(ROUNDS):
        term = max(term, highest_term(n2, n3)) + 10
        try:
            _round(n2, n3, term)
            router.check_messages()
            return
        except NodeMovedOn as moved:
            h.log(f"n1 moved on to term {moved.term} by itself: starting again above it")
            term = moved.term
    raise StageFailure(f"n1 started a new election of its own during each of {ROUNDS} rounds of votes")


def _round(n2: Endpoint, n3: Endpoint, term: int) -> None:
    ask_vote(
        n2,
        term,
        granted=True,
        hint="a node that has not voted in a term grants its vote to the first candidate",
    )
    ask_vote(n3, term, granted=False, hint=HINT_TWICE)
    ask_vote(n2, term, granted=True, hint=HINT_TWICE)
    ask_vote(n3, term - 3, granted=False, hint=HINT_STALE, reply_term=term)
    ask_vote(n3, term + 1, granted=True, hint=HINT_NEWER)


def ask_vote(
    candidate: Endpoint, term: int, *, granted: bool, hint: str, reply_term: int | None = None
) -> None:
    expected_term = term if reply_term is None else reply_term
    request: dict[str, Any] = {
        "type": "request_vote",
        "term": term,
        "candidate": candidate.name,
        "last_log_index": 0,
        "last_log_term": 0,
    }
    reply = candidate.request("n1", request, REPLY_S)
    expected = {"type": "request_vote_result", "term": expected_term, "vote_granted": granted}
    sent = f"{candidate.name} sent {show(request)} to n1"
    if reply is None:
        raise StageFailure(
            f"{sent}\nexpected {show(expected)} within {REPLY_S:.0f} s\n     got nothing",
            f'answer a request_vote with a request_vote_result sent to its "src" ({candidate.name}), '
            '"in_reply_to" its "msg_id"',
        )
    got_term = reply.get("term")
    if isinstance(got_term, int) and got_term > max(term, expected_term):
        raise NodeMovedOn(got_term)
    wrong = [k for k in ("type", "term", "vote_granted") if reply.get(k) != expected[k]]
    if wrong:
        why = ", ".join(f'"{k}" should be {show(expected[k])}' for k in wrong)
        raise StageFailure(f"{sent}\nexpected {show(expected)}\n     got {show(reply)}: {why}", hint)


def highest_term(*peers: Endpoint) -> int:
    """The highest term in what n1 sent the tester's peers (its own elections), if anything."""
    terms = [m["body"].get("term") for peer in peers for m in peer.drain()]
    return max((t for t in terms if isinstance(t, int)), default=0)
