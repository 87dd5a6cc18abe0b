"""The lock-free-queue tester: one function per stage slug of challenge.yaml.

The learner writes the functions of a fixed header (``queue.h``). The tester compiles its
own driver (``driver.c``) together with their code, through :mod:`crack.harness.compiled`,
optimised (-O2) and again under ThreadSanitizer and AddressSanitizer, and runs it through
their ``your_program.sh``. The driver prints facts; this package judges them.

- ``sources``: asking the program what to compile, and the builds.
- ``sanitizers``: sanitizer reports boiled down to the two accesses that race.
- ``history``: the linearizability check of small concurrent histories.

The oracles are real lock-free queues behind the same header: Boost.Lockfree's
``boost::lockfree::queue`` (``oracle/boost``) and liburcu's ``cds_lfq`` (a scenario that
must pass every stage).
"""

from __future__ import annotations

import signal
import subprocess

from crack.harness import Harness
from crack.harness.linearizability import Outcome
from crack.tester import Tester

from . import history, sanitizers
from .sources import driver, shared_library

tester = Tester("lock-free-queue")

SANITIZER_ENV = {
    "TSAN_OPTIONS": sanitizers.TSAN_OPTIONS,
    "ASAN_OPTIONS": sanitizers.ASAN_OPTIONS,
    "LSAN_OPTIONS": sanitizers.LSAN_OPTIONS,
}

HINTS = {
    "order": "a FIFO queue hands items out oldest first: take from the end you did not add to",
    "empty": "on an empty queue, queue_dequeue returns false and leaves *item alone",
    "capacity": "queue_create(capacity) must hold exactly capacity items: a ring of capacity "
    "slots needs a count (or capacity + 1 slots) to tell full from empty",
    "overfull": "queue_enqueue on a full queue returns false and changes nothing",
    "refused": "queue_enqueue may refuse only when the queue holds capacity items",
    "lost": "an item enqueued must come out exactly once: look for an index advanced before "
    "the slot was written, or two threads that claimed the same position",
    "duplicate": "two consumers took the same item: claiming a position must be one atomic "
    "step (a compare-and-swap on the index), not a load followed by a store",
    "stalled": "an item enqueued never came out: a consumer that reads an index before the "
    "producer's write to the slot is visible may skip it for good",
    "garbage": "a consumer read a slot before the producer's write to it was visible: publish "
    "the index with a release store after writing the slot, read it with an acquire load",
}

TSAN_HINT = (
    "two threads touched the same memory, at least one writing, and nothing ordered the "
    "accesses: the slot is written by the producer and read by the consumer, so the index "
    "that hands it over must be stored with memory_order_release after the write and loaded "
    "with memory_order_acquire before the read (relaxed is not enough, and plain variables "
    "are not atomic at all)"
)


def race_hint(race: str) -> str:
    """The likely mistake, from which functions raced: a free, two enqueues (producers
    sharing an index), two dequeues (consumers), or a producer against a consumer."""
    if "free()" in race or "delete" in race:
        return RECLAIM_HINT
    if race.count("queue_enqueue") == 2:
        return (
            "two producers wrote the same index or slot: with many producers, a position is "
            "claimed with a compare-and-swap on tail that only one of them wins"
        )
    if race.count("queue_dequeue") == 2:
        return (
            "two consumers wrote the same index or took the same slot: with many consumers, a "
            "position is claimed with a compare-and-swap on head (or the consumers take turns "
            "through a lock, until the lock-free stage)"
        )
    return TSAN_HINT


