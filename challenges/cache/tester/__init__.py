"""The cache challenge's tester: one function per stage slug of challenge.yaml.

The program is a line protocol on stdin/stdout (see client.py): ``NEW``, ``PUT``, ``GET``
and ``SIZE``, with the logical time on every command. Each stage runs fixed exchanges
aimed at known mistakes, then seeded random ones, every reply checked against the models
in model.py (held to cachetools by the tests). The complexity stages time a workload at
1,000 and 100,000 keys and compare the two (crack.harness.growth).
"""

from __future__ import annotations

from crack.harness import Harness
from crack.harness.growth import require_constant
from crack.tester import Tester

from .client import CacheClient
from .workloads import random_mix, timed_workload

tester = Tester("cache")

FRUITS = ["apple", "banana", "cherry", "damson", "elder", "fig", "grape", "kiwi", "lime", "mango"]

EVICT_OLDEST = (
    "a cache holds at most <capacity> keys: a PUT of a new key into a full cache first evicts "
    "the least recently used key (with only PUTs so far, the oldest one)"
)
RECENCY = (
    "a GET that finds its key, and a PUT on a key already cached, both make that key the most "
    "recently used; only a new key in a full cache evicts"
)
CONSTANT_TIME_LIMIT = 8.0
"""An O(1) design stays under about 2× here even on a busy machine (tests/test_cache_challenge.py
measures it); a scan over the keys grows by tens when the cache grows 100×."""


# --- LRU ---------------------------------------------------------------------------------
@tester.stage("lru-get-put")
def lru_get_put(h: Harness) -> None:
    c = CacheClient(h)
    c.new("LRU", 2)
    c.put("apple", "red")
    c.put("banana", "yellow")
    c.get("apple")
    c.get("banana")
    c.get("cherry", hint="a key that was never put answers NOT_FOUND")
    c.new("LRU", 2)
    c.put("apple", "red")
    c.put("banana", "yellow")
    c.put("cherry", "dark-red")
    c.get("apple", hint=EVICT_OLDEST)
    c.get("banana", hint=EVICT_OLDEST)
    c.get("cherry", hint=EVICT_OLDEST)
    rounds = 4
    h.log(f"{rounds} more caches, seeded: PUT more keys than fit, then GET each of them")
    for _ in range(rounds):
        capacity = h.random.randint(2, 6)
        names = h.random.sample(FRUITS, k=min(len(FRUITS), capacity + h.random.randint(1, 4)))
        c.new("LRU", capacity)
        c.bulk = True
        for name in names:
            c.put(name, h.random.choice(["red", "green", "gold", "purple"]), hint=EVICT_OLDEST)
        for name in h.random.sample(names, k=len(names)):
            c.get(name, hint=EVICT_OLDEST)
        c.bulk = False


@tester.stage("lru-update")
def lru_update(h: Harness) -> None:
    c = CacheClient(h)
    c.new("LRU", 2)
    c.put("apple", "red")
    c.put("banana", "yellow")
    c.get("apple")
    c.put("cherry", "dark-red")
    c.get(
        "banana",
        hint="a GET makes its key the most recently used: after GET apple, banana was the least "
        "recently used, so PUT cherry evicts banana",
    )
    c.get("apple")
    c.new("LRU", 2)
    c.put("apple", "red")
    c.put("banana", "yellow")
    c.put("apple", "green", hint="a PUT on a cached key replaces its value")
    c.size(hint="updating a cached key replaces its entry: it does not add a second one")
    c.put("cherry", "dark-red")
    moved = (
        "a PUT on a cached key makes it the most recently used, like a GET: after PUT apple green, "
        "banana was the least recently used, so PUT cherry evicts banana"
    )
    c.get("banana", hint=moved)
    c.get("apple", hint=moved)
    c.size(hint="SIZE is the number of keys cached: never more than the capacity")
    h.log("3 caches with 150 seeded GET, PUT and SIZE commands each")
    for _ in range(3):
        c.new("LRU", h.random.randint(2, 5))
        random_mix(c, h.random, commands=150, keys=FRUITS[: h.random.randint(4, 9)], hint=RECENCY)


