"""Is a history of get/put/cas operations on a key-value store linearizable?

A replicated store is correct when every history of client operations could have happened
one operation at a time, each taking effect at one instant between its invocation and its
completion (Herlihy and Wing). Checking that is a search for such an order: Wing and
Gong's algorithm, with Lowe's memoisation of every (set of operations linearized, value of
the register) already explored, as Porcupine does. Keys are independent registers, so each
key's history is checked on its own (linearizability is compositional), which keeps the
search small.

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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

STATE_BUDGET = 200_000
"""Search states explored per key before the check gives up (a history too concurrent to
decide in seconds is reported as :attr:`Outcome.UNKNOWN`, never as a violation)."""


class Kind(StrEnum):
    GET = "get"
    PUT = "put"
    CAS = "cas"


@dataclass(frozen=True)
class Operation:
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
    def timed_out(self) -> bool:
        return self.completed is None

    @property
    def returns(self) -> float:
        return math.inf if self.completed is None else self.completed

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


def _search(ops: Sequence[Operation], initial: str | None, budget: int) -> Outcome:
    """Wing–Gong with memoisation: depth-first over which operation takes effect next.

    An operation may go next when no other operation still waiting returned before it was
    invoked. The search succeeds once every operation that completed is placed (those that
    timed out may stay out: they never happened)."""
    n = len(ops)
    must = 0
    for index, op in enumerate(ops):
        if not op.timed_out:
            must |= 1 << index
    seen: set[tuple[int, str | None]] = set()
    stack: list[tuple[int, str | None]] = [(0, initial)]
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


def _truncate(ops: Sequence[Operation], at: float) -> list[Operation]:
    """The history as seen at time ``at``: later invocations left out, operations still
    running then made timed out (they may or may not take effect)."""
    cut = []
    for op in ops:
        if op.invoked > at:
            continue
        cut.append(op if op.returns <= at else replace(op, completed=None))
    return cut


def _witness(ops: Sequence[Operation], initial: str | None, budget: int) -> tuple[Operation, ...]:
    """The shortest failing prefix (binary search over completion times: a prefix of a
    linearizable history is linearizable), then every read it does not need removed."""
    times = sorted({op.returns for op in ops if not op.timed_out})
    low, high = 0, len(times) - 1
    while low < high:
        middle = (low + high) // 2
        if _search(_truncate(ops, times[middle]), initial, budget) is Outcome.VIOLATION:
            high = middle
        else:
            low = middle + 1
    witness = _truncate(ops, times[low]) if times else list(ops)
    if _search(witness, initial, budget) is not Outcome.VIOLATION:
        witness = list(ops)
    for op in sorted(witness, key=lambda o: -o.invoked):
        if not op.is_read:
            continue
        smaller = [other for other in witness if other is not op]
        if _search(smaller, initial, budget) is Outcome.VIOLATION:
            witness = smaller
    return tuple(witness)


def check_key(
    key: str, ops: Sequence[Operation], initial: str | None = None, budget: int = STATE_BUDGET
) -> KeyVerdict:
    outcome = _search(ops, initial, budget)
    if outcome is not Outcome.VIOLATION:
        return KeyVerdict(key, outcome)
    return KeyVerdict(key, outcome, _witness(ops, initial, budget))


def check(history: Iterable[Operation], budget: int = STATE_BUDGET) -> list[KeyVerdict]:
    """One verdict per key, in key order; every key starts with no value."""
    by_key: dict[str, list[Operation]] = {}
    for op in history:
        by_key.setdefault(op.key, []).append(op)
    return [check_key(key, by_key[key], budget=budget) for key in sorted(by_key)]


def first_violation(history: Iterable[Operation], budget: int = STATE_BUDGET) -> KeyVerdict | None:
    return next((v for v in check(history, budget) if v.outcome is Outcome.VIOLATION), None)
