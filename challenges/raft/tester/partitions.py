"""Stage 10: linearizable through partitions, crashes and pauses; a node back from a
partition deposes no one.

Three parts, on five nodes:

1. The leader and one follower are cut off: a write sent to the leader must not be
   acknowledged, and once the three others have elected a leader and acknowledged a newer
   write, the old leader must not answer a read with the old value (a deposed leader that
   answers reads from its own store does).
2. One follower is cut off for 2 s and let back: the leader must still lead, in the same
   term. A node that raised its term in elections of its own while alone deposes it as
   soon as it is back (pre-vote is the cure).
3. A seeded fault schedule (:mod:`crack.harness.faults`: partitions of a minority, crashes,
   pauses, printed and replayed by ``--seed``) runs while three clients send requests to
   nodes drawn at random; the history must be linearizable
   (:mod:`crack.harness.linearizability`), and once the faults end the cluster must answer.
"""

from __future__ import annotations

import contextlib
import threading
import time
from typing import Any

from crack.harness import Harness, StageFailure
from crack.harness.cluster import Cluster
from crack.harness.faults import FaultKind, FaultSchedule, Nemesis
from crack.harness.linearizability import Kind, Operation, first_violation
from crack.harness.router import Router

from .common import (
    ELECTION_BOUND_S,
    POLL_S,
    STABLE_S,
    Client,
    LeaderWatch,
    Status,
    show,
    start_cluster,
    tester,
    word,
)

HELD_S = 0.5
"""How long a write sent to the cut-off side is watched for an acknowledgement."""
STALE_READ_S = 1.0
"""How long the deposed leader's answer to a read is waited for (no answer is fine)."""
ALONE_S = 2.0
"""How long one follower stays cut off in part 2: several election timeouts."""
FAULTS_S = 8.0
"""How long the fault schedule of part 3 runs."""
CLIENTS = 3
KEYS = 3
PLANNED = 40
"""Requests per client at most: about one every 0.2 s while the faults run, so the history
stays small enough to check in a moment and the log short of any snapshot threshold."""
PACE_S = 0.2
"""The least time between the starts of two requests of one client."""
CALL_S = 1.0
"""How long a client of part 3 waits for each answer before it gives up (the request may
or may not have taken effect) and sends the next."""
FINAL_S = 4.0
"""How long each read after the faults may take (the page says so)."""

HINT_MINORITY = (
    "a write is acknowledged only once a majority of all the nodes holds it: a leader cut "
    "off with a minority keeps the write in its log, uncommitted, and answers nothing"
)
HINT_STALE = (
    "a leader cut off from the majority does not know it has been replaced: a get answered "
    "from its own store can be stale. Reads go through the log like writes (or confirm with a "
    "majority that the leader still leads before answering)"
)
HINT_PRE_VOTE = (
    "a follower cut off from the others times out and starts elections, raising its term; "
    "back on the network, its newer term makes the leader step down. Pre-vote: before an "
    "election, ask the others whether they would vote (pre_vote, for term + 1, without "
    "changing your own term); a node that has heard from its leader within the election "
    "timeout says no; only with a majority of yeses start the real election"
)
HINT_AVAILABLE = (
    "after the faults end, the nodes must agree on a leader again and answer: a node back "
    "from a crash reads its state from --data-dir, a resumed leader learns the newer term "
    "from the first message it receives"
)


@tester.stage("partitions")
def partitions(h: Harness) -> None:
    cluster, router = start_cluster(h, 5)
    watch = LeaderWatch(router)
    _minority_side(h, cluster, router, watch)
    _back_without_disruption(h, cluster, router, watch)
    _under_faults(h, cluster, router, watch)
    router.check_messages()


