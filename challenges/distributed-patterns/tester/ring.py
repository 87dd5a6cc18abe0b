"""The hash-ring stages: lookups, what moves when the nodes change, balance, exact ketama.

Placement is read in bulk: a batch of ``RING GET`` for a few thousand seeded keys gives the
program's whole mapping at once, so "which keys moved when a node joined" is a comparison
of two mappings, and each check names one key that went wrong.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Sequence
from typing import NoReturn

from crack.harness import StageFailure

from .client import LineClient
from .model import KetamaRing, key_position

KETAMA_HINT = (
    "ketama as uhashring builds it: for each node, labels <node>-0 to <node>-39; each label's MD5 "
    "gives 4 points (bytes 0-3, 4-7, 8-11, 12-15, each little-endian); a key's position is its "
    "MD5's bytes 0-3, little-endian; its node owns the first point strictly greater, wrapping"
)
ODD_KEYS = ["user:42", "ключ", "🍒-cherry", "a/b?c=d&e", "0", "-1", "RING", "GET", "x" * 300]


def node_names(rng: random.Random, count: int) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        name = f"{rng.choice(['cache', 'shard', 'db', 'node'])}-{rng.randrange(16**4):04x}"
        if name not in names:
            names.append(name)
    return names


def key_names(rng: random.Random, count: int) -> list[str]:
    prefixes = ["user", "session", "order", "cart", "img"]
    return [f"{rng.choice(prefixes)}:{rng.randrange(10**9)}" for _ in range(count)]


class RingClient:
    def __init__(self, client: LineClient) -> None:
        self.client = client
        self.nodes: list[str] = []
        self.removed: set[str] = set()

    def new(self, nodes: Sequence[str] = ()) -> None:
        self.client.expect("RING NEW", "OK")
        self.nodes = []
        self.removed = set()
        for node in nodes:
            self.add(node)

    def add(self, node: str) -> None:
        self.client.expect(f"RING ADD {node}", "OK")
        self.nodes.append(node)

    def remove(self, node: str) -> None:
        self.client.expect(f"RING REMOVE {node}", "OK")
        self.nodes.remove(node)
        self.removed.add(node)

    def placement(self, keys: Sequence[str], *, what: str, log: bool = True) -> dict[str, str]:
        """The node of every key (one batch), each checked to be a node on the ring."""
        if log:
            self.client.h.log(f"RING GET for {len(keys):,} keys ({what})")
        lines = [f"RING GET {key}" for key in keys]

        def check(line: str, reply: str) -> None:
            if reply not in self.nodes:
                gone = " (a node that was removed)" if reply in self.removed else ""
                self.client.fail(
                    line,
                    reply + gone,
                    f"one of the nodes on the ring: {', '.join(self.nodes)}",
                    "a key belongs to the node whose point comes first at or after the key's position "
                    "on the ring (wrapping around): only nodes added and not removed have points",
                )

        replies = self.client.batch(lines, check)
        return dict(zip(keys, replies, strict=True))


def fail_mapping(message: str, hint: str | None = None) -> NoReturn:
    raise StageFailure(message, hint)


def compare_same(before: dict[str, str], after: dict[str, str], why: str, hint: str) -> None:
    for key, node in before.items():
        if after[key] != node:
            fail_mapping(f"RING GET {key} answered {node} before and {after[key]} now: {why}", hint)


def check_add(ring: RingClient, keys: Sequence[str], node: str, before: dict[str, str]) -> dict[str, str]:
    ring.add(node)
    after = ring.placement(keys, what=f"after adding {node}")
    strays = [key for key in keys if after[key] != before[key] and after[key] != node]
    if strays:
        moved = sum(after[key] != before[key] for key in keys)
        key = strays[0]
        fail_mapping(
            f"after RING ADD {node}, {moved:,} of {len(keys):,} keys changed node, and {len(strays):,} of "
            f"them moved between old nodes: RING GET {key} answered {before[key]} before and "
            f"{after[key]} now",
            "a new node only takes keys: it puts its points on the ring, and a key moves only when one of "
            "the new points now comes first after it. Placing keys by hash modulo the number of nodes "
            "moves almost every key when that number changes",
        )
    ring.client.h.log(
        f"{sum(after[k] != before[k] for k in keys):,} of {len(keys):,} keys moved, all to {node}"
    )
    return after


def check_remove(ring: RingClient, keys: Sequence[str], node: str, before: dict[str, str]) -> dict[str, str]:
    ring.remove(node)
    after = ring.placement(keys, what=f"after removing {node}")
    for key in keys:
        if before[key] != node and after[key] != before[key]:
            fail_mapping(
                f"after RING REMOVE {node}, RING GET {key} answered {after[key]}, but it was on "
                f"{before[key]}, which is still on the ring",
                "removing a node moves only the keys it owned, each to the node whose point comes next "
                "on the ring; every other key stays where it was",
            )
    owned = sum(before[key] == node for key in keys)
    ring.client.h.log(f"the {owned:,} keys of {node} moved to other nodes; the rest stayed")
    return after


def check_balance(mapping: dict[str, str], nodes: Sequence[str], low: float, high: float) -> None:
    counts = Counter(mapping.values())
    mean = len(mapping) / len(nodes)
    shares = ", ".join(f"{node} {counts[node]:,}" for node in nodes)
    for node in nodes:
        if not low * mean <= counts[node] <= high * mean:
            fail_mapping(
                f"{len(mapping):,} keys over {len(nodes)} nodes is {mean:,.0f} each on average, but {node} "
                f"owns {counts[node]:,} ({counts[node] / mean:.2f}× the average; expected between "
                f"{low}× and {high}×)\nkeys per node: {shares}",
                "with one point per node the gaps between points vary wildly, and so does each node's "
                "share: give every node many points (100 or more virtual nodes, each at its own hash of "
                "the node's name and a number)",
            )


def check_ketama(ring: RingClient, model: KetamaRing, keys: Sequence[str], what: str) -> None:
    got = ring.placement(keys, what=what)
    for key in keys:
        want = model.get(key)
        if got[key] != want:
            position, point = model.place(key)
            wrapped = " (wrapping past the largest point to the first)" if point < position else ""
            tie = (
                " (exactly a point's value: the key goes to the next point, strictly greater)"
                if position in model.owners
                else ""
            )
            fail_mapping(
                f"RING GET {key}: expected {want}, got {got[key]}\n"
                f"the key's position is {position} (MD5 bytes 0-3, little-endian){tie}; the first point "
                f"after it is {point}, which belongs to {want}{wrapped}\n"
                f"nodes, in the order they were added: {', '.join(model.nodes)}",
                KETAMA_HINT,
            )


def edge_keys(model: KetamaRing, rng: random.Random) -> list[str]:
    """Keys on a point exactly, past the last point, and before the first one."""
    node = rng.choice(model.nodes)
    exact = [f"{node}-{label}" for label in rng.sample(range(40), 3)]
    found: list[str] = []
    for want in ("after", "before"):
        for n in range(200_000):
            key = f"wrap-{want}-{n}"
            position = key_position(key)
            if (want == "after" and position >= model.points[-1]) or (
                want == "before" and position < model.points[0]
            ):
                found.append(key)
                break
    return exact + found + ODD_KEYS


LOOKUPS = 1000


def timed_lookups(ring: RingClient, nodes: int, rng: random.Random) -> float:
    """Seconds per ``RING GET`` on a ring of ``nodes`` nodes: the ring is built (untimed),
    then 1,000 lookups are sent in one write and every reply is checked to be a node."""
    ring.new()
    names = node_names(rng, nodes)
    ring.client.expect_all([f"RING ADD {name}" for name in names], "OK")
    ring.nodes = list(names)
    keys = key_names(rng, LOOKUPS)
    start = time.perf_counter()
    ring.placement(keys, what=f"timed, {nodes} nodes", log=False)
    return (time.perf_counter() - start) / LOOKUPS
