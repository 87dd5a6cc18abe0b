"""Stage 6: any node answers a client, and no answer is stale.

A follower forwards a client's request to the leader and relays the answer. Two checks:
a follower cut off from the leader by a partition must not answer a get from its own,
older copy; then concurrent clients send requests to nodes drawn at random, and each key's
history must be linearizable (:mod:`crack.harness.linearizability`).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from crack.harness import Harness, StageFailure
from crack.harness.linearizability import Kind, Operation, first_violation
from crack.harness.router import Router

from .common import ELECTION_BOUND_S, POLL_S, REPLY_S, Client, LeaderWatch, show, start_cluster, tester, word

CLIENTS = 3
OPERATIONS = 10
"""Per client: 30 operations on 2 keys, a history checked in milliseconds."""

HINT_FORWARD = (
    "a node that does not lead sends the client's request on to the leader (with a msg_id of "
    "its own), and when the leader's answer comes back, relays it to the client with the "
    "client's msg_id in in_reply_to"
)
HINT_STALE = (
    "a follower's copy of the store may be behind the leader's (and the leader it follows may "
    "have been replaced): a read answered from it can be stale; forward reads to the leader "
    "like writes"
)


@tester.stage("forwarding")
def forwarding(h: Harness) -> None:
    cluster, router = start_cluster(h, 3)
    watch = LeaderWatch(router)
    leader = watch.agreed_leader(cluster.ids, ELECTION_BOUND_S, h).node
    h.log(f"the three nodes agree on a leader within {ELECTION_BOUND_S:.0f} s")
    follower, other = sorted(n for n in cluster.ids if n != leader)
    # ``follower`` is cut off below; it must first hold the value (it is polled quietly
    # until it reads it), so a follower that answers reads from its own copy always answers
    # the same stale value.
    client = Client(router, "c1")
    key, first, second = word(h), word(h), word(h)
    client.expect(follower, {"type": "put", "key": key, "value": first}, {"type": "put_ok"}, HINT_FORWARD)
    _settle(h, router, follower, key, first)
    router.partition([follower], [leader, other])
    client.expect(leader, {"type": "put", "key": key, "value": second}, {"type": "put_ok"})
    exchange = client.call(follower, {"type": "get", "key": key})
    if (
        exchange.reply is not None
        and exchange.reply.get("type") == "get_ok"
        and exchange.reply.get("value") != second
    ):
        raise StageFailure(
            f"{exchange.sent()}, cut off from the leader by a partition, after the leader "
            f"acknowledged the put of {show(second)}\nexpected {show(second)}, an error or no "
            f"answer (it cannot reach the leader)\n     got {show(exchange.reply)}: a stale read",
            HINT_STALE,
        )
    answer = "no answer" if exchange.reply is None else f"a {exchange.reply.get('type')}"
    h.log(f"the cut-off follower gave no stale answer ({answer})")
    router.heal()
    watch.agreed_leader(cluster.ids, ELECTION_BOUND_S, h)
    h.log(f"healed; the three nodes agree on a leader within {ELECTION_BOUND_S:.0f} s")
    _concurrent_history(h, router, cluster.ids)
    router.check_messages()


def _settle(h: Harness, router: Router, node: str, key: str, value: str) -> None:
    """Wait (quietly) until ``node`` reads ``value``, so what it holds is known."""
    quiet = Client(router, "c9", quiet=True)
    began = time.monotonic()
    while time.monotonic() - began < REPLY_S:
        reply = quiet.call(node, {"type": "get", "key": key}).reply
        if reply is not None and reply.get("value") == value:
            return
        time.sleep(POLL_S)


def _concurrent_history(h: Harness, router: Router, nodes: list[str]) -> None:
    keys = [word(h), word(h)]
    plans = [
        [
            (h.random.choice(nodes), h.random.choice(["get", "put", "put", "cas"]), h.random.choice(keys))
            for _ in range(OPERATIONS)
        ]
        for _ in range(CLIENTS)
    ]
    values = iter([word(h) for _ in range(CLIENTS * OPERATIONS * 2)])
    h.log(f"{CLIENTS} clients send {OPERATIONS} requests each at once, every one to a node drawn at random")
    history: list[Operation] = []
    problems: list[str] = []
    lock = threading.Lock()
    began = time.monotonic()

    def run(index: int) -> None:
        client = Client(router, f"c{index + 10}", quiet=True)
        seen: dict[str, str | None] = {}
        for node, kind, key in plans[index]:
            with lock:
                value, expected = next(values), seen.get(key)
            if kind == "cas" and expected is None:
                kind = "get"  # nothing to compare with yet
            body: dict[str, Any] = {"type": kind, "key": key}
            if kind == "put":
                body["value"] = value
            elif kind == "cas":
                body.update({"from": expected, "to": value})
            invoked = time.monotonic()
            exchange = client.call(node, body)
            completed = time.monotonic()
            reply = exchange.reply
            ok = reply is not None and (
                reply.get("type") == f"{kind}_ok"
                or (kind == "cas" and reply.get("code") == "precondition_failed")
            )
            if not ok:
                with lock:
                    problems.append(
                        f"client {client.name} {exchange.sent()}\n"
                        f"     got {'nothing' if reply is None else show(reply)}"
                    )
                return
            assert reply is not None
            result = reply.get("value") if kind == "get" else value
            succeeded = reply.get("type") == f"{kind}_ok"
            if kind != "cas" or succeeded:
                seen[key] = result
            with lock:
                history.append(
                    Operation(
                        client.name,
                        Kind(kind),
                        key,
                        invoked - began,
                        completed - began,
                        value=result,
                        expected=expected if kind == "cas" else None,
                        ok=succeeded,
                    )
                )

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(h.remaining() - 1, 0))
    if problems:
        raise StageFailure(
            f"with no failure in the cluster, a request got an error, or no answer within "
            f"{REPLY_S:.0f} s:\n{problems[0]}",
            HINT_FORWARD,
        )
    violation = first_violation(history)
    if violation is not None:
        raise StageFailure(violation.describe(), HINT_STALE)
    h.log(f"all {len(history)} requests answered; each key's history is linearizable")
