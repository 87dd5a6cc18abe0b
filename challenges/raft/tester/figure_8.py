"""Stage 9: an entry of an earlier term is never committed by counting replicas (Figure 8).

Five nodes, and the tester's partitions replay Figure 8 of the Raft paper. With L the
first leader, F one follower, M the leader the other three elect, G1 and G2 the two
others:

(a) {L, F} | {M, G1, G2}: a put of K = A to L reaches F alone; the three elect M;
(b) {L, F} | {M} | {G1, G2}: a put of K2 = B to M stays in M's log alone;
(c) {L, G1, G2} | {M} | {F}: only L can lead (its log is the most up to date); it brings
    A to G1 and G2, on three of five nodes — a majority, but of an earlier term;
(d) {M, G1, G2} | {L} | {F}: only M can lead (its last entry, B, has the newest term);
    it overwrites A with B on G1 and G2.

A leader that committed A in (c) by counting its replicas answered put_ok for a write the
cluster then loses: the get of K in (d) shows the old value. Which node may win each
election is forced by the logs, whatever the timers, so the scenario is deterministic.
"""

from __future__ import annotations

from typing import Any

from crack.harness import Harness, StageFailure
from crack.harness.router import Message

from .common import Client, LeaderWatch, show, start_cluster, tester, word

ELECTION_S = 6.0
"""How long each election may take here (the page says so): a node must first learn the
newer term of the others, and a node refused because its log is behind tries again."""
HELD_S = 0.5
"""How long a put that cannot be committed is waited for before the next partition."""
ACK_S = 2.0
"""How long the write of (a) may take to be acknowledged once its first leader leads again."""
REPLY_S = 4.0
"""How long each get of (d) may take: the new leader may first repair the others' logs."""

HINT_FIGURE_8 = (
    "a leader commits by counting replicas only an entry of its own term; an entry of an "
    "earlier term held by a majority can still be overwritten by a candidate whose last entry "
    "has a newer term (Figure 8 of the Raft paper). It is committed when an entry of the "
    "current term after it is: advance the commit index only to an index whose entry has the "
    "leader's current term"
)


@tester.stage("figure-8")
def figure_8(h: Harness) -> None:
    cluster, router = start_cluster(h, 5)
    watch = LeaderWatch(router)
    first = watch.agreed_leader(cluster.ids, ELECTION_S, h).node
    h.log(f"the five nodes agree on a leader within {ELECTION_S:.0f} s")
    client = Client(router, "c1")
    key, other = word(h), word(h)
    old, a_value, b_value = word(h), word(h), word(h)
    client.expect(first, {"type": "put", "key": key, "value": old}, {"type": "put_ok"})
    follower = h.random.choice(sorted(n for n in cluster.ids if n != first))
    three = sorted(n for n in cluster.ids if n not in (first, follower))

    router.partition([first, follower], three)
    h.log("(a) the leader and one follower are cut off from the three others; the leader is sent a put")
    a_request: dict[str, Any] = {"type": "put", "key": key, "value": a_value}
    a_id = client.endpoint.send(first, a_request)
    second = watch.agreed_leader(three, ELECTION_S, h).node
    h.log(f"the three others agree on a new leader within {ELECTION_S:.0f} s")
    _no_ack_yet(client, first, a_request, a_id, "with only two of the five nodes")
    pair = [n for n in three if n != second]

    router.partition([first, follower], [second], pair)
    h.log("(b) the new leader is cut off alone and sent a put of another key")
    b_request: dict[str, Any] = {"type": "put", "key": other, "value": b_value}
    b_id = client.endpoint.send(second, b_request)
    h.sleep(HELD_S)
    _no_ack_yet(client, second, b_request, b_id, "cut off alone")

    router.partition([first, *pair], [second], [follower])
    h.log(
        "(c) the first leader, whose log holds the put, is joined with the two nodes that "
        "followed the second: only it can win their votes"
    )
    third = watch.agreed_leader([first, *pair], ELECTION_S, h)
    h.log(f"they agree on a leader within {ELECTION_S:.0f} s")
    a_reply = client.endpoint.receive(ACK_S, _reply_to(first, a_id))
    a_acked = a_reply is not None and a_reply["body"].get("type") == "put_ok"
    h.log(
        "the first put was acknowledged"
        if a_acked
        else f"the first put was not acknowledged within {ACK_S:.0f} s"
    )

    router.partition([second, *pair], [first], [follower])
    h.log(
        "(d) the second leader, whose log holds the other put in a newer term, is joined with "
        "the same two nodes; the first leader is cut off"
    )
    fourth = watch.agreed_leader([second, *pair], ELECTION_S, h).node
    h.log(f"they agree on a leader within {ELECTION_S:.0f} s")
    b_reply = client.endpoint.receive(0.0, _reply_to(second, b_id))
    b_acked = b_reply is not None and b_reply["body"].get("type") == "put_ok"
    for asked, written, acked in ((key, a_value, a_acked), (other, b_value, b_acked)):
        before = old if asked == key else None
        exchange = client.call(fourth, {"type": "get", "key": asked}, timeout=REPLY_S)
        reply = exchange.reply
        allowed = [written] if acked else [before, written]
        if reply is None:
            raise StageFailure(
                f"{exchange.sent()}, which three of the five nodes follow\nexpected a get_ok "
                f"within {REPLY_S:.0f} s\n     got nothing",
                "a leader followed by a majority commits a client's request, and answers it",
            )
        if reply.get("type") != "get_ok" or reply.get("value") not in allowed:
            if acked and asked == key:
                raise StageFailure(
                    _lost_write(exchange.sent(), reply, a_request, a_id, first, third.term, pair),
                    HINT_FIGURE_8,
                )
            wanted = " or ".join(show({"type": "get_ok", "value": v}) for v in allowed)
            raise StageFailure(f"{exchange.sent()}\nexpected {wanted}\n     got {show(reply)}")
    h.log("no acknowledged write was lost")
    router.heal()
    router.check_messages()


def _reply_to(node: str, msg_id: int) -> Any:
    return lambda m: m["src"] == node and m["body"].get("in_reply_to") == msg_id


def _no_ack_yet(client: Client, node: str, request: dict[str, Any], msg_id: int, how: str) -> None:
    """Fail if ``node`` has acknowledged ``request`` already (any other reply stays waiting)."""
    early: Message | None = client.endpoint.receive(
        0.0, lambda m: _reply_to(node, msg_id)(m) and m["body"].get("type") == "put_ok"
    )
    if early is not None:
        raise StageFailure(
            f"sent {show({**request, 'msg_id': msg_id})} to {node}, {how}\n"
            f"expected no put_ok (no majority holds it)\n     got {show(early['body'])}",
            "a write is acknowledged only once a majority of the nodes holds it",
        )


def _lost_write(
    sent: str,
    reply: dict[str, Any],
    a_request: dict[str, Any],
    a_id: int,
    first: str,
    term: int,
    pair: list[str],
) -> str:
    return (
        f"{first} answered put_ok to {show({**a_request, 'msg_id': a_id})} after it led term {term} "
        f"with {pair[0]} and {pair[1]}: three of the five nodes then held the entry, but it was "
        f"of an earlier term\nthen the others elected a leader whose log ends with a newer term, "
        f"which overwrote it, and c1 {sent}\n"
        f"expected {show({'type': 'get_ok', 'value': a_request['value']})}: the put was acknowledged\n"
        f"     got {show(reply)}: an acknowledged write was lost"
    )
