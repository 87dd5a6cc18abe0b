"""Bulk workloads: seeded random command mixes checked against the model, and the timed
workloads of the complexity stages.

A complexity stage fills a cache of N keys (untimed), then times a fixed mix of GETs,
updates and new keys (each new key evicts one) at N = 1,000 and N = 100,000, and compares
the time per command (see crack.harness.growth). The keys read are drawn uniformly from
everything cached, so a recency list scanned from either end costs N/2 per lookup on
average; the mix always evicts, so a scan for the least frequently used key shows too.

The mix is sent in chunks (25 commands, then twice as many each time up to 400), each in
one write, and timing stops after a chunk once a second has been spent: a slow program is
judged on the commands it got through, so grading it stays short. Every reply is checked.
"""

from __future__ import annotations

import random
import time

from crack.harness import StageFailure

from .client import ERROR_HINT, NOT_FOUND, CacheClient, shorten
from .model import LFU, LRU, Model

FILL_TIMEOUT = 30.0
FILL_CHUNK = 5_000
FILL_BUDGET = 20.0
"""Seconds a fill of 100,000 keys may take (an O(1) program needs about one, even on a
busy machine); past it, PUT itself is not constant time and the stage says so, rather than
running out of time without a word."""
FIRST_CHUNK = 25
LAST_CHUNK = 400
TIME_BUDGET = 1.0
"""Seconds of timed commands per measurement: a scan over 100,000 keys is caught within
it, and stopping there keeps a slow program's grading short (the per-command time of the
commands done is what counts)."""


class KeyPool:
    """The keys the model holds, for O(1) uniform picks (a list with swap-removal)."""

    def __init__(self, keys: list[str]) -> None:
        self.keys = keys
        self.index = {key: i for i, key in enumerate(keys)}

    def pick(self, rng: random.Random) -> str:
        return self.keys[rng.randrange(len(self.keys))]

    def add(self, key: str) -> None:
        self.index[key] = len(self.keys)
        self.keys.append(key)

    def remove(self, key: str) -> None:
        i = self.index.pop(key)
        last = self.keys.pop()
        if i < len(self.keys):
            self.keys[i] = last
            self.index[last] = i


def run_batch(client: CacheClient, commands: list[str], expected: list[str], hint: str | None) -> float:
    """Send ``commands`` in one write, read one reply each, check them; return the seconds
    between the write and the last reply."""
    start = time.perf_counter()
    replies = client.session.ask_many(commands, timeout=FILL_TIMEOUT)
    elapsed = time.perf_counter() - start
    for command, reply, want in zip(commands, replies, expected, strict=True):
        if reply != want:
            failed = reply.startswith("ERROR")
            what = " (it should have been evicted)" if want == NOT_FOUND and not failed else ""
            raise StageFailure(
                f"sent {shorten(command, 160)!r}: expected {shorten(want)!r}, got {shorten(reply)!r}{what}",
                hint=ERROR_HINT if failed else hint,
            )
    return elapsed


def timed_workload(client: CacheClient, kind: str, size: int, operations: int, rng: random.Random) -> float:
    """Seconds per command of a GET/PUT mix on a full cache of ``size`` keys."""
    now = client.now
    model: Model = LFU(size) if kind == "LFU" else LRU(size)
    client.model = model
    fill = [f"NEW {kind} {size}"]
    for i in range(size):
        model.put(f"k{i}", f"v{i}", now)
        fill.append(f"PUT {now} k{i} v{i}")
    spent = 0.0
    for start in range(0, len(fill), FILL_CHUNK):
        part = fill[start : start + FILL_CHUNK]
        spent += run_batch(client, part, ["OK"] * len(part), hint=None)
        if spent > FILL_BUDGET and start + FILL_CHUNK < len(fill):
            raise StageFailure(
                f"filling a cache of {size:,} keys (NEW {kind} {size}, then a PUT of each new key) "
                f"took more than {FILL_BUDGET:g} s, so crack stopped it",
                hint="a PUT of a new key into a cache that is not full should take constant time: "
                "is it searching a list (`key in list`) or copying the keys?",
            )
    pool = KeyPool([f"k{i}" for i in range(size)])
    commands: list[str] = []
    expected: list[str] = []
    fresh = size
    for n in range(operations):
        roll = rng.random()
        if roll < 0.5:
            key = pool.pick(rng)
            commands.append(f"GET {now} {key}")
            expected.append(model.get(key, now) or NOT_FOUND)
            continue
        if roll < 0.7:
            key, value = pool.pick(rng), f"u{n}"
        else:
            key, value = f"k{fresh}", f"v{fresh}"
            fresh += 1
            pool.add(key)
        for victim in model.put(key, value, now):
            pool.remove(victim)
        commands.append(f"PUT {now} {key} {value}")
        expected.append("OK")
    elapsed, done, chunk = 0.0, 0, FIRST_CHUNK
    while done < len(commands) and elapsed < TIME_BUDGET:
        batch = slice(done, done + chunk)
        elapsed += run_batch(client, commands[batch], expected[batch], hint=None)
        done += len(commands[batch])
        chunk = min(chunk * 2, LAST_CHUNK)
    return elapsed / done


def random_mix(
    client: CacheClient,
    rng: random.Random,
    *,
    commands: int,
    keys: list[str],
    advance: tuple[int, ...] = (0,),
    sizes: bool = True,
    hint: str | None = None,
) -> None:
    """``commands`` seeded commands over ``keys`` on the client's current cache, each
    checked at once against the model (with the full explanation on the first mismatch)."""
    client.bulk = True
    try:
        for n in range(commands):
            client.advance(rng.choice(advance))
            roll = rng.random()
            if roll < 0.45:
                client.get(rng.choice(keys), hint=hint)
            elif roll < 0.93 or not sizes:
                client.put(rng.choice(keys), f"{rng.choice(VALUES)}-{n}", hint=hint)
            else:
                client.size(hint=hint)
    finally:
        client.bulk = False


VALUES = ("red", "green", "blue", "amber", "teal", "violet", "ochre", "slate")