@tester.stage("capacity-edges")
def capacity_edges(h: Harness) -> None:
    c = CacheClient(h)
    zero = "capacity 0 stores nothing: every PUT replies OK and every GET answers NOT_FOUND"
    c.new("LRU", 0)
    c.put("apple", "red", hint=zero)
    c.get("apple", hint=zero)
    c.size(hint=zero)
    c.put("banana", "yellow", hint=zero)
    c.size(hint=zero)
    one = "capacity 1 holds one key: a new key evicts it, an update of the same key does not"
    c.new("LRU", 1)
    c.put("apple", "red", hint=one)
    c.put("apple", "green", hint=one)
    c.get("apple", hint=one)
    c.put("banana", "yellow", hint=one)
    c.get("apple", hint=one)
    c.get("banana", hint=one)
    c.size(hint=one)
    odd = (
        "a key is every character up to the next space, a value everything after it to the end "
        "of the line (spaces included): split the line at most 3 times, and keep the bytes as "
        "they are"
    )
    c.new("LRU", 16)
    pairs = [
        ("café", "crème brûlée"),
        ("日本", "東京 タワー"),
        ("emoji-🍒", "🍒🍒 cherries"),
        ("NOT_FOUND", "a key named like the miss reply"),
        ("GET", "a key named like a command"),
        ("k:with:colons", 'value with "quotes" and \\ backslash'),
        ("=", "two  spaces  inside"),
        ("0", "0"),
        ("x", "None"),
    ]
    for key, value in pairs:
        c.put(key, value, hint=odd)
    for key, _ in reversed(pairs):
        c.get(key, hint=odd)
    big = "".join(h.random.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(100_000))
    long_key = "key-" + "".join(h.random.choice("abcdefghij") for _ in range(996))
    large = "a 100,000-character value or a 1,000-character key must come back whole: read whole lines"
    c.put(long_key, big, hint=large)
    c.get(long_key, hint=large)
    c.put("apple", big[::-1], hint=large)
    c.get("apple", hint=large)
    c.size()
    h.log("capacity 1 and 2 with 100 seeded commands each")
    for capacity in (1, 2):
        c.new("LRU", capacity)
        random_mix(c, h.random, commands=100, keys=[key for key, _ in pairs[:5]], hint=RECENCY)


@tester.stage("lru-complexity")
def lru_complexity(h: Harness) -> None:
    c = CacheClient(h)
    c.new("LRU", 3)
    c.put("apple", "red")
    c.get("apple")
    growth = h.growth(
        lambda size: timed_workload(c, "LRU", size, 2_000, h.random),
        small=1_000,
        large=100_000,
        operation="command",
        confirm_above=CONSTANT_TIME_LIMIT,
    )
    require_constant(
        growth,
        operation="command",
        thing="cache",
        limit=CONSTANT_TIME_LIMIT,
        hint=(
            "is eviction or a GET scanning a list of keys? Keep the keys in a doubly linked list "
            "(or an OrderedDict) next to the hash map, so a key moves to the front, and the "
            "oldest leaves, in O(1)"
        ),
    )


# --- TTL ---------------------------------------------------------------------------------
@tester.stage("ttl")
def ttl(h: Harness) -> None:
    c = CacheClient(h)
    boundary = (
        "an entry put at t with a TTL of 1000 ms is there up to t + 999 and gone from t + 1000 on "
        "(expired when now >= put time + TTL). Use the time on each command, never the clock"
    )
    c.new("TTL", 3, ttl=1000)
    c.put("apple", "red")
    c.advance(1000)
    c.get("apple", hint=boundary)
    c.put("banana", "yellow")
    c.advance(999)
    c.get("banana", hint=boundary)
    c.advance(1)
    c.get(
        "banana",
        hint="a GET does not renew an entry's TTL, only a PUT does: banana, put at t and read at "
        "t + 999, is gone at t + 1000",
    )
    c.put("cherry", "dark-red")
    c.advance(600)
    c.put("cherry", "black")
    c.advance(400)
    c.get("cherry", hint="a PUT on a cached key restarts its TTL from the time of that PUT")
    c.size(hint="SIZE counts only the entries that have not expired")
    c.advance(600)
    c.get("cherry", hint=boundary)
    c.size(hint="SIZE counts only the entries that have not expired")
    room = (
        "drop the expired entries before looking for room: an expired entry must never cost a "
        "live key its place (here apple expired, so PUT cherry evicts nothing)"
    )
    c.new("TTL", 2, ttl=1000)
    c.put("apple", "red")
    c.advance(500)
    c.put("banana", "yellow")
    c.advance(100)
    c.get("apple")
    c.advance(400)
    c.put("cherry", "dark-red", hint=room)
    c.advance(1)
    c.get("banana", hint=room)
    c.get("cherry", hint=room)
    c.size(hint=room)
    lru = "a full cache evicts the least recently used of the keys that have not expired"
    c.put("damson", "purple", hint=lru)
    c.get("banana", hint=lru)
    c.get("cherry", hint=lru)
    h.log("3 caches with 200 seeded commands each, time moving 0 to 40 ms between them")
    for _ in range(3):
        c.new("TTL", h.random.randint(2, 5), ttl=h.random.choice([50, 100, 250]))
        random_mix(
            c,
            h.random,
            commands=200,
            keys=FRUITS[:7],
            advance=(0, 1, 5, 10, 20, 40),
            hint="an entry is gone from put time + TTL on; a PUT renews it, a GET does not; expired "
            "entries are dropped before a full cache evicts the least recently used live one",
        )


