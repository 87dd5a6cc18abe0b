/* The lock-free-queue tester's driver: compiled by the tester together with the learner's
 * queue (queue.h), built -O2 and again under ThreadSanitizer or AddressSanitizer, and run
 * through the learner's your_program.sh. It prints facts, one line each, that the Python
 * tester judges; a broken property prints "fail KIND: sentence" and exits 3.
 *
 *   driver fifo SEED OPS                    one thread, two queues, random enqueue/dequeue
 *   driver bounded SEED                     exact capacity: full and empty at the right moment
 *   driver threads P C PER CAP SEED         P producers, C consumers, PER items each: nothing
 *                                           lost, nothing twice, each producer's order kept
 *   driver history SEED ROUNDS              small histories of 2-4 threads, each call timed,
 *                                           printed for the tester's linearizability check
 *   driver park SEED ROUNDS                 4 threads; one at a time is paused in a signal
 *                                           handler: do the others still get through?
 *   driver memory ITEMS                     resident memory while ITEMS pass through a small queue
 *   driver churn SEED QUEUES                many queues created, filled and destroyed
 *
 * The file is C that also compiles as C++ (a C++ learner's queue is built with g++), so it
 * uses the __atomic builtins rather than <stdatomic.h>.
 *
 * The linearizable stage's build force-includes perturb.h into every file, this one too:
 * the driver's own atomics stay as they are (the #undefs below); the learner's are
 * perturbed by crack_perturb(), defined here.
 */
#ifdef CRACK_PERTURB_H
#undef __atomic_load_n
#undef __atomic_load
#undef __atomic_store_n
#undef __atomic_store
#undef __atomic_exchange_n
#undef __atomic_exchange
#undef __atomic_compare_exchange_n
#undef __atomic_compare_exchange
#undef __atomic_fetch_add
#undef __atomic_fetch_sub
#undef __atomic_fetch_and
#undef __atomic_fetch_or
#undef __atomic_fetch_xor
#undef __atomic_add_fetch
#undef __atomic_sub_fetch
#undef __atomic_test_and_set
#undef __atomic_clear
#undef __sync_bool_compare_and_swap
#undef __sync_val_compare_and_swap
#undef __sync_fetch_and_add
#undef __sync_fetch_and_sub
#undef __sync_add_and_fetch
#undef __sync_sub_and_fetch
#undef __sync_lock_test_and_set
#define PERTURBED_BUILD 1
#else
#define PERTURBED_BUILD 0
#endif
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crack_driver.h" /* resident_kib: crack.harness.compiled puts it on the include path */
#include "queue.h"

#define LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define ADD(p, v) __atomic_add_fetch((p), (v), __ATOMIC_ACQ_REL)

static uint64_t next_rand(uint64_t *state) {
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    return x;
}

static uint64_t seeded(uint64_t seed, uint64_t salt) {
    uint64_t s = seed * 0x9E3779B97F4A7C15ULL + salt * 0xBF58476D1CE4E5B9ULL + 1;
    for (int i = 0; i < 4; i++) next_rand(&s);
    return s ? s : 1;
}

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void *item_of(uint64_t producer, uint64_t seq) {
    return (void *)(uintptr_t)(((producer + 1) << 32) | seq);
}

static void fail(const char *kind, const char *message) {
    printf("fail %s: %s\n", kind, message);
    fflush(stdout);
    exit(3);
}

static queue *create_or_fail(size_t capacity) {
    queue *q = queue_create(capacity);
    if (q == NULL) {
        char msg[128];
        snprintf(msg, sizeof msg, "queue_create(%zu) returned NULL", capacity);
        fail("create", msg);
    }
    return q;
}

/* A plain ring the driver checks against: the model of a FIFO queue. */
typedef struct {
    uintptr_t *items;
    size_t head, size, room;
} model;

static void model_init(model *m, size_t room) {
    m->items = (uintptr_t *)calloc(room + 1, sizeof(uintptr_t));
    m->head = m->size = 0;
    m->room = room + 1;
}

static void model_push(model *m, uintptr_t v) {
    m->items[(m->head + m->size) % m->room] = v;
    m->size++;
}

static uintptr_t model_pop(model *m) {
    uintptr_t v = m->items[m->head];
    m->head = (m->head + 1) % m->room;
    m->size--;
    return v;
}

