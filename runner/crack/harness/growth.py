"""Complexity stages: how the cost of an operation grows with the size of the data.

A stage runs the same workload at two sizes in one grading and compares the time per
operation as a ratio. Absolute times mean nothing on a shared, noisy machine; a ratio
measured side by side does: an O(1) design stays near 1× when the data grows 100×, a
linear scan grows by tens. Each size is measured several times, interleaved, and the
fastest rounds compared: a burst of noise slows a round, it never speeds one up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from crack.harness.failure import StageFailure


@dataclass(frozen=True)
class Growth:
    small: int
    large: int
    per_op_small: float
    per_op_large: float

    @property
    def size_ratio(self) -> float:
        return self.large / self.small

    @property
    def cost_ratio(self) -> float:
        return self.per_op_large / max(self.per_op_small, 1e-12)

    def describe(self, operation: str) -> str:
        return (
            f"time per {operation}: {self.per_op_small * 1e6:.1f} µs at {self.small:,}, "
            f"{self.per_op_large * 1e6:.1f} µs at {self.large:,} "
            f"({self.cost_ratio:.1f}× for {self.size_ratio:.0f}× the size)"
        )


def measure_growth(
    workload: Callable[[int], float],
    small: int,
    large: int,
    rounds: int = 3,
    *,
    confirm_above: float | None = None,
    max_rounds: int = 8,
) -> Growth:
    """``workload(size)`` sets up ``size`` items and returns the seconds per operation.

    Each size keeps its fastest round: noise (another process, a throttled CPU share) only
    ever adds time, so the minimum is the closest to the operation's own cost, while a
    linear scan is slow in every round. With ``confirm_above``, a ratio above it is measured
    again, up to ``max_rounds`` rounds in all, before it is believed: on a machine busy for a
    while every one of the first rounds can be slowed, and one quiet round is enough to show
    a constant-time design for what it is, while a scan stays slow in every extra round."""
    smalls, larges = [], []
    for _ in range(rounds):
        smalls.append(workload(small))
        larges.append(workload(large))
    growth = Growth(small, large, min(smalls), min(larges))
    while confirm_above is not None and growth.cost_ratio > confirm_above and len(smalls) < max_rounds:
        smalls.append(workload(small))
        larges.append(workload(large))
        growth = Growth(small, large, min(smalls), min(larges))
    return growth


def require_constant(
    growth: Growth, *, operation: str, thing: str, limit: float, hint: str | None = None
) -> None:
    """Fail unless the cost per operation grew less than ``limit`` times."""
    if growth.cost_ratio > limit:
        raise StageFailure(
            f"time per {operation} grew {growth.cost_ratio:.0f}× when the {thing} grew "
            f"{growth.size_ratio:.0f}×: expected constant time (at most {limit:g}×)\n"
            f"{growth.describe(operation)}",
            hint=hint,
        )


def resident_bytes(pids: set[int]) -> int:
    """Resident memory of the given processes, summed (VmRSS from /proc)."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total
