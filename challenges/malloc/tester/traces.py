"""Allocation traces: what the driver asks the allocator for, drawn from the stage's seed.

A trace is a list of operations on numbered blocks, written one per line for the driver::

    m ID SIZE          malloc            c ID COUNT SIZE   calloc
    r ID SIZE          realloc           f ID              free
    M ID ALIGN SIZE    posix_memalign    A ID ALIGN SIZE   aligned_alloc
    k                  check every live block: no overlap, contents intact

Each generator shapes a trace to one property: a program whose footprint is small only if
freed blocks are reused, split or merged, or one that is slow only when malloc walks every
block. The driver fills every block it gets with a byte of its own and checks it later, so a
block handed out twice, or moved without its data, shows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Op:
    kind: str
    block: int = 0
    size: int = 0
    extra: int = 0  # calloc: count; aligned: alignment

    def line(self) -> str:
        if self.kind == "k":
            return "k"
        if self.kind == "f":
            return f"f {self.block}"
        if self.kind in "cMA":
            return f"{self.kind} {self.block} {self.extra} {self.size}"
        return f"{self.kind} {self.block} {self.size}"

    def describe(self) -> str:
        """The operation as C, for a learner's failure message."""
        name = f"block #{self.block}"
        match self.kind:
            case "m":
                return f"malloc({self.size}) for {name}"
            case "c":
                return f"calloc({self.extra}, {self.size}) for {name}"
            case "r":
                return f"realloc({name}, {self.size})"
            case "f":
                return f"free({name})"
            case "M":
                return f"posix_memalign(&p, {self.extra}, {self.size}) for {name}"
            case "A":
                return f"aligned_alloc({self.extra}, {self.size}) for {name}"
        return "the check of every live block"


@dataclass
class Trace:
    name: str
    ops: list[Op] = field(default_factory=list)
    _next_id: int = 0

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id - 1

    def malloc(self, size: int) -> int:
        block = self.new_id()
        self.ops.append(Op("m", block, size))
        return block

    def add(self, kind: str, block: int, size: int = 0, extra: int = 0) -> None:
        self.ops.append(Op(kind, block, size, extra))

    def check(self) -> None:
        self.ops.append(Op("k"))

    def write(self, folder: Path) -> Path:
        path = folder / f"{self.name}.trace"
        path.write_text("".join(op.line() + "\n" for op in self.ops))
        return path

    def summary(self) -> str:
        counts: dict[str, int] = {}
        for op in self.ops:
            counts[op.kind] = counts.get(op.kind, 0) + 1
        names = {
            "m": "malloc",
            "c": "calloc",
            "r": "realloc",
            "f": "free",
            "M": "posix_memalign",
            "A": "aligned_alloc",
            "k": "check",
        }
        parts = ", ".join(f"{counts[k]} {names[k]}" for k in names if k in counts)
        return f"trace {self.name}: {len(self.ops)} operations ({parts})"


def small_size(rng: random.Random) -> int:
    """Mostly small requests, as programs make them, with odd sizes and a few larger ones."""
    roll = rng.random()
    if roll < 0.6:
        return rng.randint(1, 128)
    if roll < 0.9:
        return rng.randint(129, 1024)
    return rng.randint(1025, 16000)


def mixed(rng: random.Random, count: int, *, name: str = "mixed") -> Trace:
    """malloc and free in a seeded order, checking every live block now and then."""
    trace = Trace(name)
    live: list[int] = []
    for index in range(count):
        if live and rng.random() < 0.45:
            trace.add("f", live.pop(rng.randrange(len(live))))
        else:
            live.append(trace.malloc(small_size(rng)))
        if index % 400 == 399:
            trace.check()
    trace.check()
    return trace


def reallocs(rng: random.Random, count: int) -> Trace:
    """Blocks grown and shrunk again and again: the first bytes must follow each move."""
    trace = Trace("realloc")
    live: list[int] = [trace.malloc(small_size(rng)) for _ in range(40)]
    for index in range(count):
        block = rng.choice(live)
        roll = rng.random()
        if roll < 0.5:
            trace.add("r", block, rng.randint(1, 20000))
        elif roll < 0.7:
            trace.add("r", block, rng.randint(1, 64))
        elif roll < 0.85:
            live.remove(block)
            trace.add("f", block)
            live.append(trace.malloc(small_size(rng)))
        else:
            live.append(trace.malloc(small_size(rng)))
        if index % 300 == 299:
            trace.check()
    trace.check()
    return trace


def rounds(rng: random.Random, count: int, per_round: int) -> Trace:
    """Rounds of allocating a batch and freeing all of it: a program that serves requests.
    Total allocation is ``count`` times the peak, so a heap that never reuses grows with it."""
    trace = Trace("rounds")
    for _ in range(count):
        batch = [trace.malloc(rng.randint(16, 1500)) for _ in range(per_round)]
        trace.check()
        rng.shuffle(batch)
        for block in batch:
            trace.add("f", block)
    return trace


