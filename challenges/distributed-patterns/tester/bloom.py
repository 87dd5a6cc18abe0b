"""The Bloom filter stages: no false negatives, a false-positive rate and a size that match
the formulas, and removal in a counting filter.

Statistical checks use bounds far wider than the noise: a correct filter sized by the
formula has a false-positive rate close to the one asked for, and 20,000 probes measure
it to within a few percent of itself, so a bound of a third to twice the asked-for rate
fails only a filter that is not the size it claims (an exact set, a single hash
function, too few bits), never an unlucky correct one.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from crack.harness import StageFailure

from .client import LineClient
from .model import bloom_bits

ODD_ITEMS = ["ключ", "🍒", "a/b?c=d", "0", "YES", "NO", "HAS", "x" * 500, "tab\tinside"]


def items(rng: random.Random, prefix: str, count: int) -> list[str]:
    """``count`` distinct items; a different prefix never collides with another set."""
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < count:
        item = f"{prefix}:{rng.randrange(10**12):x}"
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


class FilterClient:
    def __init__(self, client: LineClient, family: str) -> None:
        self.client = client
        self.family = family

    def new(self, expected: int, rate: float) -> None:
        self.client.expect(f"{self.family} NEW {expected} {rate}", "OK")

    def add(self, values: Sequence[str]) -> None:
        self.client.h.log(f"{self.family} ADD for {len(values):,} items")
        self.client.expect_all([f"{self.family} ADD {item}" for item in values], "OK")

    def remove(self, values: Sequence[str]) -> None:
        self.client.h.log(f"{self.family} REMOVE for {len(values):,} items")
        self.client.expect_all([f"{self.family} REMOVE {item}" for item in values], "OK")

    def has(self, values: Sequence[str], what: str) -> list[str]:
        """The items answered YES (every reply checked to be YES or NO)."""
        self.client.h.log(f"{self.family} HAS for {len(values):,} items ({what})")
        lines = [f"{self.family} HAS {item}" for item in values]

        def check(line: str, reply: str) -> None:
            if reply not in ("YES", "NO"):
                self.client.fail(line, reply, "YES or NO")

        replies = self.client.batch(lines, check)
        return [item for item, reply in zip(values, replies, strict=True) if reply == "YES"]

    def require_all(self, values: Sequence[str], what: str, hint: str) -> None:
        yes = set(self.has(values, what))
        missing = [item for item in values if item not in yes]
        if missing:
            raise StageFailure(
                f"{self.family} HAS {missing[0]} answered NO, but {missing[0]} was added ({what}): "
                f"{len(missing):,} of {len(values):,} such items answered NO; a Bloom filter never "
                "answers NO for an item it holds",
                hint,
            )

    def false_positives(self, probes: Sequence[str], what: str) -> float:
        rate = len(self.has(probes, what)) / len(probes)
        self.client.h.log(f"{rate:.2%} of {len(probes):,} items never added answered YES")
        return rate


def check_bits(client: LineClient, family: str, expected: int, rate: float) -> int:
    optimal = bloom_bits(expected, rate)
    line = f"{family} BITS"
    reply = client.ask(line)
    if not reply.isdigit():
        client.fail(line, reply, "a number of bits")
    bits = int(reply)
    high = optimal * 1.1 + 64
    if not optimal - 1 <= bits <= high:
        client.fail(
            line,
            reply,
            f"between {optimal:,.0f} and {high:,.0f} bits",
            "the optimal size for n items at a false-positive rate p is m = -n·ln(p) / (ln 2)², rounded "
            "up (to a whole byte or word is fine)",
            more=f"for {expected:,} items at a rate of {rate}, the formula gives m = {optimal:,.1f}",
        )
    return bits