# --- LFU ---------------------------------------------------------------------------------
@tester.stage("lfu")
def lfu(h: Harness) -> None:
    c = CacheClient(h)
    frequency = "a full LFU cache evicts the key used the fewest times (a GET hit or a PUT is one use)"
    c.new("LFU", 2)
    c.put("apple", "red")
    c.put("banana", "yellow")
    c.get("apple")
    c.put("cherry", "dark-red", hint=frequency)
    c.get("banana", hint=frequency)
    c.get("apple", hint=frequency)
    c.get("cherry", hint=frequency)
    tie = (
        "among keys used equally often, evict the least recently used one (here b: a and c were "
        "used after it), not the one put first"
    )
    c.new("LFU", 3)
    c.put("a", "1")
    c.put("b", "2")
    c.put("c", "3")
    c.get("b")
    c.get("a")
    c.get("c")
    c.put("d", "4", hint=tie)
    c.get("b", hint=tie)
    c.get("a", hint=tie)
    update = "a PUT on a cached key updates its value and counts as one more use"
    c.new("LFU", 2)
    c.put("apple", "red")
    c.put("banana", "yellow")
    c.put("apple", "green", hint=update)
    c.put("cherry", "dark-red", hint=update)
    c.get("banana", hint=update)
    c.get("apple", hint=update)
    again = "a key put back after its eviction starts again from one use: its old count is gone"
    c.new("LFU", 2)
    c.put("apple", "red")
    c.get("apple")
    c.get("apple")
    c.put("banana", "yellow")
    c.put("cherry", "dark-red")
    c.get("banana", hint=again)
    c.put("banana", "green")
    c.put("damson", "purple", hint=again)
    c.get("banana", hint=again)
    c.get("apple", hint=again)
    c.size()
    h.log("3 caches with 200 seeded commands each")
    for _ in range(3):
        c.new("LFU", h.random.randint(2, 5))
        random_mix(
            c,
            h.random,
            commands=200,
            keys=FRUITS[: h.random.randint(5, 9)],
            hint="evict the least frequently used key; among equals, the least recently used",
        )


@tester.stage("lfu-complexity")
def lfu_complexity(h: Harness) -> None:
    c = CacheClient(h)
    c.new("LFU", 3)
    c.put("apple", "red")
    c.get("apple")
    growth = h.growth(
        lambda size: timed_workload(c, "LFU", size, 1_000, h.random),
        small=1_000,
        large=100_000,
        operation="command",
        confirm_above=CONSTANT_TIME_LIMIT,
    )
    require_constant(
        growth,
        operation="command",
        thing="cache",
        limit=CONSTANT_TIME_LIMIT,
        hint=(
            "is eviction scanning every key for the lowest use count? Keep one bucket of keys per "
            "use count (each an ordered set, least recent first) and the lowest count in use: the "
            "victim is then the first key of that bucket, found in O(1)"
        ),
    )


# --- write-through -----------------------------------------------------------------------
@tester.stage("write-through")
def write_through(h: Harness) -> None:
    c = CacheClient(h)
    path = h.scratch / "store.log"
    h.log(f"The backing store is {path}: crack reads what was appended after every reply")
    c.new("LRU", 2, store=path)
    c.put("apple", "red")
    c.put("banana", "yellow")
    c.get("apple")
    c.put("cherry", "dark-red")
    c.put("apple", "green")
    c.get("banana")
    c.put("damson", "purple")
    c.size()
    c.new("LRU", 0, store=h.scratch / "store-0.log")
    c.put("apple", "red")
    c.get("apple")
    h.log("2 caches with 150 seeded commands each")
    for n in range(2):
        c.new("LRU", h.random.randint(1, 4), store=h.scratch / f"store-{n + 1}.log")
        random_mix(c, h.random, commands=150, keys=FRUITS[:6], hint=RECENCY)