static void describe(char *out, size_t n, uintptr_t v) {
    if (v == 0)
        snprintf(out, n, "NULL");
    else
        snprintf(out, n, "item %lu", (unsigned long)(v & 0xffffffffu));
}

/* ---- fifo: one thread, two queues ---- */

static int run_fifo(uint64_t seed, long ops) {
    uint64_t rng = seeded(seed, 1);
    size_t capacity = (size_t)ops + 1;
    queue *qs[2] = {create_or_fail(capacity), create_or_fail(capacity)};
    model ms[2];
    model_init(&ms[0], capacity);
    model_init(&ms[1], capacity);
    uint64_t counter = 0;
    size_t longest = 0;
    char msg[512], a[64], b[64];
    for (long op = 1; op <= ops; op++) {
        int which = (int)(next_rand(&rng) % 2);
        queue *q = qs[which];
        model *m = &ms[which];
        /* Runs of enqueues and of dequeues, so the queues grow long and drain to empty. */
        int enqueue = (op / 64) % 3 != 2 ? next_rand(&rng) % 100 < 70 : next_rand(&rng) % 100 < 25;
        if (enqueue) {
            uintptr_t v = (uintptr_t)item_of((uint64_t)which, ++counter);
            if (!queue_enqueue(q, (void *)v)) {
                snprintf(msg, sizeof msg,
                         "operation %ld, queue_enqueue on queue %d holding %zu items (capacity %zu) "
                         "returned false; expected true",
                         op, which + 1, m->size, capacity);
                fail("refused", msg);
            }
            model_push(m, v);
            if (m->size > longest) longest = m->size;
        } else {
            void *got = (void *)(uintptr_t)0xdead;
            bool ok = queue_dequeue(q, &got);
            if (m->size == 0) {
                if (ok) {
                    describe(a, sizeof a, (uintptr_t)got);
                    snprintf(msg, sizeof msg,
                             "operation %ld, queue_dequeue on empty queue %d returned true with %s; "
                             "expected false",
                             op, which + 1, a);
                    fail("empty", msg);
                }
                continue;
            }
            uintptr_t want = model_pop(m);
            if (!ok) {
                snprintf(msg, sizeof msg,
                         "operation %ld, queue_dequeue on queue %d holding %zu items returned false; "
                         "expected true",
                         op, which + 1, m->size + 1);
                fail("lost", msg);
            }
            if ((uintptr_t)got != want) {
                describe(a, sizeof a, want);
                describe(b, sizeof b, (uintptr_t)got);
                snprintf(msg, sizeof msg,
                         "operation %ld, queue_dequeue on queue %d holding %zu items: expected %s "
                         "(the oldest), got %s",
                         op, which + 1, m->size + 1, a, b);
                fail("order", msg);
            }
        }
    }
    queue_destroy(qs[0]);
    queue_destroy(qs[1]);
    printf("ok ops=%ld longest=%zu\n", ops, longest);
    return 0;
}

/* ---- bounded: exact capacity ---- */

static void bounded_one(size_t capacity, uint64_t *rng) {
    queue *q = create_or_fail(capacity);
    model m;
    model_init(&m, capacity);
    uint64_t counter = 0;
    char msg[512], a[64], b[64];
    size_t accepted = 0;
    while (accepted < capacity + 3) {
        uintptr_t v = (uintptr_t)item_of(0, ++counter);
        if (!queue_enqueue(q, (void *)v)) break;
        if (accepted < capacity) model_push(&m, v);
        accepted++;
    }
    if (accepted != capacity) {
        snprintf(msg, sizeof msg,
                 "queue_create(%zu), then queue_enqueue until it returned false: it accepted %zu "
                 "items%s; expected exactly %zu",
                 capacity, accepted, accepted == capacity + 3 ? " and more" : "", capacity);
        fail("capacity", msg);
    }
    long ops = 40 * (long)capacity + 200;
    for (long op = 1; op <= ops; op++) {
        int enqueue = (op / (long)(capacity + 2)) % 2 ? next_rand(rng) % 100 < 70 : next_rand(rng) % 100 < 30;
        if (enqueue) {
            uintptr_t v = (uintptr_t)item_of(0, ++counter);
            bool ok = queue_enqueue(q, (void *)v);
            if (ok != (m.size < capacity)) {
                snprintf(msg, sizeof msg,
                         "capacity %zu, operation %ld: queue_enqueue on a queue holding %zu items "
                         "returned %s; expected %s",
                         capacity, op, m.size, ok ? "true" : "false", ok ? "false (full)" : "true");
                fail(ok ? "overfull" : "refused", msg);
            }
            if (ok) model_push(&m, v);
        } else {
            void *got = NULL;
            bool ok = queue_dequeue(q, &got);
            if (ok != (m.size > 0)) {
                snprintf(msg, sizeof msg,
                         "capacity %zu, operation %ld: queue_dequeue on a queue holding %zu items "
                         "returned %s; expected %s",
                         capacity, op, m.size, ok ? "true" : "false", ok ? "false (empty)" : "true");
                fail(ok ? "empty" : "lost", msg);
            }
            if (!ok) continue;
            uintptr_t want = model_pop(&m);
            if ((uintptr_t)got != want) {
                describe(a, sizeof a, want);
                describe(b, sizeof b, (uintptr_t)got);
                snprintf(msg, sizeof msg,
                         "capacity %zu, operation %ld: queue_dequeue on a queue holding %zu items: "
                         "expected %s (the oldest), got %s",
                         capacity, op, m.size + 1, a, b);
                fail("order", msg);
            }
        }
    }
    queue_destroy(q);
    free(m.items);
}

