"""The malloc challenge's tester: one function per stage slug of challenge.yaml.

The learner's program is a wrapper: ``./your_program.sh PROGRAM ARGS...`` runs PROGRAM with
their ``build/libmymalloc.so`` preloaded. The tester compiles a driver of its own
(``driver.c``, through ``crack.harness.compiled``) and runs it, and real programs (ls, sort,
python3, git), that way. The real allocators pass every stage the same way: jemalloc is the
oracle (``oracle/preload.sh``), glibc and mimalloc are scenarios that must pass everything.

- ``traces``: seeded allocation traces, each shaped to one property.
- ``driving``: running the driver, and the failure messages.
- ``programs``: real programs under the allocator, compared with their plain output.

Heap size is the resident memory the process gained while the trace ran (its peak), which
counts sbrk'd and mmap'd memory alike, and only what was touched: an allocator that reserves
address space it never uses is not charged for it.
"""

from __future__ import annotations

import signal

from crack.harness import Harness
from crack.tester import Tester

from . import traces
from .driving import (
    ALL_SYMBOLS,
    BASIC_SYMBOLS,
    baseline_ns,
    check_symbols,
    driver,
    fields,
    kib,
    median,
    run_driver,
    run_trace,
    timed_run,
)
from .programs import check_programs

tester = Tester("malloc")

FOOTPRINT_SLACK_KIB = 1024
"""What any allocator may spend on itself (metadata, a first chunk) on top of a bound."""


def footprint_at_most(h: Harness, trace: traces.Trace, factor: float, why: str, hint: str) -> None:
    result = run_trace(h, trace)
    limit = int(result.peak_live * factor / 1024) + FOOTPRINT_SLACK_KIB
    h.log(
        f"footprint {result.footprint_kib} KiB, at most {limit} KiB allowed ({factor}x peak live + "
        f"{FOOTPRINT_SLACK_KIB} KiB)"
    )
    if result.footprint_kib > limit:
        h.fail(
            f"{trace.summary()}: the heap grew to {result.footprint_kib} KiB while at most "
            f"{kib(result.peak_live)} were live at once; expected at most {limit} KiB ({why})",
            hint=hint,
        )


@tester.stage("malloc-free")
def malloc_free(h: Harness) -> None:
    check_symbols(h, BASIC_SYMBOLS)
    run_trace(h, traces.mixed(h.random, 3000))


@tester.stage("realloc")
def realloc(h: Harness) -> None:
    run_trace(h, traces.reallocs(h.random, 2500))


EDGE_CALLS = [
    ("malloc0", "malloc(0)"),
    ("malloc0_distinct", "a second malloc(0)"),
    ("free_null", "free(NULL) or free of the malloc(0) blocks"),
    ("malloc_huge", "malloc(SIZE_MAX - 4096)"),
    ("calloc_overflow", "calloc(SIZE_MAX / 16 + 2, 32)"),
    ("realloc_null", "realloc(NULL, 40)"),
]
HUGE_HINT = (
    "adding the header to a huge size wraps around to a small number, and sbrk takes a signed "
    "increment: a huge size becomes a negative one that shrinks the heap. Refuse sizes above "
    "PTRDIFF_MAX before any arithmetic"
)


def edge_facts(h: Harness) -> list[str]:
    """The driver's ``edge`` run, one line per call; a crash is blamed on the first call
    that printed nothing (the driver's output is line-buffered)."""
    result = h.run([str(driver(h)), "edge"])
    lines = result.stdout.decode(errors="replace").splitlines()
    for line in lines:
        h.log(line)
    code = result.returncode
    if result.timed_out or (code is not None and code < 0):
        done = {line.split()[0] for line in lines if line.strip()}
        culprit = next((call for key, call in EDGE_CALLS if key not in done), "the end of the run")
        how = "did not return" if result.timed_out else f"was killed by {signal.Signals(-(code or 0)).name}"
        h.fail(
            f"malloc(0), free(NULL) and impossible sizes: the program {how} in {culprit} "
            f"(the calls before it printed their results)",
            hint=HUGE_HINT if "SIZE_MAX" in culprit else None,
        )
    return lines