def run_driver(
    h: Harness, flavour: str, args: list[str], what: str, *, timeout: float | None = None
) -> list[str]:
    """Run the driver built in ``flavour``; fail on a crash, a hang, a sanitizer report or a
    broken property. Returns its stdout lines."""
    binary = driver(h, flavour)
    result = h.run([str(binary), *args], env=SANITIZER_ENV, timeout=timeout)
    lines = result.stdout.decode(errors="replace").splitlines()
    stderr = result.stderr.decode(errors="replace")
    label = {
        "O2": "",
        "perturbed": " (a pause point before each atomic operation)",
        "tsan-perturbed": " (ThreadSanitizer build, a pause point before each atomic operation)",
        "tsan": " (ThreadSanitizer build)",
        "asan": " (AddressSanitizer build)",
    }[flavour]
    race = sanitizers.tsan_race(stderr) if flavour.startswith("tsan") else None
    if race is not None:
        h.fail(f"{what}{label}: ThreadSanitizer found {race}", hint=race_hint(race))
    error = sanitizers.asan_error(stderr) if flavour == "asan" else None
    if error is not None:
        leak = error.startswith("memory leaked")
        h.fail(f"{what}{label}: AddressSanitizer found {error}", hint=LEAK_HINT if leak else RECLAIM_HINT)
    for line in lines:
        if line.startswith("fail "):
            kind, _, message = line[5:].partition(": ")
            h.fail(f"{what}{label}: {message}", hint=HINTS.get(kind))
    if result.timed_out:
        h.fail(f"{what}{label}: the program did not finish in time", hint=HINTS["stalled"])
    code = result.returncode
    if code is not None and code < 0:
        h.fail(
            f"{what}{label}: the program was killed by {signal.Signals(-code).name}",
            hint="a crash inside the queue: an index past the end of the slots, or a node used "
            "after it was freed; run the driver under gdb to see where",
        )
    if code != 0 or not any(line.startswith("ok") for line in lines):
        tail = stderr.strip()[-800:]
        h.fail(f"{what}{label}: the program exited with code {code}" + (f"\nstderr:\n{tail}" if tail else ""))
    return lines


RECLAIM_HINT = (
    "a node freed while another thread may still read it (the one that loaded head just "
    "before it was dequeued) is a use after free: keep dequeued nodes allocated for now, "
    "then reuse them through a pool whose links carry a counter (tagged references), or "
    "free them only when no thread can hold them (hazard pointers, epochs)"
)
LEAK_HINT = (
    "queue_destroy must free everything the queue allocated: the queue itself, its slots or "
    "nodes, and the items' nodes still in it"
)


def threads(h: Harness, flavour: str, producers: int, consumers: int, per: int, capacity: int) -> None:
    seed = h.random.randrange(1, 1 << 30)
    what = (
        f"{producers} producer{'s' if producers > 1 else ''} and {consumers} consumer"
        f"{'s' if consumers > 1 else ''}, {per} items each, capacity {capacity}"
    )
    lines = run_driver(
        h, flavour, ["threads", str(producers), str(consumers), str(per), str(capacity), str(seed)], what
    )
    h.log(next(line for line in lines if line.startswith("ok")))


@tester.stage("fifo")
def fifo(h: Harness) -> None:
    seed = h.random.randrange(1, 1 << 30)
    lines = run_driver(
        h, "O2", ["fifo", str(seed), "20000"], "one thread, two queues, 20000 random operations"
    )
    h.log(lines[-1])


@tester.stage("bounded")
def bounded(h: Harness) -> None:
    seed = h.random.randrange(1, 1 << 30)
    lines = run_driver(
        h, "O2", ["bounded", str(seed)], "capacities 1, 2, 3, 5, 8, 64, 100, 1000 and 8 random ones"
    )
    h.log(lines[-1])


@tester.stage("spsc")
def spsc(h: Harness) -> None:
    threads(h, "O2", 1, 1, 200000, 64)
    threads(h, "O2", 1, 1, 100000, 1)
    threads(h, "tsan", 1, 1, 50000, 16)


@tester.stage("mpsc")
def mpsc(h: Harness) -> None:
    """ThreadSanitizer first: producers sharing an unguarded tail show in the optimised build
    as lost items, an item twice or a stalled consumer, whichever the interleaving gives, but
    under ThreadSanitizer as the same race on every run, which also names the cause."""
    threads(h, "tsan", 4, 1, 20000, 16)
    threads(h, "O2", 4, 1, 50000, 64)