static int run_bounded(uint64_t seed) {
    uint64_t rng = seeded(seed, 2);
    size_t fixed[] = {1, 2, 3, 5, 8, 64, 100, 1000};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) bounded_one(fixed[i], &rng);
    for (int i = 0; i < 8; i++) bounded_one(1 + next_rand(&rng) % 300, &rng);
    printf("ok capacities=16\n");
    return 0;
}

/* ---- threads: producers and consumers ---- */

/* crack_perturb: called before every atomic operation of the learner's queue in the
 * perturbed build (perturb.h). Only worker threads perturb (producers, consumers and the
 * history's threads), never the main thread; each draws from its own seeded generator. About one atomic step in eight waits a moment (up to a
 * microsecond or so), one in sixty-four yields the processor. */
static __thread int perturbing;
static __thread uint64_t perturb_rng;

#ifdef __cplusplus
extern "C" {
#endif
void crack_perturb(void);
#ifdef __cplusplus
}
#endif

void crack_perturb(void) {
    if (!perturbing) return;
    uint64_t r = next_rand(&perturb_rng);
    if (r % 8 == 0) {
        volatile unsigned spin = (unsigned)(r >> 16) % 2000;
        while (spin) spin--;
    } else if (r % 64 == 1) {
        sched_yield();
    }
}


typedef struct {
    int producers, consumers;
    long per;
    size_t capacity;
    uint64_t seed;
    queue *q;
    unsigned char *seen; /* producers * (per + 1) counts */
    long consumed;       /* atomic */
    long produced;       /* atomic */
    int failed;          /* atomic */
    char failure[512];
} shared_run;

typedef struct {
    shared_run *run;
    int index;
} worker_arg;

/* A seeded schedule: now and then a thread waits a little, so the interleavings differ from
 * run to run in a way the seed replays as well as a machine allows. */
static void jitter(uint64_t *rng) {
    uint64_t r = next_rand(rng);
    if (r % 64 == 0) {
        volatile unsigned spin = (unsigned)(r >> 8) % 400;
        while (spin) spin--;
    } else if (r % 1024 == 1) {
        sched_yield();
    }
}

