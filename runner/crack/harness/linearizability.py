"""Is a history of concurrent operations linearizable?

A concurrent object is correct when every history of its clients' operations could have
happened one operation at a time, each taking effect at one instant between its invocation
and its completion (Herlihy and Wing). Checking that is a search for such an order: Wing
and Gong's algorithm, with Lowe's memoisation of every (set of operations linearized, state
of the object) already explored, as Porcupine does. The search is one function for every
object; what differs is the sequential *model* (a step function: may this operation take
effect in this state, and what state follows) and which operations are reads.

Two models live here:

- a key-value store of get/put/cas (:class:`Operation`, :func:`check`): keys are
  independent registers, so each key's history is checked on its own (linearizability is
  compositional), which keeps the search small;
- a FIFO queue of enqueue/dequeue, optionally bounded (:class:`QueueCall`,
  :func:`check_queue`), whose state is the tuple of items in it.

An operation whose client gave up (a timeout, a lost reply) may or may not have taken
effect: it is given a completion time of infinity, so it may be placed anywhere after its
invocation, or nowhere. A failed ``cas`` (the value was not ``expected``) is a read.

When a history is not linearizable, :func:`check` returns a *witness*: the shortest
prefix of the history (cut at a completion) that is already impossible, with every read
removed that the impossibility does not need. Removing a read only removes a constraint,
so the witness is itself impossible: it is a proof a learner can read, a few lines long.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol, TypeVar

STATE_BUDGET = 200_000
"""Search states explored per history (per key) before the check gives up (a history too
concurrent to decide in seconds is reported as :attr:`Outcome.UNKNOWN`, never as a
violation)."""


class Call(Protocol):
    """What the search needs of an operation, whatever the object."""

    @property
    def invoked(self) -> float: ...

    @property
    def completed(self) -> float | None: ...

    @property
    def timed_out(self) -> bool: ...

    @property
    def returns(self) -> float: ...

    @property
    def is_read(self) -> bool: ...

    def describe(self) -> str: ...


C = TypeVar("C", bound=Call)
S = TypeVar("S", bound=Hashable)
Step = Callable[[S, C], tuple[bool, S]]
"""A sequential model: whether the call may take effect in the state, and the state after."""


class Kind(StrEnum):
    GET = "get"
    PUT = "put"
    CAS = "cas"


class _Timed:
    """When a call returned: ``completed``, or never (it may still take effect)."""

    completed: float | None

    @property
    def timed_out(self) -> bool:
        return self.completed is None

    @property
    def returns(self) -> float:
        return math.inf if self.completed is None else self.completed


@dataclass(frozen=True)
class Operation(_Timed):
    """One client operation. ``invoked`` and ``completed`` are seconds on one clock;
    ``completed`` is None when the client never learned the outcome (it may have happened).

    ``value``: what a get returned (None: no such key), what a put wrote, a cas's new value.
    ``expected``: a cas's expected value. ``ok``: whether a cas succeeded (True otherwise)."""

    client: str
    kind: Kind
    key: str
    invoked: float
    completed: float | None
    value: str | None = None
    expected: str | None = None
    ok: bool = True

    @property
    def is_read(self) -> bool:
        """Whether it cannot change the store: removing it from a history only loosens it."""
        return self.kind is Kind.GET or (self.kind is Kind.CAS and not self.ok and not self.timed_out)

    def describe(self) -> str:
        if self.kind is Kind.PUT:
            return f"put {self.key!r} = {_show(self.value)}"
        if self.kind is Kind.GET:
            return f"get {self.key!r}" + ("" if self.timed_out else f" -> {_show(self.value)}")
        text = f"cas {self.key!r} {_show(self.expected)} -> {_show(self.value)}"
        if self.timed_out:
            return text
        return text + (": ok" if self.ok else ": failed")


def _show(value: str | None) -> str:
    return "(no value)" if value is None else f'"{value}"'


def step(state: str | None, op: Operation) -> tuple[bool, str | None]:
    """The register's model: whether ``op`` may take effect in ``state``, and the state after.

    A timed-out operation has no known result: a get always fits, a cas takes effect only
    if the value matches (and otherwise fits as a failed one)."""
    if op.kind is Kind.PUT:
        return True, op.value
    if op.kind is Kind.GET:
        return (True, state) if op.timed_out else (state == op.value, state)
    matches = state == op.expected
    if op.timed_out:
        return True, op.value if matches else state
    if op.ok:
        return matches, op.value
    return not matches, state


class Outcome(StrEnum):
    LINEARIZABLE = "linearizable"
    VIOLATION = "violation"
    UNKNOWN = "unknown"
    """The search ran past :data:`STATE_BUDGET`: no verdict."""


