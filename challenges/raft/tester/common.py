"""What every stage uses: the Tester, a cluster behind crack's network, clients, leaders.

Each node is started as ``--id n1 --peers n1,n2,n3 --port P --data-dir D``; the router
connects to its port and carries every message, the clients' (``c1``, ``c2``…) and the
nodes' own. Timing is checked against generous bounds stated on the pages; a status is
polled every :data:`POLL_S`, never trusted once.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from crack.harness import Harness, StageFailure
from crack.harness.cluster import Cluster, Node
from crack.harness.router import Endpoint, Router
from crack.tester import Tester

tester = Tester("raft")

POLL_S = 0.1
ELECTION_BOUND_S = 4.0
"""A leader must be known this long after the cluster starts or the leader fails (the page
says so): ten times a 400 ms election timeout, for a loaded machine."""
STABLE_S = 2.0
"""How long a cluster with no failure must keep its leader and term."""
REPLY_S = 2.0
"""How long a client waits for an answer to one request from a cluster that works."""

WORDS = [
    "apple", "birch", "cedar", "delta", "ember", "fjord", "grove", "harbor", "iris", "juniper",
    "kiwi", "lemon", "maple", "nectar", "olive", "pepper", "quartz", "river", "saffron", "tulip",
]  # fmt: skip

HINT_ENVELOPE = (
    'every message is one line of JSON, {"src": …, "dest": …, "body": {…}}; a reply goes to the '
    'message\'s "src" and carries "in_reply_to": the request\'s "msg_id"'
)


HINT_ELECT = (
    "a follower that hears from no leader for its election timeout (a random 300–600 ms) "
    "becomes a candidate: it increments its term, votes for itself and asks every peer for "
    "its vote; with the votes of a majority it leads, and tells everyone with heartbeats"
)
HINT_NAME_THE_LEADER = (
    'a follower records the "leader" of each append_entries it accepts, and names it in its '
    'status: "leader" is null only while a node knows of no leader'
)


def word(h: Harness) -> str:
    return f"{h.random.choice(WORDS)}-{h.random.randrange(100, 1000)}"


def node_ids(size: int) -> list[str]:
    return [f"n{i}" for i in range(1, size + 1)]


def start_cluster(
    h: Harness, size: int, peers: Sequence[str] = (), *, folder: str = "nodes"
) -> tuple[Cluster, Router]:
    """Nodes n1…n<size> of the learner's program; ``peers``: more nodes named in ``--peers``
    that the tester plays itself."""
    ids = node_ids(size)
    everyone = ",".join([*ids, *peers])

    def args(node: Node) -> list[str]:
        return [
            "--id",
            node.id,
            "--peers",
            everyone,
            "--port",
            str(node.port),
            "--data-dir",
            str(node.data_dir),
        ]

    router = Router(h.log_session, h.random)
    h.defer(router.close)
    cluster = Cluster(h, ids, args, router, folder=folder)
    h.log(
        f"Starting {size} node{'s' if size > 1 else ''} ({', '.join(ids)}); every message "
        "between them goes through crack's network"
    )
    cluster.start()
    return cluster, router


def show(body: object) -> str:
    return json.dumps(body)


@dataclass
class Exchange:
    """One request and what came back (None: nothing within the time allowed)."""

    node: str
    request: dict[str, Any]
    reply: dict[str, Any] | None

    def sent(self) -> str:
        return f"sent {show(self.request)} to {self.node}"


class Client:
    """A client of the cluster on crack's network."""

    def __init__(self, router: Router, name: str, *, quiet: bool = False) -> None:
        self.endpoint: Endpoint = router.endpoint(name, quiet=quiet)
        self.name = name
        self.router = router

    def call(self, node: str, body: dict[str, Any], timeout: float = REPLY_S) -> Exchange:
        request = {**body, "msg_id": self.endpoint.new_id()}
        reply = self.endpoint.request(node, request, timeout)
        return Exchange(node, request, reply)

    def expect(
        self, node: str, body: dict[str, Any], expected: dict[str, Any], hint: str | None = None
    ) -> dict[str, Any]:
        """Send ``body`` and fail unless the reply has every field of ``expected``."""
        exchange = self.call(node, body)
        reply = exchange.reply
        wanted = show(expected)
        if reply is None:
            self.router.check_messages()  # a reply the network could not route says why
            others = [m["body"] for m in self.endpoint.drain() if m["src"] == node]
            if others:
                raise StageFailure(
                    f'{exchange.sent()}\nexpected {wanted} with "in_reply_to": {exchange.request["msg_id"]}\n'
                    f"     got {show(others[-1])}",
                    'a reply carries "in_reply_to": the "msg_id" of the request it answers',
                )
            raise StageFailure(
                f"{exchange.sent()}\nexpected {wanted} within {REPLY_S:.0f} s\n     got nothing",
                hint or f'a reply goes to the request\'s "src" ({self.name}) with "in_reply_to" set',
            )
        wrong = [k for k, v in expected.items() if k not in reply or reply[k] != v]
        if wrong:
            why = ", ".join(f'"{k}" should be {show(expected[k])}' for k in wrong)
            raise StageFailure(f"{exchange.sent()}\nexpected {wanted}\n     got {show(reply)}: {why}", hint)
        return reply