static void report_once(shared_run *run, const char *kind, const char *text) {
    int expected = 0;
    if (__atomic_compare_exchange_n(&run->failed, &expected, 1, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        snprintf(run->failure, sizeof run->failure, "%s: %s", kind, text);
    }
}

static void *producer_main(void *p) {
    worker_arg *arg = (worker_arg *)p;
    shared_run *run = arg->run;
    uint64_t rng = seeded(run->seed, 100 + (uint64_t)arg->index);
    perturb_rng = seeded(run->seed, 300 + (uint64_t)arg->index);
    perturbing = PERTURBED_BUILD;
    for (long seq = 1; seq <= run->per && !LOAD(&run->failed); seq++) {
        void *item = item_of((uint64_t)arg->index, (uint64_t)seq);
        while (!queue_enqueue(run->q, item)) {
            if (LOAD(&run->failed)) return NULL;
            sched_yield();
        }
        ADD(&run->produced, 1);
        jitter(&rng);
    }
    return NULL;
}

static void *consumer_main(void *p) {
    worker_arg *arg = (worker_arg *)p;
    shared_run *run = arg->run;
    uint64_t rng = seeded(run->seed, 200 + (uint64_t)arg->index);
    perturb_rng = seeded(run->seed, 400 + (uint64_t)arg->index);
    perturbing = PERTURBED_BUILD;
    long *last = (long *)calloc((size_t)run->producers, sizeof(long));
    long total = (long)run->producers * run->per;
    char msg[400];
    while (LOAD(&run->consumed) < total && !LOAD(&run->failed)) {
        void *got = NULL;
        if (!queue_dequeue(run->q, &got)) {
            sched_yield();
            continue;
        }
        uintptr_t v = (uintptr_t)got;
        uint64_t producer = (v >> 32) - 1, seq = v & 0xffffffffu;
        if (v >> 32 == 0 || producer >= (uint64_t)run->producers || seq == 0 || seq > (uint64_t)run->per) {
            snprintf(msg, sizeof msg, "consumer %d dequeued %p, which no producer enqueued", arg->index + 1, got);
            report_once(run, "garbage", msg);
            break;
        }
        if ((long)seq <= last[producer]) {
            snprintf(msg, sizeof msg,
                     "consumer %d dequeued producer %d's item %lu after its item %ld: one producer's "
                     "items must come out in the order it enqueued them",
                     arg->index + 1, (int)producer + 1, (unsigned long)seq, last[producer]);
            report_once(run, "order", msg);
            break;
        }
        last[producer] = (long)seq;
        unsigned char count = __atomic_add_fetch(&run->seen[producer * (uint64_t)(run->per + 1) + seq], 1, __ATOMIC_RELAXED);
        if (count > 1) {
            snprintf(msg, sizeof msg, "producer %d's item %lu was dequeued twice (the second time by consumer %d)",
                     (int)producer + 1, (unsigned long)seq, arg->index + 1);
            report_once(run, "duplicate", msg);
            break;
        }
        ADD(&run->consumed, 1);
        jitter(&rng);
    }
    free(last);
    return NULL;
}

static int run_threads(int producers, int consumers, long per, size_t capacity, uint64_t seed) {
    shared_run *run = (shared_run *)calloc(1, sizeof(shared_run));
    run->producers = producers;
    run->consumers = consumers;
    run->per = per;
    run->capacity = capacity;
    run->seed = seed;
    run->q = create_or_fail(capacity);
    run->seen = (unsigned char *)calloc((size_t)producers * (size_t)(per + 1), 1);
    int n = producers + consumers;
    pthread_t *threads = (pthread_t *)calloc((size_t)n, sizeof(pthread_t));
    worker_arg *args = (worker_arg *)calloc((size_t)n, sizeof(worker_arg));
    for (int i = 0; i < n; i++) {
        args[i].run = run;
        args[i].index = i < producers ? i : i - producers;
        pthread_create(&threads[i], NULL, i < producers ? producer_main : consumer_main, &args[i]);
    }
    /* A watchdog: a queue that hides an item (or never lets a thread through) leaves the
     * consumers waiting forever; after 10 s without progress, say where things stand. */
    long total = (long)producers * per, before = -1;
    int still = 0;
    while (LOAD(&run->consumed) < total && !LOAD(&run->failed)) {
        usleep(100000);
        long now = LOAD(&run->consumed) + LOAD(&run->produced);
        still = now == before ? still + 1 : 0;
        before = now;
        if (still >= 100) {
            char msg[400];
            long left = total - LOAD(&run->consumed);
            snprintf(msg, sizeof msg,
                     "no progress for 10 s: the producers enqueued %ld of %ld items, the consumers "
                     "dequeued %ld; %ld item%s never came out of the queue",
                     LOAD(&run->produced), total, LOAD(&run->consumed), left, left == 1 ? "" : "s");
            report_once(run, "stalled", msg);
            printf("fail %s\n", run->failure);
            fflush(stdout);
            _exit(3);
        }
    }
    for (int i = 0; i < n; i++) pthread_join(threads[i], NULL);
    if (LOAD(&run->failed)) {
        printf("fail %s\n", run->failure);
        return 3;
    }
    for (int p = 0; p < producers; p++) {
        for (long seq = 1; seq <= per; seq++) {
            if (run->seen[p * (per + 1) + seq] == 0) {
                printf("fail lost: producer %d's item %ld was enqueued but never dequeued\n", p + 1, seq);
                return 3;
            }
        }
    }
    queue_destroy(run->q);
    printf("ok items=%ld producers=%d consumers=%d capacity=%zu\n", total, producers, consumers, capacity);
    free(run->seen);
    free(run);
    free(threads);
    free(args);
    return 0;
}

/* ---- history: small concurrent histories for the linearizability check ----
 *
 * Each round: a fresh queue, 2 to 4 threads, 2 to 6 random calls each, every call timed
 * (CLOCK_MONOTONIC) just before it is made and just after it returns. Between calls a
 * thread spins, yields or sleeps for a seeded while, so calls overlap in ever different
 * ways; and the main thread interrupts a random worker now and then with a signal whose
 * handler spins for a few microseconds, which stretches a call at whatever instruction
 * it happened to be (between a claim and a publish, say), as a preempted thread would be. */

enum { HISTORY_MAX_THREADS = 4, HISTORY_MAX_OPS = 6, HISTORY_CAPACITY = 64 };

typedef struct {
    int kind; /* 0 enqueue, 1 dequeue */
    uintptr_t value;
    bool ok;
    double start, end;
} history_op;

typedef struct {
    queue *q;
    int index, ops, style;
    uint64_t rng;
    int *go, *arrived;
    int done; /* atomic */
    history_op calls[HISTORY_MAX_OPS];
} history_arg;

static unsigned history_pauses; /* atomic: varies the length of each pause */

static void history_pause(int sig) {
    (void)sig;
    unsigned n = ADD(&history_pauses, 1);
    double until = now_ns() + 5000 + (double)(n % 10) * 5000;
    while (now_ns() < until) {
    }
}

/* The wait before each call. A round is tight (calls back to back, so two threads' calls
 * overlap on every core), loose (short spins) or sparse (yields and sleeps, so a call often
 * runs alone and a preempted one is overtaken). */
static void history_gap(int style, uint64_t *rng) {
    uint64_t r = next_rand(rng) % 16;
    if (style == 0 || (style == 1 && r < 12)) {
        volatile unsigned spin = (unsigned)(next_rand(rng) % (style == 0 ? 64 : 3000));
        while (spin) spin--;
    } else if (r < 14) {
        sched_yield();
    } else {
        struct timespec ts = {0, (long)(next_rand(rng) % 20000)};
        nanosleep(&ts, NULL);
    }
}

/* A timestamp that orders with memory: before a call, taken before any of the call's loads
 * may execute; after it, taken once every store of the call is visible to other cores (a
 * store can sit in a core's store buffer after the function returned, and the clock is no
 * memory access: without the fences, a call could look finished before its effect was). */
#if defined(__SANITIZE_THREAD__)
#define CALL_FENCE() /* histories run optimised only; TSan does not model fences */
#else
#define CALL_FENCE() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif

static double call_starts(void) {
    double t = now_ns();
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_lfence();
#endif
    CALL_FENCE();
    return t;
}

static double call_ended(void) {
    CALL_FENCE();
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_lfence();
#endif
    return now_ns();
}

static void *history_main(void *p) {
    history_arg *arg = (history_arg *)p;
    /* Every thread of the round is created and waiting before any call is made (creating
     * one takes longer than a round), so the calls of a round really overlap. Waiting
     * yields: four threads spinning on two cores would starve the main thread. */
    ADD(arg->arrived, 1);
    while (!LOAD(arg->go)) sched_yield();
    perturb_rng = seeded(arg->rng, 77);
    perturbing = 1;
    for (int i = 0; i < arg->ops; i++) {
        history_op *op = &arg->calls[i];
        op->kind = (int)(next_rand(&arg->rng) % 2);
        history_gap(arg->style, &arg->rng);
        if (op->kind == 0) {
            op->value = (uintptr_t)item_of((uint64_t)arg->index, (uint64_t)i + 1);
            op->start = call_starts();
            op->ok = queue_enqueue(arg->q, (void *)op->value);
            op->end = call_ended();
        } else {
            void *got = NULL;
            op->start = call_starts();
            op->ok = queue_dequeue(arg->q, &got);
            op->end = call_ended();
            op->value = op->ok ? (uintptr_t)got : 0;
        }
    }
    STORE(&arg->done, 1);
    return NULL;
}

static int run_history(uint64_t seed, int rounds) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = history_pause;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR2, &sa, NULL);
    uint64_t rng = seeded(seed, 5);
    for (int r = 1; r <= rounds; r++) {
        queue *q = create_or_fail(HISTORY_CAPACITY);
        int go = 0, arrived = 0;
        int count = 2 + (int)(next_rand(&rng) % (HISTORY_MAX_THREADS - 1));
        int style = (int)(next_rand(&rng) % 3);
        history_arg args[HISTORY_MAX_THREADS];
        pthread_t threads[HISTORY_MAX_THREADS];
        for (int t = 0; t < count; t++) {
            memset(&args[t], 0, sizeof args[t]);
            args[t].q = q;
            args[t].index = t;
            args[t].ops = 2 + (int)(next_rand(&rng) % (HISTORY_MAX_OPS - 1));
            args[t].style = style;
            args[t].rng = seeded(seed, 1000 + (uint64_t)r * 8 + (uint64_t)t);
            args[t].go = &go;
            args[t].arrived = &arrived;
            pthread_create(&threads[t], NULL, history_main, &args[t]);
        }
        while (LOAD(&arrived) < count) sched_yield();
        double origin = now_ns();
        STORE(&go, 1);
        /* Interrupt random workers while they run: a pause inside whatever call they are in. */
        for (int k = 0; k < 8; k++) {
            volatile unsigned spin = (unsigned)(next_rand(&rng) % 4000);
            while (spin) spin--;
            int victim = (int)(next_rand(&rng) % (uint64_t)count);
            if (!LOAD(&args[victim].done)) pthread_kill(threads[victim], SIGUSR2);
        }
        for (int t = 0; t < count; t++) pthread_join(threads[t], NULL);
        printf("round %d\n", r);
        for (int t = 0; t < count; t++) {
            for (int i = 0; i < args[t].ops; i++) {
                history_op *op = &args[t].calls[i];
                uintptr_t v = op->value;
                char value[48] = "-";
                if (v) snprintf(value, sizeof value, "%lu.%lu", (unsigned long)(v >> 32), (unsigned long)(v & 0xffffffffu));
                printf("op %d %s %s %.0f %.0f %s\n", t + 1, op->kind == 0 ? "enq" : "deq", value,
                       op->start - origin, op->end - origin, op->ok ? "ok" : "no");
            }
        }
        queue_destroy(q);
    }
    printf("ok rounds=%d\n", rounds);
    return 0;
}