def dirty_then_calloc(rng: random.Random, count: int) -> Trace:
    """Blocks filled and freed, then calloc of the same sizes: reused memory must be zeroed."""
    trace = Trace("calloc")
    for _ in range(count):
        sizes = [rng.randint(8, 3000) for _ in range(30)]
        batch = [trace.malloc(size) for size in sizes]
        for block in batch:
            trace.add("f", block)
        for size in sizes:
            block = trace.new_id()
            count_part = rng.choice([1, 2, 4, size % 7 + 1])
            trace.add("c", block, max(1, size // count_part), count_part)
            trace.add("f", block)
    trace.check()
    return trace


def phases(rng: random.Random, name: str, sizes: list[tuple[int, int]], total: int) -> Trace:
    """Phases of one size range each: allocate about ``total`` bytes, then free all of it in
    a seeded order. From big to small sizes, the freed space serves the next phase only if a
    big free block can be cut (splitting); from small to big, only if free neighbours are
    merged (coalescing). Without it, every phase needs new memory: the footprint is the sum
    of the phases instead of one of them."""
    trace = Trace(name)
    for low, high in sizes:
        batch: list[int] = []
        allocated = 0
        while allocated < total:
            size = rng.randint(low, high)
            batch.append(trace.malloc(size))
            allocated += size
        trace.check()
        rng.shuffle(batch)
        for block in batch:
            trace.add("f", block)
    return trace


def many_live(rng: random.Random, live_count: int, pairs: int) -> Trace:
    """Thousands of live blocks, then malloc/free pairs: fast only if malloc looks at free
    blocks alone, not at every block of the heap."""
    trace = Trace("many-live")
    live = [trace.malloc(rng.randint(64, 256)) for _ in range(live_count)]
    recent: list[int] = []
    for _ in range(pairs):
        recent.append(trace.malloc(rng.randint(16, 512)))
        if len(recent) > 8:
            trace.add("f", recent.pop(rng.randrange(len(recent))))
    for block in [*recent, *live]:
        trace.add("f", block)
    return trace


def interleaved_lifetimes(rng: random.Random, rounds: int, per_round: int, keep: int) -> Trace:
    """Big short-lived blocks (2-40 KB, some grown by realloc) allocated among small
    long-lived ones (16-400 bytes), a round at a time; the big ones are all freed at the end
    of each round, the small ones live on (up to ``keep`` of them, the oldest freed at random).

    One free list in LIFO order hands a small request the big hole freed last and cuts it:
    the long-lived small blocks end up scattered through the holes, and the next round's big
    blocks no longer fit in them, so the heap grows every round. With a list per size class a
    small request takes a small free block first and the big holes stay whole."""
    trace = Trace("interleaved-lifetimes")
    small: list[int] = []
    for round_ in range(rounds):
        big: list[int] = []
        for _ in range(per_round):
            big.append(trace.malloc(rng.randint(2000, 40000)))
            small.extend(trace.malloc(rng.randint(16, 400)) for _ in range(3))
            if len(small) > keep:
                for _ in range(4):
                    trace.add("f", small.pop(rng.randrange(len(small))))
            if rng.random() < 0.2:
                trace.add("r", rng.choice(big), rng.randint(2000, 48000))
        if round_ % 5 == 4:
            trace.check()
        rng.shuffle(big)
        for block in big:
            trace.add("f", block)
    trace.check()
    for block in small:
        trace.add("f", block)
    return trace


def large_mixed(rng: random.Random, count: int) -> Trace:
    """Large blocks (hundreds of KiB to MiB) among small ones, grown and freed."""
    trace = Trace("large")
    live: list[int] = []
    for index in range(count):
        if live and rng.random() < 0.4:
            trace.add("f", live.pop(rng.randrange(len(live))))
        elif live and rng.random() < 0.2:
            trace.add("r", rng.choice(live), rng.randint(64, 3 << 20))
        else:
            size = rng.randint(128 << 10, 4 << 20) if rng.random() < 0.3 else small_size(rng)
            live.append(trace.malloc(size))
        if index % 50 == 49:
            trace.check()
    trace.check()
    return trace


def aligned_mixed(rng: random.Random, count: int) -> Trace:
    """posix_memalign and aligned_alloc among malloc and free: aligned blocks are blocks like
    any other, freed by the same free."""
    trace = Trace("aligned")
    live: list[int] = []
    for index in range(count):
        if live and rng.random() < 0.4:
            trace.add("f", live.pop(rng.randrange(len(live))))
            continue
        block = trace.new_id()
        roll = rng.random()
        align = rng.choice([16, 32, 64, 128, 4096])
        if roll < 0.35:
            trace.add("M", block, small_size(rng), align)
        elif roll < 0.6:
            trace.add("A", block, align * rng.randint(1, 8), align)
        else:
            trace.add("m", block, small_size(rng))
        live.append(block)
        if index % 300 == 299:
            trace.check()
    trace.check()
    return trace