@dataclass(frozen=True)
class Status:
    node: str
    role: str
    term: int
    leader: str | None


def poll_statuses(client: Client, nodes: Sequence[str], timeout: float = 0.5) -> dict[str, Status]:
    """Each node's answer to a status request (a node that does not answer in time is left out).

    A status request may arrive at any time, so it is answered at once by every node, even
    one in the middle of an election."""
    ids = {client.endpoint.send(node, {"type": "status"}): node for node in nodes}
    found: dict[str, Status] = {}
    deadline = time.monotonic() + timeout
    while len(found) < len(ids) and (left := deadline - time.monotonic()) > 0:
        message = client.endpoint.receive(left, lambda m: m["body"].get("in_reply_to") in ids)
        if message is None:
            break
        body = message["body"]
        node = ids[body["in_reply_to"]]
        if body.get("type") != "status_ok" or body.get("role") not in ("leader", "follower", "candidate"):
            raise StageFailure(
                f'sent {{"type": "status"}} to {node}\n     got {show(body)}\n'
                'expected {"type": "status_ok", "role": "leader" | "follower" | "candidate", '
                '"term": N, "leader": id or null}'
            )
        if not isinstance(body.get("term"), int):
            raise StageFailure(f'{node} answered a status with {show(body)}: "term" must be an integer')
        found[node] = Status(node, body["role"], body["term"], body.get("leader"))
    return found


def describe_statuses(statuses: Iterable[Status]) -> str:
    """Leaders first, then the others by id: one reading of the cluster, in words."""

    def words(status: Status) -> str:
        if status.role == "leader":
            return f"{status.node} leads term {status.term}"
        follows = f"follows {status.leader}" if status.leader else "knows no leader"
        return f"{status.node} is a {status.role} in term {status.term} and {follows}"

    ordered = sorted(statuses, key=lambda s: (s.role != "leader", s.node))
    return "; ".join(words(status) for status in ordered)


class LeaderWatch:
    """Polls every node's status and remembers every leader seen, to catch two in one term."""

    def __init__(self, router: Router) -> None:
        self.client = Client(router, "c0", quiet=True)
        self.leaders: dict[int, str] = {}

    def poll(self, nodes: Sequence[str]) -> dict[str, Status]:
        statuses = poll_statuses(self.client, nodes)
        for status in statuses.values():
            if status.role != "leader":
                continue
            other = self.leaders.setdefault(status.term, status.node)
            if other != status.node:
                raise StageFailure(
                    f"{other} and {status.node} both said they were the leader of term {status.term}",
                    "a node votes at most once per term, and a candidate needs the votes of a majority "
                    "of all the nodes (itself included): two majorities always share a node",
                )
        return statuses

    def agreed_leader(self, nodes: Sequence[str], within: float, h: Harness) -> Status:
        """Wait until one of ``nodes`` leads and every other one of them follows it in its term."""
        began = time.monotonic()
        last: dict[str, Status] = {}
        while time.monotonic() - began < within and h.remaining() > 0.5:
            last = self.poll(nodes)
            leaders = [s for s in last.values() if s.role == "leader"]
            if len(last) == len(nodes) and len(leaders) == 1:
                leader = leaders[0]
                if all(
                    s.term == leader.term and s.leader == leader.node
                    for s in last.values()
                    if s is not leader
                ):
                    return leader
            time.sleep(POLL_S)
        seen = describe_statuses(last.values()) or "no node answered"
        missing = [n for n in nodes if n not in last]
        leaders = [st for st in last.values() if st.role == "leader"]
        unnamed = len(leaders) == 1 and any(
            st.leader is None for st in last.values() if st.role == "follower"
        )
        raise StageFailure(
            f"no leader that {', '.join(nodes)} all agree on within {within:.0f} s of the start "
            f"(last statuses: {seen}{'; no answer from ' + ', '.join(missing) if missing else ''})",
            HINT_NAME_THE_LEADER if unnamed else HINT_ELECT,
        )
