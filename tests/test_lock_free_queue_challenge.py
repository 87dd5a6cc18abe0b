"""Tests of the lock-free-queue challenge beyond those every challenge gets
(tests/test_challenges.py).

The oracle row of ``crack author check`` proves Boost.Lockfree on every stage. These tests
hold what is specific: liburcu's queue on the stages it can take part in, the starters as
a learner gets them, a C++ queue graded through g++, the manifest a program answers
``sources`` with, and the reading of sanitizer reports and histories.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import run_cli
from crack.authoring.scenarios import grade_silently
from crack.authoring.solutions import materialize
from crack.challenge import load_challenge
from crack.report import StageStatus
from crack.tester import load_tester

CHALLENGE = load_challenge("lock-free-queue")
URCU_HEADER = Path("/usr/include/x86_64-linux-gnu/urcu/rculfqueue.h")

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")


def _module(name: str) -> Any:
    load_tester(CHALLENGE)
    return sys.modules[f"crack_challenges.lock_free_queue.tester.{name}"]


def test_stage_slugs() -> None:
    assert CHALLENGE.stage_slugs == [
        "fifo",
        "bounded",
        "spsc",
        "mpsc",
        "mpmc",
        "linearizable",
        "lock-free",
        "reclamation",
    ]


@pytest.mark.skipif(not URCU_HEADER.is_file(), reason="needs liburcu-dev")
def test_liburcu_passes_the_stages_it_can_take_part_in(tmp_path: Path) -> None:
    """cds_lfq behind queue.h: every stage without a ThreadSanitizer build (liburcu 0.13's
    atomics are inline assembly, invisible to TSan)."""
    program = tmp_path / "urcu"
    shutil.copytree(CHALLENGE.directory / "oracle" / "liburcu", program)
    stages = ["fifo", "bounded", "linearizable", "lock-free", "reclamation"]
    report = grade_silently(CHALLENGE, program, stages=stages, language="c")
    assert [(s.slug, s.status) for s in report.stages] == [(s, StageStatus.PASSED) for s in stages], [
        s.message for s in report.stages
    ]


@pytest.mark.parametrize("language", ["c", "cpp"])
def test_started_repository_builds_and_names_the_missing_functions(tmp_path: Path, language: str) -> None:
    repo = tmp_path / "mine"
    assert run_cli(["start", "lock-free-queue", str(repo), "--lang", language], cwd=tmp_path).exit_code == 0
    # The starters' queue.h is a link to the tester's, the one copy; the learner gets a file.
    header = repo / ("src" if language == "cpp" else "app") / "queue.h"
    assert not header.is_symlink()
    assert header.read_text() == (CHALLENGE.directory / "tester" / "queue.h").read_text()
    out = tmp_path / "report.json"
    result = run_cli(["test", "--output", str(out), "--format", "json"], cwd=repo)
    assert result.exit_code == 1, result.output
    first = json.loads(out.read_text())["stages"][0]
    assert first["status"] == "failed"
    assert "queue_create" in first["message"] and "your code does not define them" in first["message"]
    assert ("g++" if language == "cpp" else "gcc") in first["message"]


CPP_RING = """\
#include <atomic>
#include <cstdlib>
#include "queue.h"

// An SPSC ring in C++: right for one producer and one consumer, not for more.
struct queue {
    size_t size;
    void **slots;
    alignas(64) std::atomic<size_t> head{0};
    alignas(64) std::atomic<size_t> tail{0};
};

queue *queue_create(size_t capacity) {
    queue *q = new queue;
    q->size = capacity + 1;
    q->slots = static_cast<void **>(std::calloc(q->size, sizeof(void *)));
    return q;
}

bool queue_enqueue(queue *q, void *item) {
    size_t tail = q->tail.load(std::memory_order_relaxed), next = (tail + 1) % q->size;
    if (next == q->head.load(std::memory_order_acquire)) return false;
    q->slots[tail] = item;
    q->tail.store(next, std::memory_order_release);
    return true;
}

bool queue_dequeue(queue *q, void **item) {
    size_t head = q->head.load(std::memory_order_relaxed);
    if (head == q->tail.load(std::memory_order_acquire)) return false;
    *item = q->slots[head];
    q->head.store((head + 1) % q->size, std::memory_order_release);
    return true;
}

void queue_destroy(queue *q) {
    std::free(q->slots);
    delete q;
}
"""


@pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++")
def test_a_cpp_ring_passes_until_two_producers_race(tmp_path: Path) -> None:
    """The driver is compiled as C++ with the learner's g++ code, optimised and under TSan."""
    repo = tmp_path / "mine"
    assert run_cli(["start", "lock-free-queue", str(repo), "--lang", "cpp"], cwd=tmp_path).exit_code == 0
    (repo / "src" / "main.cpp").write_text(CPP_RING)
    out = tmp_path / "report.json"
    result = run_cli(["test", "--until", "mpsc", "--output", str(out), "--format", "json"], cwd=repo)
    assert result.exit_code == 1, result.output
    stages = {s["slug"]: s for s in json.loads(out.read_text())["stages"]}
    assert [stages[s]["status"] for s in ("fifo", "bounded", "spsc")] == ["passed"] * 3
    assert stages["mpsc"]["status"] == "failed"
    # Caught by the -O2 run (an item lost or taken twice) or, if that one was lucky, by TSan.
    assert stages["mpsc"]["message"].startswith("4 producers and 1 consumer"), stages["mpsc"]["message"]