@tester.stage("edge-sizes")
def edge_sizes(h: Harness) -> None:
    lines = edge_facts(h)
    facts = {line.split()[0]: line for line in lines if line.strip()}
    if "free_null" not in facts:
        h.fail("free(NULL) did not return: it must do nothing")
    if facts.get("malloc0_distinct", "").endswith("no"):
        h.fail(
            "malloc(0) returned the same pointer twice while the first was still live",
            hint="malloc(0) may return NULL or a unique pointer that free accepts; treat it as "
            "a request for the smallest block",
        )
    if not facts.get("malloc_huge", "").endswith("null"):
        h.fail(
            "malloc(SIZE_MAX - 4096) returned a pointer, expected NULL: no process can have that much memory",
            hint=HUGE_HINT,
        )
    if not facts.get("realloc_null", "").endswith("pointer"):
        h.fail(f"realloc(NULL, 40) must behave as malloc(40): {facts.get('realloc_null')}")
    run_trace(h, traces.mixed(h.random, 1500, name="with-zero-sizes"))


@tester.stage("reuse")
def reuse(h: Harness) -> None:
    footprint_at_most(
        h,
        traces.rounds(h.random, 120, 60),
        4.0,
        "freed blocks must be handed out again",
        "free must make a block available to later mallocs: mark it free in its header and "
        "look for a free block that fits before growing the heap",
    )


@tester.stage("calloc")
def calloc(h: Harness) -> None:
    lines = edge_facts(h)
    facts = {line.split()[0]: line for line in lines if line.strip()}
    if not facts.get("calloc_overflow", "").endswith("null"):
        h.fail(
            "calloc(SIZE_MAX / 16 + 2, 32) returned a pointer, expected NULL: the product "
            "does not fit in a size_t",
            hint="count * size wraps around to a small number; check the multiplication for "
            "overflow (__builtin_mul_overflow, or count > SIZE_MAX / size)",
        )
    run_trace(h, traces.dirty_then_calloc(h.random, 40))


PHASE_BYTES = 3 << 20
BIG_TO_SMALL = [(40_000, 56_000), (2_500, 3_500), (150, 250)]
"""Every size below the 128 KiB where large blocks leave the heap (glibc's mmap threshold)."""
SHAPE_FACTOR = 2.0
"""Footprint allowed for the splitting and coalescing traces, in peak live bytes: the real
allocators stay under 1.7; one that cannot split or merge needs about 3 (one phase's worth
of new memory per phase)."""


@tester.stage("splitting")
def splitting(h: Harness) -> None:
    footprint_at_most(
        h,
        traces.phases(h.random, "big-to-small", BIG_TO_SMALL, PHASE_BYTES),
        SHAPE_FACTOR,
        "small requests fit in the big blocks freed before them",
        "when a free block is bigger than the request, cut it in two: hand out the front and "
        "keep the rest as a free block",
    )


@tester.stage("coalescing")
def coalescing(h: Harness) -> None:
    footprint_at_most(
        h,
        traces.phases(h.random, "small-to-big", BIG_TO_SMALL[::-1], PHASE_BYTES),
        SHAPE_FACTOR,
        "big requests fit in the space of the many small neighbours freed before them",
        "when a block is freed, merge it with the block after it and the block before it if "
        "they are free; a footer (the size at the end of each block) finds the one before",
    )


THROUGHPUT_RUNS = 3
THROUGHPUT_FACTOR = 10.0
"""How many times slower than the C library's malloc the learner's may be (medians)."""