@tester.stage("mpmc")
def mpmc(h: Harness) -> None:
    """ThreadSanitizer first, as in mpsc, and with a pause point before each atomic step:
    ThreadSanitizer names the cause of a race (a plain head, a node freed under a reader),
    and the pauses make two consumers meet between an atomic load of head and the store of
    head + 1, which on two cores an unperturbed run may never see."""
    threads(h, "tsan-perturbed", 3, 3, 20000, 16)
    for capacity in (64, 8, 2):
        threads(h, "O2", 3, 3, 50000, capacity)


HISTORY_ROUNDS = 2000
"""Rounds of 2 to 4 threads making 2 to 6 calls each, with the queue built "perturbed" (a
seeded pause point before each of its atomic operations, perturb.h). Measured on two busy
cores: the sequenced ring that answers "empty" while a producer is between its claim and
its write fails in the first hundred rounds or so, a consumer that gives up on a held try-lock
within the first 10, a lane per thread in the first 5; Boost.Lockfree and the reference
pass every one."""

HISTORY_HINT = (
    "an enqueue that returned before another was called must come out first, and a dequeue "
    "may return false only if the queue was empty at some moment during the call: not when "
    "another thread holds a lock, nor when the next slot is claimed but not yet written "
    "while later items are ready"
)


@tester.stage("linearizable")
def linearizable(h: Harness) -> None:
    seed = h.random.randrange(1, 1 << 30)
    what = f"{HISTORY_ROUNDS} rounds of 2 to 4 threads making 2 to 6 random calls each on a new queue"
    lines = run_driver(h, "perturbed", ["history", str(seed), str(HISTORY_ROUNDS)], what)
    rounds = history.parse_rounds(lines)
    if len(rounds) != HISTORY_ROUNDS:
        h.fail(f"{what}: the program printed {len(rounds)} rounds; expected {HISTORY_ROUNDS}")
    undecided = 0
    for number, calls in enumerate(rounds, start=1):
        verdict = history.check(calls)
        undecided += verdict.outcome is Outcome.UNKNOWN
        if verdict.outcome is Outcome.VIOLATION:
            h.fail(
                f"{what}: in round {number}, no order of the calls explains their results, each "
                f"taking effect at one moment between its call and its return. The smallest "
                f"part of the round that is already impossible ({len(verdict.witness)} of its "
                f"{len(calls)} calls; times from the round's start):\n"
                + verdict.describe(unit="µs", scale=1000),
                hint=HISTORY_HINT,
            )
    h.log(
        f"{len(rounds)} histories, each explained by an order of its calls (linearizable)"
        + (f"; {undecided} too tangled to decide" if undecided else "")
    )


LOCKING = (
    "pthread_mutex_lock",
    "pthread_mutex_trylock",
    "pthread_mutex_timedlock",
    "pthread_spin_lock",
    "pthread_spin_trylock",
    "pthread_rwlock_rdlock",
    "pthread_rwlock_wrlock",
    "pthread_cond_wait",
    "pthread_cond_timedwait",
    "sem_wait",
    "sem_timedwait",
    "mtx_lock",
    "mtx_timedlock",
    "cnd_wait",
)
PARK_ROUNDS = 40
"""A spin lock is caught in about one pause in six (the pause must land while the lock is
held): forty pauses miss it once in a few thousand runs."""
PARK_MS = 100
PARK_PATIENCE_MS = 1000
"""Each pause lasts PARK_MS, or up to PARK_PATIENCE_MS while the others have completed
nothing: on a busy machine they may get no turn on a core for a while, where a queue that
waits for the paused thread waits for good (driver.c, run_park)."""