def test_a_manifest_without_a_compiler_is_explained(tmp_path: Path) -> None:
    program = materialize(CHALLENGE, "c", "fifo", tmp_path / "program")
    script = program / "your_program.sh"
    script.write_text(script.read_text().replace('echo "compiler gcc"', 'echo "cc gcc"'))
    report = grade_silently(CHALLENGE, program, build="./build.sh", only="fifo", language="c")
    [stage] = report.stages
    assert stage.status is StageStatus.FAILED
    assert "line 1: 'cc gcc' is none of compiler, source, include, library" in stage.message
    assert stage.hint is not None and "./your_program.sh sources" in stage.hint


def test_parse_manifest() -> None:
    sources = _module("sources")
    found, problem = sources.parse_manifest("compiler g++\nsource /a/q.cpp\ninclude /a\nlibrary -lx -ly\n")
    assert problem is None and found is not None
    assert (found.compiler, found.sources, found.includes, found.libraries) == (
        "g++",
        (Path("/a/q.cpp"),),
        (Path("/a"),),
        ("-lx", "-ly"),
    )
    assert (
        sources.parse_manifest("compiler clang\nsource /q.c\n")[1]
        == "line 1: compiler 'clang'; expected gcc or g++"
    )
    assert sources.parse_manifest("compiler gcc\n")[1] == "no `source PATH` line"
    assert sources.parse_manifest("compiler gcc\nsource q.c\n")[1] == "source paths must be absolute: q.c"


TSAN_REPORT = """\
==================
WARNING: ThreadSanitizer: data race (pid=4958)
  Read of size 8 at 0x7b0c000000f0 by thread T2:
    #0 queue_dequeue /home/me/q/app/main.c:51 (driver+0x2f0e)
    #1 consumer_main /x/tester/driver.c:310 (driver+0x3a1b)

  Previous write of size 8 at 0x7b0c000000f0 by thread T1:
    #0 queue_enqueue /home/me/q/app/main.c:43 (driver+0x2e1c)
    #1 producer_main /x/tester/driver.c:280 (driver+0x391b)

SUMMARY: ThreadSanitizer: data race /home/me/q/app/main.c:51 in queue_dequeue
==================
"""

TSAN_FREE = """\
WARNING: ThreadSanitizer: data race (pid=1)
  Write of size 8 at 0x7b0400000000 by thread T3:
    #0 free ../../../../src/libsanitizer/tsan/tsan_interceptors_posix.cpp:706 (libtsan.so.2+0x3f9c8)
    #1 queue_dequeue /q/app/main.c:106 (driver+0x2f0e)

  Previous atomic read of size 8 at 0x7b0400000000 by thread T5:
    #0 queue_dequeue /q/app/main.c:93 (driver+0x2e1c)

SUMMARY: ThreadSanitizer: data race /q/app/main.c:93 in queue_dequeue
"""


def test_a_tsan_report_names_both_accesses_in_a_fixed_order() -> None:
    sanitizers = _module("sanitizers")
    assert sanitizers.tsan_race(TSAN_REPORT) == (
        "a data race: a read in queue_dequeue (main.c:51) and a write in queue_enqueue (main.c:43), "
        "in two threads, with nothing ordering them"
    )
    assert sanitizers.tsan_race(TSAN_FREE) == (
        "a data race: an atomic read in queue_dequeue (main.c:93) and free() in queue_dequeue "
        "(main.c:106), in two threads, with nothing ordering them"
    )
    assert sanitizers.tsan_race("ok items=10\n") is None


ASAN_UAF = """\
==12==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010 at pc 0x1 bp 0x2 sp 0x3
READ of size 8 at 0x602000000010 thread T4
    #0 0x55d in queue_dequeue /q/app/main.c:93
    #1 0x55e in consumer_main /x/driver.c:310

0x602000000010 is located 0 bytes inside of 24-byte region
freed by thread T5 here:
    #0 0x7f1 in __interceptor_free ../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:52
    #1 0x55f in queue_dequeue /q/app/main.c:106
"""

LSAN = """\
==9==ERROR: LeakSanitizer: detected memory leaks

Direct leak of 408 byte(s) in 1 object(s) allocated from:
    #0 0x7f2 in __interceptor_calloc ../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:77
    #1 0x560 in queue_create /q/app/main.c:71

SUMMARY: AddressSanitizer: 408 byte(s) leaked in 1 allocation(s).
"""


def test_an_asan_report_names_the_access_and_where_the_memory_went() -> None:
    sanitizers = _module("sanitizers")
    assert sanitizers.asan_error(ASAN_UAF) == (
        "heap-use-after-free: a read in queue_dequeue (main.c:93), "
        "of memory freed in queue_dequeue (main.c:106)"
    )
    assert sanitizers.asan_error(LSAN) == (
        "memory leaked: 408 bytes in 1 blocks still allocated at exit, allocated in queue_create (main.c:71)"
    )
    assert sanitizers.asan_error("ok\n") is None


