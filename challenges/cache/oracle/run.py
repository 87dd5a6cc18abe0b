"""The cache challenge's oracle: crack's line protocol on top of cachetools.

cachetools' LRUCache, LFUCache and TTLCache decide every reply; this adapter only parses
commands and formats replies. The TTL cache's timer returns the time carried by the
command being handled, so expiry follows the tester's logical clock exactly.

Two things cachetools does not do, done here around it:
- capacity 0: cachetools refuses every item ("value too large"); the protocol's answer is
  to store nothing and reply OK.
- write-through (NEW LRU <capacity> STORE <path>): cachetools has no backing store, so the
  adapter appends "PUT key value" to the file before storing the item, and "EVICT key" for
  each item the cache's popitem() removes to make room, flushing before it replies.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

try:
    import cachetools
except ImportError:  # say so in every reply, where crack shows it, instead of a bare exit
    for _ in sys.stdin:
        print("ERROR cachetools is not installed beside crack: pip install cachetools", flush=True)
    raise SystemExit(1) from None


class Now:
    """The TTL cache's timer: the time of the command being handled."""

    def __init__(self) -> None:
        self.ms = 0

    def __call__(self) -> int:
        return self.ms


class StoredLRU(cachetools.LRUCache):  # type: ignore[type-arg]
    """An LRUCache that tells its store about each eviction."""

    def __init__(self, maxsize: int, store: TextIO) -> None:
        super().__init__(maxsize)
        self.store = store

    def popitem(self) -> tuple[Any, Any]:
        key, value = super().popitem()
        self.store.write(f"EVICT {key}\n")
        return key, value


def main() -> None:
    now = Now()
    cache: cachetools.Cache[str, str] = cachetools.LRUCache(0)
    store: TextIO | None = None
    for line in sys.stdin:
        command, _, rest = line.rstrip("\n").partition(" ")
        if command == "NEW":
            kind, capacity, *options = rest.split(" ", 3)
            store = None
            if kind == "TTL":
                cache = cachetools.TTLCache(int(capacity), int(options[0]), timer=now)
            elif kind == "LFU":
                cache = cachetools.LFUCache(int(capacity))
            elif options[:1] == ["STORE"]:
                store = open(options[1], "a", encoding="utf-8")  # noqa: SIM115 (lives with the cache)
                cache = StoredLRU(int(capacity), store)
            else:
                cache = cachetools.LRUCache(int(capacity))
            reply = "OK"
        elif command == "PUT":
            at, key, value = rest.split(" ", 2)
            now.ms = int(at)
            if store is not None:
                store.write(f"PUT {key} {value}\n")
            if cache.maxsize > 0:
                cache[key] = value
            reply = "OK"
        elif command == "GET":
            at, key = rest.split(" ")
            now.ms = int(at)
            found = cache.get(key)
            reply = "NOT_FOUND" if found is None else found
        elif command == "SIZE":
            now.ms = int(rest)
            reply = str(len(cache))
        else:
            reply = f"ERROR unknown command {command}"
        if store is not None:
            store.flush()
        print(reply, flush=True)


if __name__ == "__main__":
    main()