/* ---- park: progress while one thread is paused ---- */

enum { PARK_WORKERS = 4, PARK_US = 100000, PARK_PATIENCE_US = 1000000, PARK_WORK_SPINS = 20000 };
static long park_done[PARK_WORKERS]; /* successful dequeues per worker, atomic */
static int park_stop, park_release, park_parked;
static queue *park_q;
static pthread_t park_threads[PARK_WORKERS];

/* Set while a worker does its own work between calls: a pause that lands there is no test
 * of the queue, so the handler declines it and the main thread asks again. */
static __thread volatile sig_atomic_t park_idle;

static void park_handler(int sig) {
    (void)sig;
    if (park_idle) {
        STORE(&park_parked, -1);
        return;
    }
    STORE(&park_parked, 1);
    while (!LOAD(&park_release)) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
}

static void *park_worker(void *p) {
    long index = (long)(intptr_t)p;
    uint64_t seq = 0;
    while (!LOAD(&park_stop)) {
        /* Some work of the thread's own between calls, as a program has: a queue that frees
         * no node until queue_destroy (as it may before the reclamation stage) then holds
         * tens of MiB by the end, not gigabytes. A pause that lands in it is declined. */
        park_idle = 1;
        for (volatile int spin = 0; spin < PARK_WORK_SPINS; spin++) {
        }
        park_idle = 0;
        if (queue_enqueue(park_q, item_of((uint64_t)index, ++seq))) {
            void *got;
            if (queue_dequeue(park_q, &got)) ADD(&park_done[index], 1);
        } else {
            void *got;
            if (queue_dequeue(park_q, &got)) ADD(&park_done[index], 1);
        }
    }
    return NULL;
}

