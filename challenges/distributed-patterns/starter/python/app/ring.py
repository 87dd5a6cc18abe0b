"""Your consistent-hash ring. The driver (main.py) creates it and calls these methods.

Read each stage with `crack task`: each method says which stage first needs it. Until you
write a method it raises NotImplementedError, and crack shows that error.
"""

from __future__ import annotations


class HashRing:
    """Maps keys to nodes so that adding or removing a node moves only a few keys."""

    def __init__(self) -> None:
        pass

    def add(self, node: str) -> None:
        """Put `node` on the ring (stage hash-ring)."""
        raise NotImplementedError("HashRing.add is not written yet")

    def remove(self, node: str) -> None:
        """Take `node` off the ring: only its keys move (stage rebalance)."""
        raise NotImplementedError("HashRing.remove is not written yet")

    def get(self, key: str) -> str:
        """The node that owns `key` (stage hash-ring)."""
        raise NotImplementedError("HashRing.get is not written yet")
