"""What the tester expects: the ketama ring uhashring builds, and the Bloom filter formulas.

The ring model follows uhashring's ``hash_fn="ketama"`` exactly (tests hold it to
uhashring): each node of weight 1 has 40 labels ``<node>-0`` … ``<node>-39``; the MD5
digest of a label gives four points, read as little-endian 32-bit integers from bytes
0-3, 4-7, 8-11 and 12-15; a key's position is the first four bytes of its own MD5 digest,
little-endian; its node owns the first point strictly greater than that position,
wrapping to the first point of the ring.
"""

from __future__ import annotations

import bisect
import hashlib
import math

LABELS_PER_NODE = 40
POINTS_PER_LABEL = 4


def key_position(key: str) -> int:
    return int.from_bytes(hashlib.md5(key.encode()).digest()[:4], "little")


def node_points(node: str) -> list[int]:
    points: list[int] = []
    for label in range(LABELS_PER_NODE):
        digest = hashlib.md5(f"{node}-{label}".encode()).digest()
        points.extend(int.from_bytes(digest[i * 4 : i * 4 + 4], "little") for i in range(POINTS_PER_LABEL))
    return points


class KetamaRing:
    def __init__(self) -> None:
        self.nodes: list[str] = []
        self.points: list[int] = []
        self.owners: dict[int, str] = {}

    def add(self, node: str) -> None:
        if node not in self.nodes:
            self.nodes.append(node)
            self._build()

    def remove(self, node: str) -> None:
        self.nodes.remove(node)
        self._build()

    def _build(self) -> None:
        # As uhashring: nodes in the order they were added, a later node's point wins a tie.
        self.owners = {}
        for node in self.nodes:
            for point in node_points(node):
                self.owners[point] = node
        self.points = sorted(self.owners)

    def place(self, key: str) -> tuple[int, int]:
        """The key's position and the point that owns it."""
        position = key_position(key)
        index = bisect.bisect_right(self.points, position)
        return position, self.points[index % len(self.points)]

    def get(self, key: str) -> str:
        return self.owners[self.place(key)[1]]


def bloom_bits(expected: int, rate: float) -> float:
    """The optimal number of bits for ``expected`` items at a false-positive ``rate``."""
    return -expected * math.log(rate) / math.log(2) ** 2


def bloom_hashes(bits: float, expected: int) -> float:
    """The optimal number of hash functions for that size."""
    return bits / expected * math.log(2)
