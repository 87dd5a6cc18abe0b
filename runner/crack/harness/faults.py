"""A seeded schedule of faults for a cluster: partitions, crashes and pauses, with their ends.

The schedule is drawn from the stage's seeded generator before anything runs, so it is
known in full up front: it is printed in the log and in a failure message, and
``crack test --seed N`` replays the same faults at the same moments. Faults do not overlap
(each ends before the next begins) and a partition isolates a minority, a crash or a pause
one node: a majority keeps working through every fault, so a correct cluster must keep
answering.

A fault may name ``leader`` instead of a node: :class:`Nemesis` asks the tester which node
leads at that moment (a schedule drawn before the run cannot know it).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from crack.harness.cluster import Cluster
from crack.harness.failure import StageFailure
from crack.harness.router import Router

LEADER = "leader"


class FaultKind(StrEnum):
    PARTITION = "partition"
    CRASH = "crash"
    PAUSE = "pause"


@dataclass(frozen=True)
class Fault:
    """``kind`` done to ``nodes`` (for a partition, the side cut off) from ``at`` seconds after
    the start for ``lasting`` seconds; then healed, restarted or resumed."""

    at: float
    kind: FaultKind
    nodes: tuple[str, ...]
    lasting: float

    def describe(self) -> str:
        who = ", ".join(self.nodes)
        what = {
            FaultKind.PARTITION: f"partition {{{who}}} from the others",
            FaultKind.CRASH: f"crash {who} (SIGKILL), restart it",
            FaultKind.PAUSE: f"pause {who} (SIGSTOP), resume it (SIGCONT)",
        }[self.kind]
        return f"at {self.at:.2f} s: {what} {self.lasting:.2f} s later"


@dataclass(frozen=True)
class FaultSchedule:
    faults: tuple[Fault, ...]

    @classmethod
    def draw(
        cls,
        rng: random.Random,
        ids: Sequence[str],
        *,
        duration: float,
        kinds: Sequence[FaultKind] = tuple(FaultKind),
        lasting: tuple[float, float] = (0.5, 1.5),
        gap: tuple[float, float] = (0.2, 0.8),
        leader_bias: float = 0.0,
    ) -> FaultSchedule:
        """Faults one after another until ``duration`` seconds, each lasting a time drawn from
        ``lasting`` after a quiet ``gap``. With ``leader_bias``, that share of crashes and
        pauses falls on whichever node leads at the time."""
        faults: list[Fault] = []
        t = rng.uniform(*gap)
        largest_minority = (len(ids) - 1) // 2
        while True:
            length = rng.uniform(*lasting)
            if t + length > duration:
                break
            kind = rng.choice(list(kinds))
            if kind is FaultKind.PARTITION:
                if largest_minority < 1:
                    kind = FaultKind.PAUSE
                else:
                    size = rng.randint(1, largest_minority)
                    nodes = tuple(sorted(rng.sample(list(ids), size)))
            if kind is not FaultKind.PARTITION:
                nodes = (LEADER,) if rng.random() < leader_bias else (rng.choice(list(ids)),)
            faults.append(Fault(round(t, 2), kind, nodes, round(length, 2)))
            t += length + rng.uniform(*gap)
        return cls(tuple(faults))

    def describe(self) -> str:
        if not self.faults:
            return "fault schedule: none"
        return "fault schedule:\n" + "\n".join(f"  {fault.describe()}" for fault in self.faults)


class Nemesis:
    """Applies a schedule to a running cluster, in a thread of its own, from :meth:`start`.

    A failure while applying it (a node that does not come back after a restart) is kept
    and raised by :meth:`stop`, in the tester's thread."""

    def __init__(
        self,
        schedule: FaultSchedule,
        cluster: Cluster,
        router: Router | None = None,
        leader: Callable[[], str | None] = lambda: None,
    ) -> None:
        self.schedule = schedule
        self.cluster = cluster
        self.router = router
        self.leader = leader
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="nemesis", daemon=True)

    def start(self) -> None:
        self._began = time.monotonic()
        self._thread.start()

    def _wait_until(self, at: float) -> bool:
        return not self._stop.wait(max(self._began + at - time.monotonic(), 0.0))

    def _run(self) -> None:
        try:
            for fault in self.schedule.faults:
                if not self._wait_until(fault.at):
                    return
                nodes = self._resolve(fault.nodes)
                self._begin(fault.kind, nodes)
                self._wait_until(fault.at + fault.lasting)
                self._end(fault.kind, nodes)
                if self._stop.is_set():
                    return
        except BaseException as exc:  # raised again in the tester's thread by stop()
            self.error = exc

    def _resolve(self, nodes: tuple[str, ...]) -> list[str]:
        if nodes != (LEADER,):
            return list(nodes)
        leader = self.leader()
        return [leader if leader in self.cluster.nodes else self.cluster.ids[0]]

    def _begin(self, kind: FaultKind, nodes: list[str]) -> None:
        if kind is FaultKind.PARTITION:
            assert self.router is not None, "a partition needs the router"
            rest = [node for node in self.cluster.ids if node not in nodes]
            self.router.partition(nodes, rest)
        elif kind is FaultKind.CRASH:
            self.cluster[nodes[0]].crash()
        else:
            self.cluster[nodes[0]].pause()

    def _end(self, kind: FaultKind, nodes: list[str]) -> None:
        if kind is FaultKind.PARTITION:
            assert self.router is not None
            self.router.heal()
        elif kind is FaultKind.CRASH:
            self.cluster[nodes[0]].restart()
        else:
            self.cluster[nodes[0]].resume()

    def stop(self) -> None:
        """End the schedule early (a fault in progress is ended first), then raise what went
        wrong applying it, if anything."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
        if isinstance(self.error, StageFailure):
            raise self.error
        if self.error is not None:
            raise RuntimeError("the fault schedule could not be applied") from self.error