static long others_done(int victim) {
    long sum = 0;
    for (int i = 0; i < PARK_WORKERS; i++)
        if (i != victim) sum += LOAD(&park_done[i]);
    return sum;
}

static int run_park(uint64_t seed, int rounds) {
    uint64_t rng = seeded(seed, 3);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = park_handler;
    sigaction(SIGUSR1, &sa, NULL);
    park_q = create_or_fail(64);
    for (long i = 0; i < PARK_WORKERS; i++) pthread_create(&park_threads[i], NULL, park_worker, (void *)(intptr_t)i);
    int stalled = 0;
    for (int r = 1; r <= rounds; r++) {
        usleep(5000 + (useconds_t)(next_rand(&rng) % 20000));
        int victim = (int)(next_rand(&rng) % PARK_WORKERS);
        STORE(&park_release, 0);
        double waited = now_ns();
        do { /* again while the signal lands in a worker's own work between calls */
            STORE(&park_parked, 0);
            pthread_kill(park_threads[victim], SIGUSR1);
            while (!LOAD(&park_parked) && now_ns() - waited < 2e9) usleep(100);
            if (LOAD(&park_parked) < 0) usleep((useconds_t)(next_rand(&rng) % 300));
        } while (LOAD(&park_parked) < 0 && now_ns() - waited < 2e9);
        long before = others_done(victim);
        usleep(PARK_US);
        long progress = others_done(victim) - before;
        /* None yet: on a machine so busy the others got no turn on a core, give them up to
         * PARK_PATIENCE_US in all. A thread that waits for the paused one (a spin lock it
         * holds, a slot it claimed) waits for good, so the verdict is the same. */
        for (long waited = PARK_US; progress == 0 && waited < PARK_PATIENCE_US; waited += 10000) {
            usleep(10000);
            progress = others_done(victim) - before;
        }
        STORE(&park_release, 1);
        printf("park round=%d thread=%d progress=%ld\n", r, victim + 1, progress);
        if (progress == 0) {
            stalled = r;
            break;
        }
    }
    STORE(&park_stop, 1);
    for (int i = 0; i < PARK_WORKERS; i++) pthread_join(park_threads[i], NULL);
    if (stalled) {
        printf("fail stalled: round %d\n", stalled);
        return 3;
    }
    queue_destroy(park_q);
    printf("ok rounds=%d\n", rounds);
    return 0;
}