def within_time_of_libc(h: Harness, trace: traces.Trace, hint: str) -> None:
    """Time the trace under the learner's allocator and under the C library's, alternately,
    in the same run (so both see the same machine), and compare the medians."""
    path = trace.write(h.scratch)
    h.log(f"{trace.summary()}, timed {THROUGHPUT_RUNS} times against the C library's malloc")
    yours: list[float] = []
    theirs: list[float] = []
    for _ in range(THROUGHPUT_RUNS):
        theirs.append(baseline_ns(h, path))
        # Far slower than the bound is a failure however long it would take to finish.
        limit_s = max(2.0, median(theirs) * THROUGHPUT_FACTOR * 4 / 1e9)
        took = timed_run(h, path, limit_s)
        if took is None:
            h.fail(
                f"{trace.summary()}: your allocator did not finish within {limit_s:.1f} s; the C "
                f"library's took {median(theirs) / 1e6:.1f} ms",
                hint=hint,
            )
        yours.append(took)
    mine, glibc = median(yours), median(theirs)
    ratio = mine / max(glibc, 1.0)
    h.log(f"median CPU time: yours {mine / 1e6:.1f} ms, the C library's {glibc / 1e6:.1f} ms ({ratio:.1f}x)")
    if ratio > THROUGHPUT_FACTOR:
        h.fail(
            f"{trace.summary()}: your allocator took {mine / 1e6:.1f} ms, the C library's "
            f"{glibc / 1e6:.1f} ms (median of {THROUGHPUT_RUNS}); expected at most "
            f"{THROUGHPUT_FACTOR:.0f}x as long, got {ratio:.0f}x",
            hint=hint,
        )


@tester.stage("free-list")
def free_list(h: Harness) -> None:
    trace = traces.many_live(h.random, 5000, 120000)
    within_time_of_libc(h, trace, SLOW_HINT)
    run_trace(h, trace)  # and with every check


SLOW_HINT = (
    "with 5000 blocks in use, a malloc that walks every block of the heap looks at thousands "
    "of headers per call; keep the free blocks in a list of their own (the links fit in the "
    "free block's unused bytes)"
)


UTILIZATION = 0.45
"""Least peak live bytes per byte of heap on the interleaved-lifetimes trace. Measured on
five seeds: glibc 0.86-0.92, jemalloc 0.80-0.84 (0.68-0.69 with its default decay),
mimalloc 0.57-0.62, the reference (four classes per power of two) 0.78-0.81; one LIFO
first-fit list 0.17. The heap is the resident memory the trace added (see the module's
docstring): what sbrk and mmap gave the process, as far as it was touched."""


@tester.stage("segregated-fits")
def segregated_fits(h: Harness) -> None:
    trace = traces.interleaved_lifetimes(h.random, 30, 150, 6000)
    result = run_trace(h, trace)
    heap = max(result.footprint_kib, 1) * 1024
    utilization = result.peak_live / heap
    h.log(
        f"utilization {utilization:.2f} (peak live {kib(result.peak_live)} / heap "
        f"{result.footprint_kib} KiB), at least {UTILIZATION:.2f} expected"
    )
    if utilization < UTILIZATION:
        h.fail(
            f"{trace.summary()}: the heap grew to {result.footprint_kib} KiB while at most "
            f"{kib(result.peak_live)} were live at once: a utilization of {utilization:.2f}, "
            f"expected at least {UTILIZATION:.2f} (small long-lived blocks among big "
            "short-lived ones)",
            hint="with one free list, a small request takes whatever free block comes first, "
            "often a big hole just freed, and the small blocks that stay behind cut every "
            "big hole in pieces. Keep one list per size class and look in the request's own "
            "class first, then in the larger ones",
        )
    within_time_of_libc(
        h,
        traces.interleaved_lifetimes(h.random, 30, 150, 6000),
        "a malloc that walks long lists is slow: look only at the request's class, and take "
        "the first block of a larger class when it has none that fits",
    )


LARGE = 64 * 1024 * 1024


@tester.stage("large-blocks")
def large_blocks(h: Harness) -> None:
    run_trace(h, traces.large_mixed(h.random, 300))
    lines = run_driver(h, ["large", str(LARGE), "5"], f"malloc({LARGE}), touch every byte, free, 5 times")
    line = next((line for line in lines if line.startswith("large ")), None)
    if line is None:
        null = next((line for line in lines if line.startswith("large_null")), "")
        h.fail(f"malloc({LARGE}) returned NULL ({null})")
    values = fields(line)
    held, after = int(values["held_kib"]), int(values["after_free_kib"])
    h.log(f"resident memory: +{held} KiB holding the block, +{after} KiB after free")
    if after > 8 * 1024:
        h.fail(
            f"after free of a {LARGE // (1024 * 1024)} MiB block the process still held {after} "
            f"KiB more than before it (while holding it: {held} KiB): the memory was not "
            "returned to the system",
            hint="serve large requests (128 KiB and up) with their own mmap and give them back "
            "with munmap in free; memory in the middle of an sbrk heap cannot be returned",
        )


