"""The histories the driver prints, read as calls for the harness's linearizability check.

The driver runs small rounds (a fresh queue, 2 to 4 threads, a few calls each) and prints,
for each call, its thread, what it did, its result and when it was called and returned, in
nanoseconds from the round's start::

    round 7
    op 1 enq 1.1 1520 1788 ok        thread 1 enqueued item 1.1 (its first call): true
    op 2 deq 1.1 1601 2210 ok        thread 2 dequeued item 1.1
    op 2 deq - 2900 3015 no          thread 2 found the queue empty

Whether a round is linearizable, and the smallest impossible part of one that is not, is
:func:`crack.harness.linearizability.check_queue`'s to say (the FIFO model lives there,
beside the key-value one).
"""

from __future__ import annotations

from crack.harness.linearizability import QueueCall, QueueKind, QueueVerdict, check_queue

CAPACITY = 64
"""The driver's queues for histories hold more than a round's calls can fill, so a refused
enqueue is never legal."""


def parse_rounds(lines: list[str]) -> list[list[QueueCall]]:
    rounds: list[list[QueueCall]] = []
    for line in lines:
        if line.startswith("round "):
            rounds.append([])
        elif line.startswith("op ") and rounds:
            _, thread, kind, value, start, end, ok = line.split()
            rounds[-1].append(
                QueueCall(
                    client=thread,
                    kind=QueueKind.ENQUEUE if kind == "enq" else QueueKind.DEQUEUE,
                    invoked=float(start),
                    completed=float(end),
                    value=None if value == "-" else f"item {value}",
                    ok=ok == "ok",
                )
            )
    return rounds


def check(calls: list[QueueCall]) -> QueueVerdict:
    return check_queue(calls, capacity=CAPACITY)
