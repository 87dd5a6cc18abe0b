"""Stage 7: an old leader's log, which diverged from the majority's, is repaired.

The leader is cut off alone and given writes it can never commit; the other two elect a
new leader and commit other writes at the same log positions. After the partition heals,
the old leader must drop its uncommitted entries for the new leader's: crack then makes it
needed for every commit (the third node cut off), and finally makes it the leader (the new
one paused), where any entry it kept from its time alone would show in what it reads, and
where it must bring the third node's log, which missed a write, up to date.
"""

from __future__ import annotations

from crack.harness import Harness, StageFailure

from .common import ELECTION_BOUND_S, Client, LeaderWatch, show, start_cluster, tester, word

ALONE_S = 0.3
"""How long each write sent to the cut-off leader is waited for (it cannot be committed)."""
COMMIT_S = 4.0
"""How long a write may take once the old leader's log must be repaired before it commits."""

HINT_TRUNCATE = (
    "when a follower accepts append_entries, an entry of its log at the same index as a new "
    "one but of another term conflicts: delete it and everything after it, then append the "
    "new entries; the leader's entries always win"
)
HINT_BACK_OFF = (
    "when a follower refuses append_entries (no entry at prev_log_index with prev_log_term), "
    "the leader steps that follower's next index back and sends again, until their logs meet"
)


@tester.stage("catch-up")
def catch_up(h: Harness) -> None:
    cluster, router = start_cluster(h, 3)
    watch = LeaderWatch(router)
    old = watch.agreed_leader(cluster.ids, ELECTION_BOUND_S, h).node
    h.log(f"the three nodes agree on a leader within {ELECTION_BOUND_S:.0f} s")
    client = Client(router, "c1")
    key, other = word(h), word(h)
    first, lost, lost_too, kept, kept_too, last = (word(h) for _ in range(6))
    client.expect(old, {"type": "put", "key": key, "value": first}, {"type": "put_ok"})
    rest = sorted(n for n in cluster.ids if n != old)
    router.partition([old], rest)
    h.log("the leader is cut off alone: the writes it is sent now can never be committed")
    for value in (lost, lost_too):
        exchange = client.call(old, {"type": "put", "key": key, "value": value}, timeout=ALONE_S)
        if exchange.reply is not None and exchange.reply.get("type") == "put_ok":
            raise StageFailure(
                f"{exchange.sent()}, cut off alone by a partition\nexpected no put_ok (it holds no "
                f"majority)\n     got {show(exchange.reply)}",
                "a write is acknowledged only once a majority of the nodes holds it",
            )
    new = watch.agreed_leader(rest, ELECTION_BOUND_S, h).node
    h.log(f"the two others agree on a new leader within {ELECTION_BOUND_S:.0f} s")
    client.expect(new, {"type": "put", "key": key, "value": kept}, {"type": "put_ok"})
    client.expect(new, {"type": "put", "key": key, "value": kept_too}, {"type": "put_ok"})
    third = next(n for n in rest if n != new)
    router.partition([third], [old, new])
    h.log(
        "the old leader rejoins and the third node is cut off: a write now commits only once "
        "the old leader's log matches"
    )
    exchange = client.call(new, {"type": "put", "key": other, "value": last}, timeout=COMMIT_S)
    if exchange.reply is None or exchange.reply.get("type") != "put_ok":
        got = "nothing" if exchange.reply is None else show(exchange.reply)
        raise StageFailure(
            f"{exchange.sent()}, with the old leader back and the third node cut off\nexpected "
            f'{{"type": "put_ok"}} within {COMMIT_S:.0f} s\n     got {got}',
            HINT_BACK_OFF,
        )
    cluster[new].pause()
    router.heal()
    h.log("the new leader paused and the partition healed: only the old leader can win an election now")
    leader = watch.agreed_leader([old, third], ELECTION_BOUND_S, h).node
    h.log(f"the two running nodes agree on a leader within {ELECTION_BOUND_S:.0f} s")
    for asked, value in ((key, kept_too), (other, last)):
        exchange = client.call(leader, {"type": "get", "key": asked}, timeout=COMMIT_S)
        expected = {"type": "get_ok", "value": value}
        if exchange.reply is None:
            raise StageFailure(
                f"{exchange.sent()}\nexpected {show(expected)} within {COMMIT_S:.0f} s\n     got nothing: "
                "nothing commits without the third node, so its log must be brought up to date",
                HINT_BACK_OFF,
            )
        if exchange.reply.get("type") != "get_ok" or exchange.reply.get("value") != value:
            raise StageFailure(
                f"{exchange.sent()}\nexpected {show(expected)}\n     got {show(exchange.reply)}",
                HINT_TRUNCATE if exchange.reply.get("value") in (lost, lost_too) else None,
            )
    cluster[new].resume()
    router.check_messages()