@tester.stage("aligned")
def aligned(h: Harness) -> None:
    check_symbols(h, ALL_SYMBOLS)
    lines = run_driver(h, ["aligned"], "posix_memalign, aligned_alloc, memalign and valloc")
    for line in lines:
        if line.startswith("aligned "):
            values = fields(line)
            call = f"{line.split()[1]}({values['align']}, {values['size']})"
            if values["result"] != "aligned":
                h.fail(
                    f"{call} returned {values['result']} memory, expected a multiple of {values['align']}",
                    hint="ask for size + alignment bytes and hand out the first aligned "
                    "address inside, with room for a header in front of it",
                )
            if values["usable_ok"] != "yes":
                h.fail(f"malloc_usable_size after {call} is less than {values['size']}")
        elif line.startswith("posix_memalign_bad_align"):
            values = fields(line)
            if values["rc"] != "EINVAL" or values["untouched"] != "yes":
                h.fail(
                    f"posix_memalign(&p, 24, 100) returned {values['rc']} (p untouched: "
                    f"{values['untouched']}); expected EINVAL and p left as it was",
                    hint="an alignment must be a power of two and a multiple of sizeof(void *)",
                )
        elif line.startswith("usable ") and fields(line)["usable_ok"] != "yes":
            h.fail("malloc_usable_size(malloc(10)) is less than 10")
    h.log(f"{sum(line.startswith('aligned ') for line in lines)} aligned allocations checked")
    run_trace(h, traces.aligned_mixed(h.random, 2000))


THREAD_ROUNDS = 3
LOCK_HINT = (
    "two threads changing the free list at once corrupt it: take one lock around every "
    "change to the heap's bookkeeping, in malloc, free and everything else that touches it"
)


@tester.stage("threads-and-programs")
def threads_and_programs(h: Harness) -> None:
    binary = str(driver(h))
    h.log(f"$ ./your_program.sh {binary} threads 4 80000 SEED  ({THREAD_ROUNDS} rounds, seeded)")
    for round_ in range(1, THREAD_ROUNDS + 1):
        seed = h.random.randrange(1, 1 << 30)
        result = h.run([binary, "threads", "4", "80000", str(seed)], quiet=True)
        lines = result.stdout.decode(errors="replace").splitlines()
        line = next((line for line in lines if line.startswith("threads ")), "")
        what = None
        if result.timed_out:
            what = "the program did not finish in time (a thread waiting for a lock forever?)"
        elif result.returncode is not None and result.returncode < 0:
            what = f"the program was killed by {signal.Signals(-result.returncode).name}"
        elif fields(line).get("failures") != "0" or result.returncode != 0:
            what = f"the driver found corrupted blocks or failed allocations ({line or 'no result'})"
        if what is not None:
            h.fail(
                f"4 threads allocating and freeing at once (round {round_} of {THREAD_ROUNDS}, "
                f"seed {seed}): {what}",
                hint=LOCK_HINT,
            )
    h.log(f"{THREAD_ROUNDS} rounds of 4 threads: no block lost or corrupted")
    lines = run_driver(h, ["forks", "100"], "fork while two threads allocate")
    line = next((line for line in lines if line.startswith("forks ")), "forks hung=?")
    h.log(line)
    values = fields(line)
    if values.get("hung") != "0" or values.get("failed") != "0":
        h.fail(
            f"fork while other threads allocate: {line} (a child that calls malloc must not wait forever)",
            hint="fork copies only the calling thread: a lock another thread held at that "
            "moment stays locked in the child. Take the lock before fork and release it in "
            "both processes (pthread_atfork)",
        )
    check_programs(h)