def test_histories_are_read_and_checked_against_a_fifo_queue() -> None:
    history = _module("history")
    rounds = history.parse_rounds(
        [
            "round 1",
            "op 1 enq 1.1 0 10 ok",
            "op 2 enq 2.1 20 30 ok",
            "op 3 deq 2.1 40 50 ok",
            "round 2",
            "op 1 enq 1.1 0 30 ok",
            "op 2 enq 2.1 10 40 ok",
            "op 3 deq 2.1 35 50 ok",
            "op 3 deq - 60 70 no",
            "round 3",
            "op 1 enq 1.1 0 10 ok",
            "op 2 deq - 20 30 no",
            "round 4",
            "op 1 enq 1.1 0 30 ok",
            "op 2 enq 2.1 10 40 ok",
            "op 3 deq 2.1 35 50 ok",
            "round 5",
            "op 1 enq 1.1 0 30 ok",
            "op 2 deq - 10 20 no",
            "round 6",
            "op 1 enq 1.1 0 10 no",
        ]
    )
    outcomes = [history.check(calls).outcome.value for calls in rounds]
    assert outcomes == ["violation"] * 3 + ["linearizable"] * 2 + ["violation"]
    assert rounds[0][2].describe() == "dequeue() -> true, item 2.1"
    # Round 2: the empty dequeue is what is impossible (item 1.1 is still in the queue).
    assert [op.describe() for op in history.check(rounds[1]).witness] == [
        "enqueue(item 1.1) -> true",
        "enqueue(item 2.1) -> true",
        "dequeue() -> true, item 2.1",
        "dequeue() -> false (empty)",
    ]


FREE_ON_DEQUEUE = [
    (
        "            *item = value;  // `next` is the new dummy; the old one stays allocated\n",
        "            *item = value;\n            free(head);\n",
    ),
    (
        "    n->allocated_next = atomic_load_explicit(&q->allocated, memory_order_relaxed);\n"
        "    while (!atomic_compare_exchange_weak_explicit(&q->allocated, &n->allocated_next, n,\n"
        "                                                  memory_order_release, memory_order_relaxed)) {\n"
        "    }\n",
        "    n->allocated_next = NULL;\n",
    ),
    (
        "    node *n = atomic_load_explicit(&q->allocated, memory_order_acquire);\n"
        "    while (n != NULL) {\n"
        "        node *following = n->allocated_next;\n"
        "        free(n);\n"
        "        n = following;\n"
        "    }\n",
        "    void *item;\n    while (queue_dequeue(q, &item)) {\n    }\n"
        "    free(atomic_load_explicit(&q->head, memory_order_relaxed));\n",
    ),
]


def test_freeing_a_node_on_dequeue_is_a_race_with_free(tmp_path: Path) -> None:
    """The Michael-Scott queue that frees the old dummy as soon as its dequeue wins: another
    thread may still read it. ThreadSanitizer reports it in the first stage with threads on
    both sides, mpsc or mpmc depending on the interleaving (so it is a test, not a scenario
    with one golden), with the hint about reclamation."""
    program = materialize(CHALLENGE, "c", "lock-free", tmp_path / "program")
    main_c = program / "app" / "main.c"
    text = main_c.read_text()
    for old, new in FREE_ON_DEQUEUE:
        assert old in text
        text = text.replace(old, new)
    main_c.write_text(text)
    report = grade_silently(CHALLENGE, program, build="./build.sh", until="mpmc", language="c")
    failed = [s for s in report.stages if s.status is not StageStatus.PASSED]
    assert failed and failed[0].slug in ("mpsc", "mpmc"), [(s.slug, s.status) for s in report.stages]
    assert "free() in queue_dequeue" in failed[0].message, failed[0].message
    assert failed[0].hint is not None and "use after free" in failed[0].hint


TSAN_USE_AFTER_FREE = """\
WARNING: ThreadSanitizer: heap-use-after-free (pid=7)
  Atomic read of size 8 at 0x7b0400000000 by thread T1:
    #0 queue_enqueue /q/app/main.c:73 (driver+0x2e1c)

  Previous write of size 8 at 0x7b0400000000 by thread T5:
    #0 free ../../../../src/libsanitizer/tsan/tsan_interceptors_posix.cpp:706 (libtsan.so.2+0x3f9c8)
    #1 queue_dequeue /q/app/main.c:106 (driver+0x2f0e)

SUMMARY: ThreadSanitizer: heap-use-after-free /q/app/main.c:73 in queue_enqueue
"""


def test_a_tsan_use_after_free_names_the_read_and_the_free() -> None:
    sanitizers = _module("sanitizers")
    assert sanitizers.tsan_race(TSAN_USE_AFTER_FREE) == (
        "a heap-use-after-free: an atomic read in queue_enqueue (main.c:73), after free() in "
        "queue_dequeue (main.c:106)"
    )