@tester.stage("lock-free")
def lock_free(h: Harness) -> None:
    library = shared_library(h)
    done = subprocess.run(
        ["nm", "-D", "--undefined-only", str(library)], capture_output=True, text=True, timeout=60
    )
    imported = {line.split()[-1].split("@")[0] for line in done.stdout.splitlines() if line.strip()}
    locks = sorted(name for name in imported if name in LOCKING)
    h.log("$ nm -D --undefined-only <your queue alone, built as a shared library>")
    if locks:
        h.fail(
            f"your queue calls {', '.join(locks)}: a lock-free queue takes no lock",
            hint="a thread paused while it holds a lock stops every other thread; replace the "
            "lock with compare-and-swap on the indices or links, so a paused thread never "
            "stands in anyone's way",
        )
    h.log("no mutex, semaphore, condition variable or spin lock among them")
    seed = h.random.randrange(1, 1 << 30)
    what = (
        f"4 threads enqueueing and dequeueing; {PARK_ROUNDS} times, one of them paused for "
        f"{PARK_MS} ms or more"
    )
    binary = driver(h, "O2")
    result = h.run([str(binary), "park", str(seed), str(PARK_ROUNDS)])
    lines = result.stdout.decode(errors="replace").splitlines()
    stalled = next((line for line in lines if line.startswith("park ") and line.endswith("progress=0")), None)
    if stalled is not None or result.timed_out:
        fields = dict(part.split("=", 1) for part in (stalled or "").split() if "=" in part)
        h.fail(
            f"{what}: in round {fields.get('round', '?')}, while thread {fields.get('thread', '?')} "
            f"was paused (stopped in a signal handler wherever it happened to be), the other 3 "
            f"threads completed no dequeue in {PARK_PATIENCE_MS / 1000:g} s",
            hint="something in your queue waits for another thread: a spin lock, or a slot "
            "claimed by a thread that has not yet filled it. Lock-free means a paused thread "
            "leaves the structure in a state others can finish (help move the tail along) "
            "or step around",
        )
    code = result.returncode
    if code is not None and code < 0:
        h.fail(f"{what}: the program was killed by {signal.Signals(-code).name}")
    if code != 0 or not any(line.startswith("ok") for line in lines):
        h.fail(f"{what}: the program exited with code {code}: {lines[-3:]!r}")
    least = min(int(line.rsplit("=", 1)[1]) for line in lines if line.startswith("park "))
    h.log(f"{PARK_ROUNDS} pauses: the other threads kept going every time (at least {least} dequeues)")


MEMORY_ITEMS = 2_000_000
MEMORY_GROWTH_KIB = 24 * 1024
"""A queue that keeps every node it ever used grows by some 60 MiB over two million items;
one that reuses them grows by nothing, and one that frees them after a grace period
(liburcu's call_rcu) by what is waiting for it: 17 MiB seen on a busy machine."""


@tester.stage("reclamation")
def reclamation(h: Harness) -> None:
    threads(h, "asan", 3, 3, 30000, 16)
    seed = h.random.randrange(1, 1 << 30)
    lines = run_driver(h, "asan", ["churn", str(seed), "2000"], "2000 queues created, filled and destroyed")
    h.log(lines[-1])
    lines = run_driver(h, "O2", ["memory", str(MEMORY_ITEMS)], f"{MEMORY_ITEMS} items through a queue of 64")
    line = next(line for line in lines if line.startswith("memory "))
    fields = dict(part.split("=", 1) for part in line.split() if "=" in part)
    grown = int(fields["after_kib"]) - int(fields["before_kib"])
    h.log(f"resident memory grew by {max(grown, 0)} KiB while {MEMORY_ITEMS} items passed through")
    if grown > MEMORY_GROWTH_KIB:
        h.fail(
            f"{MEMORY_ITEMS} items through a queue that never held more than 64: the process grew "
            f"by {grown // 1024} MiB; expected at most {MEMORY_GROWTH_KIB // 1024} MiB",
            hint="dequeued nodes must be reused or freed while the queue lives, not kept until "
            "queue_destroy: recycle them through a free list whose head carries a counter, so "
            "a compare-and-swap cannot mistake a reused node for the one it read (ABA)",
        )
