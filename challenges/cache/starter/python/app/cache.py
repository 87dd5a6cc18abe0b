"""Your caches. The driver (main.py) creates them and calls these methods.

Read each stage with `crack task`: each method below says which stage first needs it.
Until you write a method it raises NotImplementedError, and crack shows that error.
"""

from __future__ import annotations

from store import Store


class LRUCache:
    """At most `capacity` entries; when full, a new key evicts the least recently used one."""

    def __init__(self, capacity: int, store: Store | None = None) -> None:
        self.capacity = capacity
        self.store = store  # the backing store, from stage write-through on (else None)

    def get(self, key: str) -> str | None:
        """The value cached under `key`, or None. A hit makes `key` the most recently used."""
        raise NotImplementedError("LRUCache.get is not written yet")

    def put(self, key: str, value: str) -> None:
        """Cache `value` under `key`. The key becomes the most recently used; a new key in a
        full cache first evicts the least recently used one."""
        raise NotImplementedError("LRUCache.put is not written yet")

    def size(self) -> int:
        """How many entries the cache holds (stage lru-update)."""
        raise NotImplementedError("LRUCache.size is not written yet")


class TTLCache:
    """An LRU cache whose entries also expire `ttl_ms` milliseconds after their last PUT
    (stage ttl). Time is given to every method as `now_ms`: never read the clock."""

    def __init__(self, capacity: int, ttl_ms: int) -> None:
        self.capacity = capacity
        self.ttl_ms = ttl_ms

    def get(self, key: str, now_ms: int) -> str | None:
        """The value of `key` if it is cached and not expired at `now_ms`, else None."""
        raise NotImplementedError("TTLCache.get is not written yet")

    def put(self, key: str, value: str, now_ms: int) -> None:
        """Cache `value` under `key` until `now_ms + ttl_ms` (exclusive)."""
        raise NotImplementedError("TTLCache.put is not written yet")

    def size(self, now_ms: int) -> int:
        """How many entries are cached and not expired at `now_ms`."""
        raise NotImplementedError("TTLCache.size is not written yet")


class LFUCache:
    """At most `capacity` entries; when full, a new key evicts the least frequently used
    one, the least recently used among equals (stage lfu)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity

    def get(self, key: str) -> str | None:
        """The value cached under `key`, or None. A hit counts as one more use."""
        raise NotImplementedError("LFUCache.get is not written yet")

    def put(self, key: str, value: str) -> None:
        """Cache `value` under `key`. A new key starts with one use; updating a key counts as
        one more use."""
        raise NotImplementedError("LFUCache.put is not written yet")

    def size(self) -> int:
        """How many entries the cache holds."""
        raise NotImplementedError("LFUCache.size is not written yet")
