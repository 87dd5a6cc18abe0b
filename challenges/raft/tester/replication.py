"""Stage 5: a write is acknowledged only once a majority of the nodes has it in its log."""

from __future__ import annotations

from crack.harness import Harness, StageFailure

from .common import ELECTION_BOUND_S, REPLY_S, Client, LeaderWatch, show, start_cluster, tester, word

PAUSED_S = 1.5
"""How long both followers stay paused while the leader holds a write it cannot commit."""

HINT_MAJORITY = (
    "the leader appends the write to its log and sends it to the followers in append_entries; "
    "it applies it and answers the client only once a majority of the nodes (itself included) "
    "has it in its log: that is what commits it"
)


@tester.stage("replication")
def replication(h: Harness) -> None:
    cluster, router = start_cluster(h, 3)
    watch = LeaderWatch(router)
    leader = watch.agreed_leader(cluster.ids, ELECTION_BOUND_S, h).node
    h.log(f"the three nodes agree on a leader within {ELECTION_BOUND_S:.0f} s: the client talks to it")
    client = Client(router, "c1")
    key, held_key = word(h), word(h)
    first, second, third, held = word(h), word(h), word(h), word(h)
    client.expect(leader, {"type": "put", "key": key, "value": first}, {"type": "put_ok"}, HINT_MAJORITY)
    client.expect(leader, {"type": "get", "key": key}, {"type": "get_ok", "value": first}, HINT_MAJORITY)
    client.expect(leader, {"type": "cas", "key": key, "from": first, "to": second}, {"type": "cas_ok"})
    client.expect(
        leader,
        {"type": "cas", "key": key, "from": first, "to": third},
        {"type": "error", "code": "precondition_failed"},
    )
    followers = [n for n in cluster.ids if n != leader]
    for follower in followers:
        cluster[follower].pause()
    h.log("both followers are paused: the leader alone is no majority, so no write can commit")
    request = {"type": "put", "key": held_key, "value": held}
    msg_id = client.endpoint.send(leader, request)
    early = client.endpoint.receive(PAUSED_S, lambda m: m["body"].get("in_reply_to") == msg_id)
    if early is not None and early["body"].get("type") == "put_ok":
        raise StageFailure(
            f"sent {show({**request, 'msg_id': msg_id})} to the leader while both followers were paused\n"
            f"expected no put_ok while they are paused\n     got {show(early['body'])}: the write was "
            "acknowledged with only the leader holding it, and would be lost if the leader crashed now",
            HINT_MAJORITY,
        )
    h.log(f"no put_ok in {PAUSED_S:.1f} s; the followers are resumed")
    for follower in followers:
        cluster[follower].resume()
    late = early or client.endpoint.receive(2 * REPLY_S, lambda m: m["body"].get("in_reply_to") == msg_id)
    committed = late is not None and late["body"].get("type") == "put_ok"
    leader = watch.agreed_leader(cluster.ids, ELECTION_BOUND_S, h).node
    h.log(f"the three nodes agree on a leader within {ELECTION_BOUND_S:.0f} s")
    client.expect(leader, {"type": "get", "key": key}, {"type": "get_ok", "value": second}, HINT_MAJORITY)
    if committed:
        client.expect(
            leader, {"type": "get", "key": held_key}, {"type": "get_ok", "value": held}, HINT_MAJORITY
        )
    client.expect(leader, {"type": "put", "key": key, "value": third}, {"type": "put_ok"}, HINT_MAJORITY)
    client.expect(leader, {"type": "get", "key": key}, {"type": "get_ok", "value": third}, HINT_MAJORITY)
    router.check_messages()