def _minority_side(h: Harness, cluster: Cluster, router: Router, watch: LeaderWatch) -> None:
    leader = watch.agreed_leader(cluster.ids, ELECTION_BOUND_S, h).node
    h.log(f"the five nodes agree on a leader within {ELECTION_BOUND_S:.0f} s")
    client = Client(router, "c1")
    key, first, cut_off, newer = word(h), word(h), word(h), word(h)
    client.expect(leader, {"type": "put", "key": key, "value": first}, {"type": "put_ok"})
    follower = h.random.choice(sorted(n for n in cluster.ids if n != leader))
    three = sorted(n for n in cluster.ids if n not in (leader, follower))
    router.partition([leader, follower], three)
    h.log("the leader and one follower are cut off from the three others")
    exchange = client.call(leader, {"type": "put", "key": key, "value": cut_off}, timeout=HELD_S)
    if exchange.reply is not None and exchange.reply.get("type") == "put_ok":
        raise StageFailure(
            f"{exchange.sent()}, cut off with one follower: two of five nodes\nexpected no put_ok "
            f"(no majority can hold it)\n     got {show(exchange.reply)}",
            HINT_MINORITY,
        )
    other = watch.agreed_leader(three, ELECTION_BOUND_S, h).node
    h.log(f"the three others agree on a new leader within {ELECTION_BOUND_S:.0f} s")
    client.expect(other, {"type": "put", "key": key, "value": newer}, {"type": "put_ok"})
    exchange = client.call(leader, {"type": "get", "key": key}, timeout=STALE_READ_S)
    reply = exchange.reply
    if reply is not None and reply.get("type") == "get_ok" and reply.get("value") != newer:
        raise StageFailure(
            f"{exchange.sent()}, the old leader, cut off, after {other} acknowledged the put of "
            f"{show(newer)}\nexpected {show({'type': 'get_ok', 'value': newer})}, an error or no "
            f"answer\n     got {show(reply)}: a stale read",
            HINT_STALE,
        )
    h.log(f"the old leader gave no stale answer ({'no answer' if reply is None else reply.get('type')})")
    router.heal()


def _back_without_disruption(h: Harness, cluster: Cluster, router: Router, watch: LeaderWatch) -> None:
    leader = watch.agreed_leader(cluster.ids, ELECTION_BOUND_S, h)
    h.log(f"healed; the five nodes agree on a leader within {ELECTION_BOUND_S:.0f} s")
    alone = h.random.choice(sorted(n for n in cluster.ids if n != leader.node))
    router.partition([alone], [n for n in cluster.ids if n != alone])
    h.log(f"one follower is cut off alone for {ALONE_S:.0f} s, then let back")
    h.sleep(ALONE_S)
    router.heal()
    began = time.monotonic()
    while time.monotonic() - began < STABLE_S:
        statuses = watch.poll(cluster.ids)
        now = statuses.get(leader.node)
        if now is not None and (now.role != "leader" or now.term != leader.term):
            raise StageFailure(
                f"{leader.node} led term {leader.term} while {alone} was cut off alone for "
                f"{ALONE_S:.0f} s; after {alone} was let back, {_said(now)}"
                f"{_back(statuses.get(alone))}: with no node failing, the leader was deposed",
                HINT_PRE_VOTE,
            )
        time.sleep(POLL_S)
    h.log(f"{leader.node} still leads term {leader.term} {STABLE_S:.0f} s after the follower is back")


def _said(status: Status) -> str:
    if status.role == "leader":
        return f"{status.node} leads term {status.term}"
    return f"{status.node} is a {status.role} in term {status.term}"


def _back(status: Status | None) -> str:
    return "" if status is None else f" ({status.node}: a {status.role} in term {status.term})"