def search(ops: Sequence[C], initial: S, step: Step[S, C], budget: int = STATE_BUDGET) -> Outcome:
    """Wing–Gong with memoisation: depth-first over which operation takes effect next.

    An operation may go next when no other operation still waiting returned before it was
    invoked. The search succeeds once every operation that completed is placed (those that
    timed out may stay out: they never happened)."""
    n = len(ops)
    must = 0
    for index, op in enumerate(ops):
        if not op.timed_out:
            must |= 1 << index
    seen: set[tuple[int, S]] = set()
    stack: list[tuple[int, S]] = [(0, initial)]
    while stack:
        done, state = stack.pop()
        if done & must == must:
            return Outcome.LINEARIZABLE
        if (done, state) in seen:
            continue
        seen.add((done, state))
        if len(seen) > budget:
            return Outcome.UNKNOWN
        first_return = min(ops[i].returns for i in range(n) if not done >> i & 1)
        for i in range(n):
            if done >> i & 1 or ops[i].invoked > first_return:
                continue
            fits, after = step(state, ops[i])
            if fits and (done | 1 << i, after) not in seen:
                stack.append((done | 1 << i, after))
    return Outcome.VIOLATION


@dataclass(frozen=True)
class KeyVerdict:
    key: str
    outcome: Outcome
    witness: tuple[Operation, ...] = ()
    """For a violation: the smallest part of the key's history that is already impossible."""

    def describe(self, start: float = 0.0) -> str:
        """The witness as a table a learner can follow, times from ``start``."""
        if self.outcome is not Outcome.VIOLATION:
            return f"key {self.key!r}: {self.outcome.value}"
        rows = [("client", "operation", "invoked", "returned")]
        for op in sorted(self.witness, key=lambda o: (o.invoked, o.returns)):
            returned = "never (timed out)" if op.completed is None else f"{op.completed - start:.3f} s"
            rows.append((op.client, op.describe(), f"{op.invoked - start:.3f} s", returned))
        widths = [max(len(row[col]) for row in rows) for col in range(4)]
        lines = [
            "  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows
        ]
        return (
            f"key {self.key!r}: no order of these operations, each taking effect at one moment "
            "between its invocation and its return, explains what they returned:\n" + "\n".join(lines)
        )


def _truncate(ops: Sequence[C], at: float) -> list[C]:
    """The history as seen at time ``at``: later invocations left out, operations still
    running then made timed out (they may or may not take effect)."""
    cut: list[C] = []
    for op in ops:
        if op.invoked > at:
            continue
        cut.append(op if op.returns <= at else replace(op, completed=None))  # type: ignore[type-var]  # every Call is a dataclass
    return cut


def witness(
    ops: Sequence[C],
    initial: S,
    step: Step[S, C],
    budget: int = STATE_BUDGET,
    removable: Callable[[C, Sequence[C]], bool] | None = None,
) -> tuple[C, ...]:
    """The smallest impossible part of a violating history: the shortest failing prefix
    (binary search over completion times: a prefix of a linearizable history is
    linearizable), then every operation it does not need removed. Only operations whose
    removal cannot turn a linearizable history into an impossible one are tried: reads,
    and whatever ``removable(op, rest)`` allows besides (given the rest of the witness)."""
    times = sorted({op.returns for op in ops if not op.timed_out})
    low, high = 0, len(times) - 1
    while low < high:
        middle = (low + high) // 2
        if search(_truncate(ops, times[middle]), initial, step, budget) is Outcome.VIOLATION:
            high = middle
        else:
            low = middle + 1
    found = _truncate(ops, times[low]) if times else list(ops)
    if search(found, initial, step, budget) is not Outcome.VIOLATION:
        found = list(ops)
    for op in sorted(found, key=lambda o: -o.invoked):
        rest = [other for other in found if other is not op]
        if not (op.is_read or (removable is not None and removable(op, rest))):
            continue
        if search(rest, initial, step, budget) is Outcome.VIOLATION:
            found = rest
    return tuple(found)


def check_key(
    key: str, ops: Sequence[Operation], initial: str | None = None, budget: int = STATE_BUDGET
) -> KeyVerdict:
    outcome = search(ops, initial, step, budget)
    if outcome is not Outcome.VIOLATION:
        return KeyVerdict(key, outcome)
    return KeyVerdict(key, outcome, witness(ops, initial, step, budget))


def check(history: Iterable[Operation], budget: int = STATE_BUDGET) -> list[KeyVerdict]:
    """One verdict per key, in key order; every key starts with no value."""
    by_key: dict[str, list[Operation]] = {}
    for op in history:
        by_key.setdefault(op.key, []).append(op)
    return [check_key(key, by_key[key], budget=budget) for key in sorted(by_key)]


