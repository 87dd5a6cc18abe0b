"""What the cache must answer: LRU, LFU and TTL caches as plain Python models.

The tester computes every expected reply from these models, and each model remembers why
a key left the cache (evicted by which PUT, expired when), so a wrong reply is explained
in the learner's terms. Their eviction order is held to cachetools' (LRUCache, LFUCache,
TTLCache) by tests/test_cache_challenge.py, on random workloads:

- LRU: a GET or a PUT of a key makes it the most recently used; a PUT of a new key into a
  full cache first evicts the least recently used key.
- LFU: a new key has frequency 1; every GET hit and every PUT of an existing key adds one.
  A full cache evicts the key with the lowest frequency and, among those, the one whose
  frequency last changed longest ago (the least recently used of them), before it inserts.
- TTL: LRU with one time to live for every entry, counted from its last PUT (a GET does
  not renew it). An entry put at t is present while now < t + ttl: at t + ttl - 1 it is
  there, at t + ttl it is gone. Expired entries are dropped before a PUT looks for room,
  so they never cost a live key its place.
- Capacity 0 stores nothing (cachetools refuses every item; a PUT still replies OK).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass


def _name(key: str, *, quote: bool = True) -> str:
    """A key as messages show it: quoted, and cut short when long."""
    shown = key if len(key) <= 40 else f"{key[:30]}…({len(key):,} characters)"
    return repr(shown) if quote else shown


@dataclass(frozen=True)
class Gone:
    """Why a key is not in the cache any more."""

    reason: str


class Model:
    kind = ""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.step = 0
        """Commands sent to this cache (GET, PUT and SIZE), for messages."""
        self.gone: dict[str, Gone] = {}

    def get(self, key: str, now: int) -> str | None:
        raise NotImplementedError

    def put(self, key: str, value: str, now: int) -> list[str]:
        """Store ``value``; return the keys evicted to make room, in eviction order."""
        raise NotImplementedError

    def size(self, now: int) -> int:
        raise NotImplementedError

    def keys(self, now: int) -> list[str]:
        """The keys present, in eviction order (the next victim first)."""
        raise NotImplementedError

    def why_missing(self, key: str) -> str:
        gone = self.gone.get(key)
        return gone.reason if gone else f"{_name(key)} was never put in this cache"

    def describe_order(self, now: int, limit: int = 6) -> str:
        keys = self.keys(now)
        shown = ", ".join(keys[:limit]) + (", …" if len(keys) > limit else "")
        return f"[{shown}]" if keys else "[] (empty)"


class LRU(Model):
    kind = "LRU"

    def __init__(self, capacity: int) -> None:
        super().__init__(capacity)
        self.data: OrderedDict[str, str] = OrderedDict()
        """Least recently used first."""

    def get(self, key: str, now: int) -> str | None:
        self.step += 1
        if key not in self.data:
            return None
        self.data.move_to_end(key)
        return self.data[key]

    def put(self, key: str, value: str, now: int) -> list[str]:
        self.step += 1
        if self.capacity == 0:
            self.gone[key] = Gone("the capacity is 0: nothing is ever stored")
            return []
        if key in self.data:
            self.data[key] = value
            self.data.move_to_end(key)
            return []
        evicted = []
        while len(self.data) >= self.capacity:
            victim, _ = self.data.popitem(last=False)
            self.gone[victim] = Gone(
                f"{_name(victim)} was evicted by PUT {_name(key, quote=False)} "
                f"(command {self.step} of this cache): it was the least recently used of {self.capacity} keys"
            )
            evicted.append(victim)
        self.data[key] = value
        self.gone.pop(key, None)
        return evicted

    def size(self, now: int) -> int:
        self.step += 1
        return len(self.data)

    def keys(self, now: int) -> list[str]:
        return list(self.data)


class LFU(Model):
    """Frequency buckets: each holds its keys in the order they reached that frequency."""

    kind = "LFU"

    def __init__(self, capacity: int) -> None:
        super().__init__(capacity)
        self.values: dict[str, str] = {}
        self.freq: dict[str, int] = {}
        self.buckets: dict[int, OrderedDict[str, None]] = {}
        self.min_freq = 0

    def _bump(self, key: str) -> None:
        count = self.freq[key]
        bucket = self.buckets[count]
        del bucket[key]
        if not bucket:
            del self.buckets[count]
            if self.min_freq == count:
                self.min_freq = count + 1
        self.freq[key] = count + 1
        self.buckets.setdefault(count + 1, OrderedDict())[key] = None

    def get(self, key: str, now: int) -> str | None:
        self.step += 1
        if key not in self.values:
            return None
        self._bump(key)
        return self.values[key]

    def put(self, key: str, value: str, now: int) -> list[str]:
        self.step += 1
        if self.capacity == 0:
            self.gone[key] = Gone("the capacity is 0: nothing is ever stored")
            return []
        if key in self.values:
            self.values[key] = value
            self._bump(key)
            return []
        evicted = []
        while len(self.values) >= self.capacity:
            bucket = self.buckets[self.min_freq]
            victim = next(iter(bucket))
            ties = len(bucket)
            del bucket[victim]
            if not bucket:
                del self.buckets[self.min_freq]
            del self.values[victim]
            del self.freq[victim]
            tie = f", and was the least recently used of the {ties} keys with that count" if ties > 1 else ""
            self.gone[victim] = Gone(
                f"{_name(victim)} was evicted by PUT {_name(key, quote=False)} "
                f"(command {self.step} of this cache): it had the lowest use count ({self.min_freq}){tie}"
            )
            evicted.append(victim)
        self.values[key] = value
        self.freq[key] = 1
        self.buckets.setdefault(1, OrderedDict())[key] = None
        self.min_freq = 1
        self.gone.pop(key, None)
        return evicted

    def size(self, now: int) -> int:
        self.step += 1
        return len(self.values)

    def keys(self, now: int) -> list[str]:
        return [key for count in sorted(self.buckets) for key in self.buckets[count]]

    def frequency(self, key: str) -> int:
        return self.freq.get(key, 0)


class TTL(Model):
    kind = "TTL"

    def __init__(self, capacity: int, ttl: int) -> None:
        super().__init__(capacity)
        self.ttl = ttl
        self.data: OrderedDict[str, str] = OrderedDict()
        """Least recently used first."""
        self.expires: OrderedDict[str, int] = OrderedDict()
        """Soonest expiry first: one TTL for all, so the order of the last PUTs."""
        self.put_at: dict[str, int] = {}

    def expire(self, now: int) -> list[str]:
        expired = []
        while self.expires:
            key, deadline = next(iter(self.expires.items()))
            if now < deadline:
                break
            del self.expires[key]
            del self.data[key]
            self.gone[key] = Gone(
                f"{_name(key)} expired at t={deadline}: it was last put at t={self.put_at.pop(key)} "
                f"with a TTL of {self.ttl} ms, and an entry is gone from put time + TTL on"
            )
            expired.append(key)
        return expired

    def get(self, key: str, now: int) -> str | None:
        self.step += 1
        self.expire(now)
        if key not in self.data:
            return None
        self.data.move_to_end(key)
        return self.data[key]

    def put(self, key: str, value: str, now: int) -> list[str]:
        self.step += 1
        self.expire(now)
        if self.capacity == 0:
            self.gone[key] = Gone("the capacity is 0: nothing is ever stored")
            return []
        evicted = []
        if key not in self.data:
            while len(self.data) >= self.capacity:
                victim, _ = self.data.popitem(last=False)
                del self.expires[victim]
                self.put_at.pop(victim)
                self.gone[victim] = Gone(
                    f"{_name(victim)} was evicted by PUT {_name(key, quote=False)} at t={now}: it was the "
                    f"least recently used of {self.capacity} live keys (expired keys are dropped first)"
                )
                evicted.append(victim)
        self.data[key] = value
        self.data.move_to_end(key)
        self.expires[key] = now + self.ttl
        self.expires.move_to_end(key)
        self.put_at[key] = now
        self.gone.pop(key, None)
        return evicted

    def size(self, now: int) -> int:
        self.step += 1
        self.expire(now)
        return len(self.data)

    def keys(self, now: int) -> list[str]:
        self.expire(now)
        return list(self.data)