def _under_faults(h: Harness, cluster: Cluster, router: Router, watch: LeaderWatch) -> None:
    leader = watch.agreed_leader(cluster.ids, ELECTION_BOUND_S, h).node
    schedule = FaultSchedule.draw(
        h.random,
        cluster.ids,
        duration=FAULTS_S,
        kinds=(FaultKind.PARTITION, FaultKind.PARTITION, FaultKind.CRASH, FaultKind.PAUSE),
        lasting=(0.6, 1.8),
        gap=(0.3, 0.8),
        leader_bias=0.5,
    )
    h.log(schedule.describe())
    keys = [word(h) for _ in range(KEYS)]
    kinds = ["get", "put", "cas"]
    plans = [
        [
            (h.random.choice(cluster.ids), h.random.choice(kinds), h.random.choice(keys))
            for _ in range(PLANNED)
        ]
        for _ in range(CLIENTS)
    ]
    values = iter([word(h) for _ in range(CLIENTS * PLANNED)])
    lock = threading.Lock()
    history: list[Operation] = []
    stop = threading.Event()
    began = time.monotonic()
    current = [leader]

    def who_leads() -> str | None:
        return current[0]

    nemesis = Nemesis(schedule, cluster, router, leader=who_leads)
    h.log(f"{CLIENTS} clients send requests to nodes drawn at random while the faults run")

    def run(index: int) -> None:
        client = Client(router, f"c{index + 10}", quiet=True)
        seen: dict[str, str | None] = {}
        for node, kind, key in plans[index]:
            if stop.is_set():
                return
            with lock:
                value = next(values)
            expected = seen.get(key)
            if kind == "cas" and expected is None:
                kind = "get"
            body: dict[str, Any] = {"type": kind, "key": key}
            if kind == "put":
                body["value"] = value
            elif kind == "cas":
                body.update({"from": expected, "to": value})
            invoked = time.monotonic()
            reply = client.call(node, body, timeout=CALL_S).reply
            completed = time.monotonic()
            time.sleep(max(PACE_S - (completed - invoked), 0.0))
            op = _operation(client.name, kind, key, invoked - began, completed - began, body, reply)
            if op is None:
                continue
            if not op.timed_out and (kind != "cas" or op.ok):
                seen[key] = op.value
            with lock:
                history.append(op)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(CLIENTS)]
    nemesis.start()
    for thread in threads:
        thread.start()
    try:
        while time.monotonic() - began < FAULTS_S and h.remaining() > 10:
            statuses = watch.poll([node.id for node in cluster.running()])
            leaders = [s.node for s in statuses.values() if s.role == "leader"]
            if leaders:
                current[0] = max(leaders, key=lambda n: statuses[n].term)
            time.sleep(POLL_S)
    except BaseException:
        stop.set()
        with contextlib.suppress(Exception):
            nemesis.stop()
        raise
    stop.set()
    for thread in threads:
        thread.join(timeout=CALL_S + 1)
    nemesis.stop()
    router.heal()
    h.log("the faults are over (partitions healed, nodes restarted or resumed)")
    final_leader = watch.agreed_leader(cluster.ids, ELECTION_BOUND_S, h).node
    h.log(f"the five nodes agree on a leader within {ELECTION_BOUND_S:.0f} s")
    reader = Client(router, "c9")
    for key in keys:
        invoked = time.monotonic()
        exchange = reader.call(final_leader, {"type": "get", "key": key}, timeout=FINAL_S)
        if exchange.reply is None or exchange.reply.get("type") != "get_ok":
            got = "nothing" if exchange.reply is None else show(exchange.reply)
            raise StageFailure(
                f"{exchange.sent()} after the faults ended\nexpected a get_ok within {FINAL_S:.0f} s\n"
                f"     got {got}",
                HINT_AVAILABLE,
            )
        history.append(
            Operation(
                reader.name,
                Kind.GET,
                key,
                invoked - began,
                time.monotonic() - began,
                value=exchange.reply.get("value"),
            )
        )
    answered = sum(1 for op in history if not op.timed_out)
    violation = first_violation(history)
    if violation is not None:
        raise StageFailure(
            f"{schedule.describe()}\n{violation.describe()}",
            f"{HINT_MINORITY}; {HINT_STALE}",
        )
    h.log(f"{len(history)} requests ({answered} answered); each key's history is linearizable")


def _operation(
    client: str,
    kind: str,
    key: str,
    invoked: float,
    completed: float,
    body: dict[str, Any],
    reply: dict[str, Any] | None,
) -> Operation | None:
    """The history's record of one request: None for a definite refusal (not_leader,
    unavailable: it did not happen); a request without an answer, or with another error,
    may or may not have happened."""
    value = body.get("value") if kind == "put" else body.get("to")
    expected = body.get("from")
    if reply is not None and reply.get("type") == f"{kind}_ok":
        got = reply.get("value") if kind == "get" else value
        return Operation(client, Kind(kind), key, invoked, completed, value=got, expected=expected)
    if reply is not None and kind == "cas" and reply.get("code") == "precondition_failed":
        return Operation(client, Kind.CAS, key, invoked, completed, value=value, expected=expected, ok=False)
    if reply is not None and reply.get("code") in DEFINITE:
        return None
    if kind == "get":
        return None  # a read that never answered constrains nothing
    return Operation(client, Kind(kind), key, invoked, None, value=value, expected=expected)


DEFINITE = ("not_leader", "unavailable")
"""Error codes that say the request was not carried out (nothing entered the log)."""