def first_violation(history: Iterable[Operation], budget: int = STATE_BUDGET) -> KeyVerdict | None:
    return next((v for v in check(history, budget) if v.outcome is Outcome.VIOLATION), None)


class QueueKind(StrEnum):
    ENQUEUE = "enqueue"
    DEQUEUE = "dequeue"


@dataclass(frozen=True)
class QueueCall(_Timed):
    """One call on a FIFO queue. ``value``: the item enqueued, or the item a dequeue
    returned (None when it returned "empty"). ``ok``: what the call returned (an enqueue
    refused because the queue was full, a dequeue that found it empty: False).
    ``invoked`` and ``completed`` are on one clock, in any unit (:meth:`QueueVerdict.describe`
    is told which); ``completed`` is None for a call whose result is unknown."""

    client: str
    kind: QueueKind
    invoked: float
    completed: float | None
    value: str | None = None
    ok: bool = True

    @property
    def is_read(self) -> bool:
        """A refused enqueue and an empty dequeue change nothing: removing one only loosens."""
        return not self.ok and not self.timed_out

    def describe(self) -> str:
        if self.kind is QueueKind.ENQUEUE:
            text = f"enqueue({self.value})"
            if self.timed_out:
                return text
            return text + (" -> true" if self.ok else " -> false (full)")
        if self.timed_out:
            return "dequeue()"
        return f"dequeue() -> true, {self.value}" if self.ok else "dequeue() -> false (empty)"


QueueState = tuple[str, ...]


def queue_model(capacity: int | None = None) -> Step[QueueState, QueueCall]:
    """The sequential FIFO queue, holding at most ``capacity`` items when given: an enqueue
    appends (or, on a full bounded queue, returns false and changes nothing); a dequeue
    takes the oldest item (or, on an empty queue, returns false). A call with no known
    result may take effect in any way that fits."""

    def queue_step(state: QueueState, op: QueueCall) -> tuple[bool, QueueState]:
        full = capacity is not None and len(state) >= capacity
        if op.kind is QueueKind.ENQUEUE:
            if op.timed_out or op.ok:
                return (True, state) if full else (True, (*state, op.value or ""))
            return full, state
        if op.timed_out:
            return True, state[1:]
        if op.ok:
            return (bool(state) and state[0] == op.value), state[1:]
        return not state, state

    return queue_step


@dataclass(frozen=True)
class QueueVerdict:
    outcome: Outcome
    witness: tuple[QueueCall, ...] = ()
    """For a violation: the smallest part of the history that is already impossible."""

    def describe(self, start: float = 0.0, unit: str = "s", scale: float = 1.0, decimals: int = 3) -> str:
        """The witness as a table, one call a line in order of invocation, times from
        ``start`` divided by ``scale`` and followed by ``unit`` (``unit="µs", scale=1000``
        for nanoseconds shown in microseconds, to the nanosecond)."""
        if self.outcome is not Outcome.VIOLATION:
            return self.outcome.value
        rows = [("thread", "call", "invoked", "returned")]
        for op in sorted(self.witness, key=lambda o: (o.invoked, o.returns)):
            invoked = f"{(op.invoked - start) / scale:.{decimals}f} {unit}"
            returned = (
                "never" if op.completed is None else f"{(op.completed - start) / scale:.{decimals}f} {unit}"
            )
            rows.append((op.client, op.describe(), invoked, returned))
        widths = [max(len(row[col]) for row in rows) for col in range(4)]
        aligned = [
            "  "
            + "  ".join(
                cell.rjust(w) if col >= 2 else cell.ljust(w)
                for col, (cell, w) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
            for row in rows
        ]
        return "\n".join(aligned)


def check_queue(
    history: Sequence[QueueCall], capacity: int | None = None, budget: int = STATE_BUDGET
) -> QueueVerdict:
    """Whether some one-at-a-time order of the calls, each at one instant between its
    invocation and its return, is a run of a FIFO queue that starts empty; for a
    violation, the smallest impossible part of the history as witness."""
    model = queue_model(capacity)
    empty: QueueState = ()
    outcome = search(history, empty, model, budget)
    if outcome is not Outcome.VIOLATION:
        return QueueVerdict(outcome)
    return QueueVerdict(outcome, witness(history, empty, model, budget, _never_dequeued))


def _never_dequeued(op: QueueCall, rest: Sequence[QueueCall]) -> bool:
    """An enqueue whose item no other call dequeued: in any order that explains the
    history, the item stays in the queue to the end, so leaving the enqueue out only
    removes a constraint (the item behind which later ones wait, or that made an "empty"
    impossible)."""
    if op.kind is not QueueKind.ENQUEUE:
        return False
    return not any(other.kind is QueueKind.DEQUEUE and other.value == op.value for other in rest)