/* ---- memory: what passing many items costs ---- */

static int run_memory(long items) {
    long warm = items / 10;
    /* A first pass warms whatever the queue keeps (a pool, a free list), so the measured
     * pass sees only growth that keeps on growing. */
    if (run_threads(2, 2, warm / 2, 64, 7) != 0) return 3;
    long before = resident_kib();
    if (run_threads(2, 2, items / 2, 64, 8) != 0) return 3;
    long after = resident_kib();
    printf("memory items=%ld before_kib=%ld after_kib=%ld\n", items, before, after);
    return 0;
}

static int run_churn(uint64_t seed, int queues) {
    uint64_t rng = seeded(seed, 4);
    for (int i = 0; i < queues; i++) {
        size_t capacity = 1 + next_rand(&rng) % 300;
        queue *q = create_or_fail(capacity);
        size_t fill = next_rand(&rng) % (capacity + 1);
        for (size_t k = 0; k < fill; k++) queue_enqueue(q, item_of(0, k + 1));
        size_t take = next_rand(&rng) % (fill + 1);
        for (size_t k = 0; k < take; k++) {
            void *got;
            queue_dequeue(q, &got);
        }
        queue_destroy(q);
    }
    printf("ok queues=%d\n", queues);
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) {
        fprintf(stderr, "usage: driver MODE ...\n");
        return 2;
    }
    const char *mode = argv[1];
    if (!strcmp(mode, "fifo") && argc == 4) return run_fifo(strtoull(argv[2], NULL, 10), atol(argv[3]));
    if (!strcmp(mode, "bounded") && argc == 3) return run_bounded(strtoull(argv[2], NULL, 10));
    if (!strcmp(mode, "threads") && argc == 7)
        return run_threads(atoi(argv[2]), atoi(argv[3]), atol(argv[4]), (size_t)atol(argv[5]),
                           strtoull(argv[6], NULL, 10));
    if (!strcmp(mode, "history") && argc == 4) return run_history(strtoull(argv[2], NULL, 10), atoi(argv[3]));
    if (!strcmp(mode, "park") && argc == 4) return run_park(strtoull(argv[2], NULL, 10), atoi(argv[3]));
    if (!strcmp(mode, "memory") && argc == 3) return run_memory(atol(argv[2]));
    if (!strcmp(mode, "churn") && argc == 4) return run_churn(strtoull(argv[2], NULL, 10), atoi(argv[3]));
    fprintf(stderr, "driver: unknown mode or wrong arguments: %s\n", mode);
    return 2;
}
