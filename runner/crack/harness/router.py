"""The network of a multi-node challenge: every message between nodes passes through here.

Each node of the learner's program listens on its ``--port``; the router connects to it
once and that one connection carries everything the node sends and receives, as JSON lines
(Maelstrom's envelope)::

    {"src": "n1", "dest": "n2", "body": {"type": "request_vote", "term": 3, ...}}

Since no node ever reaches another directly, the tester owns the network: it can drop,
delay (and so reorder), duplicate and partition messages, and it counts them per kind
(``body.type``). The tester's own participants (clients, or peers it plays itself) are
:class:`Endpoint` objects with names of their own (``c1``, ``n9``) on the same network.

Faults are drawn from the seeded generator the router is given, but which message meets
which fault depends on the order messages arrive in, which threads decide: a seed replays
a stage's fault *schedule* (what is done to the network, and when), not each message's fate.
"""

from __future__ import annotations

import contextlib
import heapq
import json
import queue
import random
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from crack.harness.failure import StageFailure
from crack.harness.log import SessionLog

Message = dict[str, Any]

SEND_TIMEOUT_S = 1.0
"""How long a write to a node may block (a paused node's socket buffer full) before the
message is counted as lost."""

PROBLEMS_KEPT = 5
"""Malformed messages remembered for the failure message (the first are the telling ones)."""


@dataclass(frozen=True)
class LinkPolicy:
    """What the network does to each message on a link: lose it with probability ``drop``,
    send it twice with probability ``duplicate``, hold it for a time drawn uniformly from
    ``delay`` seconds (a range wider than zero reorders messages)."""

    drop: float = 0.0
    duplicate: float = 0.0
    delay: tuple[float, float] = (0.0, 0.0)

    def describe(self) -> str:
        parts = []
        if self.drop:
            parts.append(f"drops {self.drop:.0%}")
        if self.duplicate:
            parts.append(f"duplicates {self.duplicate:.0%}")
        if self.delay != (0.0, 0.0):
            parts.append(f"delays {self.delay[0] * 1000:.0f}–{self.delay[1] * 1000:.0f} ms")
        return ", ".join(parts) or "delivers every message at once"


RELIABLE = LinkPolicy()


@dataclass
class Tally:
    """Messages of one kind: sent by their source, delivered, lost (dropped by a fault, a
    partition, or a node that was down), and extra copies made."""

    sent: int = 0
    delivered: int = 0
    lost: int = 0
    duplicated: int = 0


class _NodeLink:
    """The router's connection to one running node."""

    def __init__(self, node_id: str, sock: socket.socket) -> None:
        self.node_id = node_id
        self.sock = sock
        self.write_lock = threading.Lock()
        self.open = True

    def write(self, line: bytes) -> bool:
        with self.write_lock:
            if not self.open:
                return False
            try:
                self.sock.sendall(line)
                return True
            except OSError:
                return False

    def reset(self) -> None:
        """Close with a reset (SO_LINGER 0): no TIME_WAIT is left on the node's port, so the
        node can listen on it again at once after a restart."""
        self.open = False
        with contextlib.suppress(OSError):
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()


class Endpoint:
    """A participant of the tester's own: a client, or a peer the tester plays."""

    def __init__(self, router: Router, name: str, *, quiet: bool = False) -> None:
        self.name = name
        self.quiet = quiet
        self._router = router
        self._inbox: queue.Queue[Message] = queue.Queue()
        self._held: list[Message] = []
        self._next_id = 0

    def new_id(self) -> int:
        """A ``msg_id`` this endpoint has not used yet."""
        self._next_id += 1
        return self._next_id

    def send(self, dest: str, body: Message) -> int:
        """Send ``body`` to ``dest`` with a fresh ``msg_id`` (unless it has one); returns it."""
        if "msg_id" not in body:
            body = {**body, "msg_id": self.new_id()}
        message = {"src": self.name, "dest": dest, "body": body}
        if not self.quiet:
            self._router.log.tester(f"{self.name} → {dest}: {json.dumps(body)}")
        self._router.route(message)
        return int(body["msg_id"])

    def _deliver(self, message: Message) -> None:
        self._inbox.put(message)

    def receive(self, timeout: float, match: Callable[[Message], bool] | None = None) -> Message | None:
        """The next message for this endpoint that ``match`` accepts (others are kept for later
        calls), or None after ``timeout`` seconds."""
        for index, message in enumerate(self._held):
            if match is None or match(message):
                return self._received(self._held.pop(index))
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                message = self._inbox.get(timeout=left)
            except queue.Empty:
                break
            if match is None or match(message):
                return self._received(message)
            self._held.append(message)
        return None

    def _received(self, message: Message) -> Message:
        if not self.quiet:
            self._router.log.tester(f"{message['src']} → {self.name}: {json.dumps(message['body'])}")
        return message

    def request(self, dest: str, body: Message, timeout: float) -> Message | None:
        """Send ``body`` and wait for the reply (``in_reply_to`` its ``msg_id``): the reply's
        body, or None when none came within ``timeout`` seconds."""
        msg_id = self.send(dest, body)
        reply = self.receive(timeout, lambda m: m["src"] == dest and m["body"].get("in_reply_to") == msg_id)
        return None if reply is None else dict(reply["body"])

    def drain(self) -> list[Message]:
        """Every message waiting for this endpoint, not logged (a tester inspects them)."""
        messages, self._held = self._held, []
        while True:
            try:
                messages.append(self._inbox.get_nowait())
            except queue.Empty:
                return messages


