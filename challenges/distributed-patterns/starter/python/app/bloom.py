"""Your Bloom filters. The driver (main.py) creates them and calls these methods."""

from __future__ import annotations


class BloomFilter:
    """A set that may answer "maybe" for an item never added, but never "no" for one that
    was, sized for `expected` items at a false-positive rate of `rate` (stage bloom-filter)."""

    def __init__(self, expected: int, rate: float) -> None:
        self.expected = expected
        self.rate = rate

    def add(self, item: str) -> None:
        raise NotImplementedError("BloomFilter.add is not written yet")

    def might_contain(self, item: str) -> bool:
        raise NotImplementedError("BloomFilter.might_contain is not written yet")

    def bit_count(self) -> int:
        """How many bits the filter uses (stage bloom-sizing)."""
        raise NotImplementedError("BloomFilter.bit_count is not written yet")


class CountingBloomFilter:
    """A Bloom filter whose items can also be removed (stage counting-bloom)."""

    def __init__(self, expected: int, rate: float) -> None:
        self.expected = expected
        self.rate = rate

    def add(self, item: str) -> None:
        raise NotImplementedError("CountingBloomFilter.add is not written yet")

    def remove(self, item: str) -> None:
        """Remove an item that was added before."""
        raise NotImplementedError("CountingBloomFilter.remove is not written yet")

    def might_contain(self, item: str) -> bool:
        raise NotImplementedError("CountingBloomFilter.might_contain is not written yet")
