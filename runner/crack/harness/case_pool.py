"""Running a stage's independent cases at once, reported as if they ran one after another.

A one-shot challenge (grep, sqlite…) runs the learner's program once per case, and a run
is mostly the start of a process: cases that share nothing run on as many threads as
crack may use cores. Each case gets a harness of its own (see ``Harness.for_case``) whose
log is held back; logs are passed on whole and in case order, so the session log reads
exactly as a serial run's would. The failure reported is the first *by case order*: a
later case that fails sooner only stops the cases after it, and the cases before it still
run to their verdict.

When the grading overlaps stages (see :mod:`crack.stage_overlap`), the next stage's cases
start on the cores the last cases of this one leave idle; :class:`CaseSlots` keeps the
cases of both, together, to one per core.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from crack.harness.failure import StageFailure

if TYPE_CHECKING:
    from crack.harness.harness import Harness

T = TypeVar("T")

WAIT_S = 0.1
"""How often the thread reporting the cases looks whether the stage was stopped."""


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity), at least 1."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class CaseSlots:
    """How many cases may run at once across the pools of overlapping stages."""

    def __init__(self, capacity: int) -> None:
        self.capacity = max(capacity, 1)
        self._in_use = 0
        self._changed = threading.Condition()

    def acquire(self, give_up: Callable[[], bool]) -> bool:
        """Take a slot; False (and no slot) once ``give_up()`` is true while waiting."""
        with self._changed:
            while self._in_use >= self.capacity:
                if give_up():
                    return False
                self._changed.wait(WAIT_S)
            self._in_use += 1
            return True

    def release(self) -> None:
        with self._changed:
            self._in_use -= 1
            self._changed.notify()


@dataclass
class _Done:
    harness: Harness
    failure: StageFailure | None = None
    error: BaseException | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.failure is None and self.error is None


class CasePool(Generic[T]):
    """One ``Harness.run_cases`` call: the cases, the workers, and what each case did."""

    def __init__(
        self, parent: Harness, cases: Sequence[T], check: Callable[[Harness, T], None], workers: int
    ) -> None:
        self.parent = parent
        self.cases = list(cases)
        self.check = check
        self.workers = max(1, min(workers, len(self.cases)))
        self._done: list[_Done | None] = [None] * len(self.cases)
        self._running: dict[int, Harness] = {}
        self._next = 0
        self._stop_after = len(self.cases)
        """Cases at or past this index are not started: an earlier one failed."""
        self._changed = threading.Condition()

    # --- the workers ---------------------------------------------------------------------
    def _take(self) -> tuple[int, Harness] | None:
        with self._changed:
            index = self._next
            if self._stopped():
                return None
            self._next += 1
            harness = self.parent.for_case(index)
            self._running[index] = harness
            last = self._next == len(self.cases)
        if last and self.parent.on_cases_handed_out is not None:
            self.parent.on_cases_handed_out()
        return index, harness

    def _stopped(self) -> bool:
        """No case is left to start (all started, an earlier one failed, or the stage ended)."""
        return self._next >= self._stop_after or self.parent.aborted

    def _work(self) -> None:
        slots = self.parent.case_slots
        while True:
            if slots is not None and not slots.acquire(self._stopped):
                return
            try:
                taken = self._take()
                if taken is None:
                    return
                self._run_case(*taken)
            finally:
                if slots is not None:
                    slots.release()

    def _run_case(self, index: int, harness: Harness) -> None:
        done = _Done(harness)
        try:
            self.check(harness, self.cases[index])
        except StageFailure as failure:
            done.failure = failure
        except BaseException as exc:  # reported by the tester thread, as a stage's error
            done.error = exc
        finally:
            done.problems = harness.teardown()
            with self._changed:
                del self._running[index]
                self._done[index] = done
                if not done.passed and index < self._stop_after:
                    self._stop_after = index + 1
                    self._stop_running(after=index)
                self._changed.notify_all()

    def _stop_running(self, after: int) -> None:
        """End the cases past ``after`` that are still running (called with the lock held)."""
        for index, harness in self._running.items():
            if index > after:
                harness.abort()

    def abort(self) -> None:
        """The stage was stopped: end every running case; no new one starts."""
        with self._changed:
            self._stop_after = min(self._stop_after, self._next)
            self._stop_running(after=-1)
            self._changed.notify_all()

    # --- the tester thread -----------------------------------------------------------------
    def run(self) -> None:
        threads = [
            threading.Thread(target=self._work, name=f"case-{number}", daemon=True)
            for number in range(self.workers)
        ]
        for thread in threads:
            thread.start()
        try:
            for index in range(len(self.cases)):
                done = self._wait_for(index)
                if done is None:  # the stage was stopped before this case ran
                    self.parent.fail("the stage was stopped (time is up)")
                self._pass_on(done)
                if done.error is not None:
                    raise done.error
                if done.failure is not None:
                    raise done.failure
        finally:
            self.abort()
            for thread in threads:
                thread.join()

    def _wait_for(self, index: int) -> _Done | None:
        with self._changed:
            while self._done[index] is None:
                if index >= self._next and (index >= self._stop_after or self.parent.aborted):
                    return None  # not started, and it never will be
                self._changed.wait(WAIT_S)
            return self._done[index]

    def _pass_on(self, done: _Done) -> None:
        """Hand a finished case's log, ports and processes to the stage's harness."""
        case = done.harness
        for problem in done.problems:
            case.log_session.internal(problem)
        self.parent.log_session.forward(case.log_session.lines)
        self.parent.adopt(case)
