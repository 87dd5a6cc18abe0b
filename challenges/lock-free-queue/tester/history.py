"""Is a small concurrent history of enqueues and dequeues linearizable?

The driver runs three threads of four operations on a fresh queue and prints, for each
operation, its thread, what it did, its result and when it was called and returned. The
history is correct when some order of the twelve operations, each placed at one instant
between its call and its return, is a run of a sequential FIFO queue (Herlihy and Wing).
The search is Wing and Gong's with Lowe's memo (the set of operations placed, the queue's
contents), as in :mod:`crack.harness.linearizability`, whose model is a register; twelve
operations make at most 4096 sets, so it always finishes.
"""

from __future__ import annotations

from dataclasses import dataclass

CAPACITY = 64
"""The driver's queues for histories: more than twelve operations can fill, so a refused
enqueue is never legal."""


@dataclass(frozen=True)
class Op:
    thread: int
    kind: str  # "enq" or "deq"
    value: str | None  # the item enqueued, or dequeued; None for an empty dequeue
    start: float  # nanoseconds since the round began
    end: float
    ok: bool

    def describe(self) -> str:
        if self.kind == "enq":
            call = f"enqueue(item {self.value})"
            result = "true" if self.ok else "false"
        else:
            call = "dequeue()"
            result = f"true, item {self.value}" if self.ok else "false (empty)"
        return (
            f"  {self.start / 1000:8.1f} µs to {self.end / 1000:8.1f} µs  thread {self.thread}  "
            f"{call} -> {result}"
        )


def parse_rounds(lines: list[str]) -> list[list[Op]]:
    rounds: list[list[Op]] = []
    for line in lines:
        if line.startswith("round "):
            rounds.append([])
        elif line.startswith("op ") and rounds:
            _, thread, kind, value, start, end, ok = line.split()
            rounds[-1].append(
                Op(int(thread), kind, None if value == "-" else value, float(start), float(end), ok == "ok")
            )
    return rounds


def linearizable(ops: list[Op]) -> bool:
    count = len(ops)
    full = (1 << count) - 1
    seen: set[tuple[int, tuple[str, ...]]] = set()

    def search(done: int, state: tuple[str, ...]) -> bool:
        if done == full:
            return True
        if (done, state) in seen:
            return False
        seen.add((done, state))
        # Only an operation called before every pending one has returned may go next.
        horizon = min(ops[i].end for i in range(count) if not done >> i & 1)
        for i in range(count):
            if done >> i & 1 or ops[i].start > horizon:
                continue
            after = apply(ops[i], state)
            if after is not None and search(done | 1 << i, after):
                return True
        return False

    return search(0, ())


def apply(op: Op, state: tuple[str, ...]) -> tuple[str, ...] | None:
    """The queue after ``op``, or None when ``op``'s result is impossible in ``state``."""
    if op.kind == "enq":
        if op.ok:
            return (*state, op.value or "") if len(state) < CAPACITY else None
        return state if len(state) >= CAPACITY else None
    if op.ok:
        return state[1:] if state and state[0] == op.value else None
    return state if not state else None