class Router:
    def __init__(self, log: SessionLog, rng: random.Random) -> None:
        self.log = log
        self._rng = rng
        self._lock = threading.Lock()
        self._links: dict[str, _NodeLink] = {}
        self._nodes: set[str] = set()
        self._endpoints: dict[str, Endpoint] = {}
        self._groups: list[set[str]] | None = None
        self._policy: LinkPolicy = RELIABLE
        self._policies: dict[tuple[str, str], LinkPolicy] = {}
        self.tally: dict[str, Tally] = {}
        self._by_link: Counter[tuple[str, str, str]] = Counter()
        self.problems: list[str] = []
        self._heap: list[tuple[float, int, Message]] = []
        self._seq = 0
        self._wake = threading.Condition(self._lock)
        self._closed = False
        self._scheduler = threading.Thread(target=self._deliver_later, name="router", daemon=True)
        self._scheduler.start()

    # --- membership ------------------------------------------------------------------------
    def add_node(self, node_id: str) -> None:
        """A node of the learner's program, known to the network before it runs (messages to
        a node that is down are lost, not refused)."""
        with self._lock:
            self._nodes.add(node_id)

    def attach(self, node_id: str, port: int, host: str = "127.0.0.1", timeout: float = 2.0) -> None:
        """Connect to the node's port: from now on it sends and receives through the router."""
        self.add_node(node_id)
        try:
            sock = socket.create_connection((host, port), timeout=timeout)
        except OSError as exc:
            raise StageFailure(
                f"crack's network could not connect to node {node_id} on port {port}: {exc.strerror or exc}",
                hint="each node listens on the port given by --port and accepts the network's connection",
            ) from None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.settimeout(SEND_TIMEOUT_S)
        link = _NodeLink(node_id, sock)
        with self._lock:
            old = self._links.get(node_id)
            self._links[node_id] = link
        if old is not None:
            old.reset()
        threading.Thread(target=self._read, args=(link,), name=f"router-{node_id}", daemon=True).start()

    def detach(self, node_id: str) -> None:
        """Cut the node off (before a crash): its connection is reset and messages to it lost."""
        with self._lock:
            link = self._links.pop(node_id, None)
        if link is not None:
            link.reset()

    def endpoint(self, name: str, *, quiet: bool = False) -> Endpoint:
        endpoint = Endpoint(self, name, quiet=quiet)
        with self._lock:
            self._endpoints[name] = endpoint
        return endpoint

    # --- faults ----------------------------------------------------------------------------
    def partition(self, *groups: Iterable[str]) -> None:
        """Only members of one group reach each other; a name in no group (a client) reaches
        everyone."""
        sets = [set(group) for group in groups]
        with self._lock:
            self._groups = sets
        self.log.tester("network: partition " + " | ".join("{" + ", ".join(sorted(g)) + "}" for g in sets))

    def heal(self) -> None:
        with self._lock:
            self._groups = None
        self.log.tester("network: partition healed")

    def set_policy(self, policy: LinkPolicy, src: str | None = None, dest: str | None = None) -> None:
        """The policy of every link, or of the one from ``src`` to ``dest``."""
        with self._lock:
            if src is None or dest is None:
                self._policy = policy
                self._policies.clear()
            else:
                self._policies[(src, dest)] = policy
        where = "every link" if src is None or dest is None else f"{src} → {dest}"
        self.log.tester(f"network: {where} {policy.describe()}")

    def _separated(self, src: str, dest: str) -> bool:
        if self._groups is None:
            return False
        src_group = next((g for g in self._groups if src in g), None)
        dest_group = next((g for g in self._groups if dest in g), None)
        return src_group is not None and dest_group is not None and src_group is not dest_group

    # --- traffic ---------------------------------------------------------------------------
    def _read(self, link: _NodeLink) -> None:
        buffer = b""
        while link.open:
            try:
                chunk = link.sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                break
            if not chunk:
                break
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for raw in lines:
                if raw.strip():
                    self._accept(link.node_id, raw)
        link.open = False

    def _accept(self, node_id: str, raw: bytes) -> None:
        """A line a node wrote: checked, counted, routed."""
        shown = raw[:200].decode("utf-8", errors="replace")
        try:
            message = json.loads(raw)
        except ValueError:
            return self._problem(f"node {node_id} sent a line that is not JSON: {shown}")
        if not isinstance(message, dict) or not isinstance(message.get("body"), dict):
            return self._problem(f'node {node_id} sent a message without a "body" object: {shown}')
        if message.get("src") != node_id:
            return self._problem(f'node {node_id} sent a message whose "src" is not "{node_id}": {shown}')
        if not isinstance(message["body"].get("type"), str):
            return self._problem(f'node {node_id} sent a message whose body has no "type": {shown}')
        dest = message.get("dest")
        with self._lock:
            known = dest in self._nodes or dest in self._endpoints
        if not known:
            return self._problem(
                f'node {node_id} sent a message to "{dest}", which is not on the network: {shown}'
            )
        self.route(message)

    def _problem(self, text: str) -> None:
        with self._lock:
            if len(self.problems) < PROBLEMS_KEPT:
                self.problems.append(text)

    def route(self, message: Message) -> None:
        """Send ``message`` on its way: through its link's faults to its destination."""
        src, dest, kind = message["src"], message["dest"], str(message["body"].get("type"))
        with self._lock:
            tally = self.tally.setdefault(kind, Tally())
            tally.sent += 1
            self._by_link[(src, dest, kind)] += 1
            if self._separated(src, dest):
                tally.lost += 1
                return
            policy = self._policies.get((src, dest), self._policy)
            copies = 1
            if policy.drop and self._rng.random() < policy.drop:
                tally.lost += 1
                return
            if policy.duplicate and self._rng.random() < policy.duplicate:
                copies, tally.duplicated = 2, tally.duplicated + 1
            for _ in range(copies):
                delay = self._rng.uniform(*policy.delay) if policy.delay != (0.0, 0.0) else 0.0
                self._seq += 1
                heapq.heappush(self._heap, (time.monotonic() + delay, self._seq, message))
            self._wake.notify()

    def _deliver_later(self) -> None:
        while True:
            with self._lock:
                while not self._closed and (not self._heap or self._heap[0][0] > time.monotonic()):
                    self._wake.wait(None if not self._heap else max(self._heap[0][0] - time.monotonic(), 0))
                if self._closed:
                    return
                _, _, message = heapq.heappop(self._heap)
                dest = message["dest"]
                link, endpoint = self._links.get(dest), self._endpoints.get(dest)
            delivered = False
            if endpoint is not None:
                endpoint._deliver(message)
                delivered = True
            elif link is not None:
                delivered = link.write(json.dumps(message).encode() + b"\n")
            with self._lock:
                tally = self.tally[str(message["body"].get("type"))]
                if delivered:
                    tally.delivered += 1
                else:
                    tally.lost += 1

    # --- reading the results ---------------------------------------------------------------
    def counts(self) -> Counter[str]:
        """Messages sent per kind so far."""
        with self._lock:
            return Counter({kind: t.sent for kind, t in self.tally.items()})

    def link_counts(self) -> Counter[tuple[str, str, str]]:
        """Messages sent so far per (source, destination, kind): what one node sent another,
        which the totals per kind cannot tell (a budget for one link, a lagging follower)."""
        with self._lock:
            return Counter(self._by_link)

    def check_messages(self) -> None:
        """Fail with the first malformed message any node sent."""
        with self._lock:
            problems = list(self.problems)
        if problems:
            raise StageFailure(
                "\n".join(problems),
                hint='every line a node writes is one JSON object: {"src": its own id, "dest": '
                'another node or a client, "body": {"type": …, …}}, ended by a newline',
            )

    def close(self) -> None:
        with self._lock:
            self._closed = True
            links = list(self._links.values())
            self._links.clear()
            self._wake.notify()
        for link in links:
            link.reset()
        self._scheduler.join(1.0)
