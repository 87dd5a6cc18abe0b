/* The malloc tester's driver: run under the learner's allocator (through their
 * your_program.sh, which sets LD_PRELOAD), it exercises malloc and friends and prints facts,
 * one line each, that the Python tester judges.
 *
 *   driver symbols NAME...     where each function comes from: "sym NAME OBJECT"
 *   driver trace FILE [fast]   run an allocation trace (see trace.py); checks alignment,
 *                              overlap and that data is kept, unless "fast" (timing only)
 *   driver edge                malloc(0), free(NULL), impossible sizes, calloc overflow
 *   driver large SIZE ROUNDS   resident memory around malloc/free of a large block
 *   driver aligned             posix_memalign, aligned_alloc, memalign, valloc, usable size
 *   driver threads N OPS SEED  N threads allocating, checking and freeing, passing blocks on
 *   driver forks N             fork N times while two threads allocate; count children that hang
 *
 * The driver keeps its own bookkeeping out of the allocator under test (static arrays and
 * mmap), so the heap it measures is the allocator's alone. A failed check prints
 * "fail KIND op=N ..." and exits 3.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crack_driver.h" /* crack.harness.compiled puts it on the include path */

enum { ALIGN = 16 };

/* The peak resident memory of this process since the last reset_peak (VmHWM). Not
 * getrusage's ru_maxrss: that one survives exec, so it holds the peak of the process that
 * forked us (a Python runner, tens of MiB) and hides the heap's. */
static long peak_kib(void) {
    char buf[4096];
    if (crack_read_small_file("/proc/self/status", buf, sizeof buf) < 0) return -1;
    char *line = strstr(buf, "VmHWM:");
    return line ? strtol(line + 6, NULL, 10) : -1;
}

static void reset_peak(void) {
    int fd = open("/proc/self/clear_refs", O_WRONLY);
    if (fd >= 0) {
        if (write(fd, "5", 1) < 0) { /* an older kernel: the peak since exec is close enough */ }
        close(fd);
    }
}

/* CPU time, not wall time: on a busy machine a run that is preempted waits without
 * computing, and that wait says nothing about the allocator. */
static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void *map(size_t bytes) {
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        printf("error mmap of %zu bytes for the driver's own tables failed\n", bytes);
        exit(4);
    }
    memset(p, 0, bytes); /* touched now, so it is in the baseline, not in the heap */
    return p;
}

/* ---- symbols ---------------------------------------------------------------------------- */

static int symbols(int argc, char **argv) {
    const char *preload = getenv("LD_PRELOAD");
    printf("preload %s\n", preload && *preload ? preload : "-");
    for (int i = 0; i < argc; i++) {
        void *address = dlsym(RTLD_DEFAULT, argv[i]);
        Dl_info info;
        const char *object = "-";
        if (address != NULL && dladdr(address, &info) && info.dli_fname) object = info.dli_fname;
        printf("sym %s %s\n", argv[i], object);
    }
    return 0;
}

/* ---- traces ----------------------------------------------------------------------------- */

struct op {
    char kind; /* m malloc, c calloc, r realloc, f free, M posix_memalign, A aligned_alloc, k check */
    uint32_t id;
    size_t size;
    size_t extra; /* calloc: count; aligned: alignment */
};

struct block {
    unsigned char *p;
    size_t size;
    unsigned char fill;
};

static struct op *ops;
static size_t op_count;
static struct block *blocks;
static size_t block_count;
static int fast;

static unsigned char fill_for(uint32_t id, size_t op) { return (unsigned char)((id * 131u + op * 7u) % 251u + 1u); }

static void fail_at(size_t op, const char *kind, const char *detail) {
    printf("fail %s op=%zu %s\n", kind, op + 1, detail);
    fflush(stdout);
    _exit(3);
}

static void check_bytes(size_t op, uint32_t id, size_t from, size_t to, unsigned char want, const char *when) {
    struct block *b = &blocks[id];
    for (size_t i = from; i < to; i++) {
        if (b->p[i] != want) {
            char detail[256];
            snprintf(detail, sizeof detail,
                     "block=%u size=%zu offset=%zu expected=0x%02x got=0x%02x when=%s", id, b->size, i,
                     want, b->p[i], when);
            fail_at(op, "data", detail);
        }
    }
}

/* The alignment C requires for a block of this size: that of any object that fits in it
 * (C17, DR 445). An object's alignment divides its size, so the lowest set bit of the size
 * bounds it, and nothing needs more than max_align_t's 16. glibc rounds every block to 16;
 * jemalloc and mimalloc give 8-byte blocks (and mimalloc 24-byte ones) 8-byte alignment. */
static size_t needed_align(size_t size) {
    if (size == 0) return 1;
    size_t low = size & (~size + 1);
    return low > ALIGN ? ALIGN : low;
}

static void placed(size_t op, uint32_t id, void *p, size_t size, size_t align) {
    char detail[200];
    if (p == NULL) {
        snprintf(detail, sizeof detail, "block=%u size=%zu", id, size);
        fail_at(op, "null", detail);
    }
    if ((uintptr_t)p % align != 0) {
        snprintf(detail, sizeof detail, "block=%u size=%zu address=%p align=%zu", id, size, p, align);
        fail_at(op, "align", detail);
    }
}

static int by_address(const void *a, const void *b) {
    const struct block *x = *(const struct block *const *)a, *y = *(const struct block *const *)b;
    return x->p < y->p ? -1 : x->p > y->p;
}

static void check_overlap(size_t op) {
    static struct block **live;
    if (live == NULL) live = map(block_count * sizeof *live);
    size_t n = 0;
    for (size_t i = 0; i < block_count; i++)
        if (blocks[i].p) live[n++] = &blocks[i];
    qsort(live, n, sizeof *live, by_address);
    for (size_t i = 1; i < n; i++) {
        struct block *a = live[i - 1], *b = live[i];
        if (a->p + a->size > b->p) {
            char detail[256];
            snprintf(detail, sizeof detail, "block=%zu at=%p size=%zu block=%zu at=%p size=%zu",
                     (size_t)(a - blocks), a->p, a->size, (size_t)(b - blocks), b->p, b->size);
            fail_at(op, "overlap", detail);
        }
    }
    for (size_t i = 0; i < n; i++)
        check_bytes(op, (uint32_t)(live[i] - blocks), 0, live[i]->size, live[i]->fill, "check");
}

static void load_trace(const char *path) {
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        printf("error cannot read trace %s\n", path);
        exit(4);
    }
    char *text = map((size_t)st.st_size + 1);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, text + got, (size_t)st.st_size - got);
        if (n <= 0) break;
        got += (size_t)n;
    }
    close(fd);
    size_t lines = 0;
    for (size_t i = 0; i < got; i++) lines += text[i] == '\n';
    ops = map((lines + 1) * sizeof *ops);
    char *cursor = text;
    uint32_t max_id = 0;
    while (*cursor) {
        struct op *o = &ops[op_count];
        char *end;
        o->kind = *cursor++;
        o->id = (uint32_t)strtoul(cursor, &end, 10);
        cursor = end;
        if (o->kind == 'c' || o->kind == 'M' || o->kind == 'A') {
            o->extra = strtoull(cursor, &end, 10);
            cursor = end;
        }
        if (o->kind != 'f' && o->kind != 'k') {
            o->size = strtoull(cursor, &end, 10);
            cursor = end;
        }
        while (*cursor && *cursor != '\n') cursor++;
        if (*cursor) cursor++;
        if (o->id > max_id) max_id = o->id;
        op_count++;
    }
    block_count = max_id + 1;
    blocks = map(block_count * sizeof *blocks);
}

static int trace(const char *path) {
    load_trace(path);
    size_t live = 0, peak_live = 0;
    long baseline = resident_kib();
    reset_peak();
    double start = now_ns();
    for (size_t i = 0; i < op_count; i++) {
        struct op *o = &ops[i];
        struct block *b = &blocks[o->id];
        unsigned char fill = fill_for(o->id, i);
        switch (o->kind) {
        case 'm':
            b->p = malloc(o->size);
            if (!fast) placed(i, o->id, b->p, o->size, needed_align(o->size));
            break;
        case 'c':
            b->p = calloc(o->extra, o->size);
            if (!fast) {
                placed(i, o->id, b->p, o->size * o->extra, needed_align(o->size * o->extra));
                b->size = o->size * o->extra;
                check_bytes(i, o->id, 0, b->size, 0, "calloc");
            }
            o->size *= o->extra;
            break;
        case 'M': {
            void *p = NULL;
            int rc = posix_memalign(&p, o->extra, o->size);
            if (rc != 0) p = NULL;
            b->p = p;
            if (!fast) placed(i, o->id, b->p, o->size, o->extra);
            break;
        }
        case 'A':
            b->p = aligned_alloc(o->extra, o->size);
            if (!fast) placed(i, o->id, b->p, o->size, o->extra);
            break;
        case 'r': {
            size_t old = b->size;
            unsigned char *p = realloc(b->p, o->size);
            if (!fast) {
                placed(i, o->id, p, o->size, needed_align(o->size));
                b->p = p;
                b->size = old < o->size ? old : o->size;
                check_bytes(i, o->id, 0, b->size, b->fill, "realloc");
            }
            b->p = p;
            live -= old;
            break;
        }
        case 'f':
            if (!fast) check_bytes(i, o->id, 0, b->size, b->fill, "free");
            free(b->p);
            live -= b->size;
            b->p = NULL;
            b->size = 0;
            continue;
        case 'k':
            if (!fast) check_overlap(i);
            continue;
        }
        b->size = o->size;
        live += o->size;
        if (live > peak_live) peak_live = live;
        if (fast) {
            if (o->size) b->p[0] = fill; /* touch, like a program would */
        } else {
            memset(b->p, fill, o->size);
            b->fill = fill;
        }
    }
    double elapsed = now_ns() - start;
    if (!fast) check_overlap(op_count ? op_count - 1 : 0);
    long peak = peak_kib();
    long footprint = peak - baseline;
    if (footprint < 0) footprint = 0;
    printf("ok ops=%zu peak_live=%zu footprint_kib=%ld ns=%.0f\n", op_count, peak_live, footprint, elapsed);
    return 0;
}

/* ---- edge cases ------------------------------------------------------------------------- */

static int edge(void) {
    void *zero = malloc(0);
    printf("malloc0 %s\n", zero == NULL ? "null" : "pointer");
    void *zero2 = malloc(0);
    printf("malloc0_distinct %s\n", zero == NULL || zero2 == NULL || zero != zero2 ? "yes" : "no");
    free(zero);
    free(zero2);
    free(NULL);
    printf("free_null survived\n");
    volatile size_t huge_size = SIZE_MAX - 4096, count = (SIZE_MAX / 16) + 2;
    void *huge = malloc(huge_size);
    printf("malloc_huge %s\n", huge == NULL ? "null" : "pointer");
    void *wrap = calloc(count, 32);
    printf("calloc_overflow %s\n", wrap == NULL ? "null" : "pointer");
    void *tiny = calloc(count, 32); /* a wrapped product would be 16 bytes */
    free(tiny);
    void *r = realloc(NULL, 40);
    printf("realloc_null %s\n", r == NULL ? "null" : ((uintptr_t)r % needed_align(40) ? "misaligned" : "pointer"));
    if (r) memset(r, 0x5a, 40);
    free(r);
    return 0;
}

/* ---- large blocks ----------------------------------------------------------------------- */

static int large(size_t size, int rounds) {
    long baseline = resident_kib();
    long held = 0, after = 0;
    for (int i = 0; i < rounds; i++) {
        unsigned char *p = malloc(size);
        if (p == NULL) {
            printf("large_null size=%zu round=%d\n", size, i + 1);
            return 0;
        }
        memset(p, 0x77, size);
        __asm__ volatile("" : : "r"(p) : "memory"); /* the stores must happen */
        held = resident_kib() - baseline;
        free(p);
        after = resident_kib() - baseline;
        unsigned char *small = malloc(64); /* a program keeps running after the free */
        free(small);
    }
    printf("large size=%zu rounds=%d held_kib=%ld after_free_kib=%ld\n", size, rounds, held, after);
    return 0;
}

/* ---- aligned functions ------------------------------------------------------------------ */

static void aligned_line(const char *fn, size_t align, size_t size, void *p, int rc) {
    size_t usable = p ? malloc_usable_size(p) : 0;
    printf("aligned %s align=%zu size=%zu rc=%d result=%s usable_ok=%s\n", fn, align, size, rc,
           p == NULL ? "null" : ((uintptr_t)p % align ? "misaligned" : "aligned"),
           p == NULL || usable >= size ? "yes" : "no");
    if (p) memset(p, 0x33, usable); /* all of the usable size is the caller's */
}

static int aligned(void) {
    static const size_t aligns[] = {16, 32, 64, 256, 4096, 65536};
    static const size_t sizes[] = {1, 24, 100, 1000, 5000, 300000};
    void *keep[64];
    int kept = 0;
    for (size_t a = 0; a < sizeof aligns / sizeof *aligns; a++)
        for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
            void *p = NULL;
            int rc = posix_memalign(&p, aligns[a], sizes[s]);
            aligned_line("posix_memalign", aligns[a], sizes[s], rc ? NULL : p, rc);
            if (!rc && p) keep[kept++ % 64] = p;
            void *q = aligned_alloc(aligns[a], sizes[s] * 1);
            aligned_line("aligned_alloc", aligns[a], sizes[s], q, 0);
            free(q);
            void *m = memalign(aligns[a], sizes[s]);
            aligned_line("memalign", aligns[a], sizes[s], m, 0);
            free(m);
        }
    void *v = valloc(100);
    aligned_line("valloc", (size_t)sysconf(_SC_PAGESIZE), 100, v, 0);
    free(v);
    void *bad = (void *)1;
    int rc = posix_memalign(&bad, 24, 100);
    printf("posix_memalign_bad_align rc=%s untouched=%s\n", rc == EINVAL ? "EINVAL" : rc == 0 ? "0" : "other",
           bad == (void *)1 ? "yes" : "no");
    if (rc == 0) free(bad);
    for (int i = 0; i < kept && i < 64; i++) free(keep[i]);
    void *p = malloc(10);
    printf("usable malloc size=10 usable_ok=%s\n", p && malloc_usable_size(p) >= 10 ? "yes" : "no");
    free(p);
    return 0;
}

/* ---- threads ---------------------------------------------------------------------------- */

enum { SLOTS = 64, SHARED = 256 };
static unsigned char *_Atomic shared[SHARED];
static int thread_ops;
static _Atomic int thread_failures;

struct worker {
    unsigned seed;
    int index;
};

static unsigned next_random(unsigned *state) {
    *state = *state * 1103515245u + 12345u;
    return *state >> 8;
}

/* Each block starts with its size and a fill byte, so any thread can check it. */
static unsigned char *make(unsigned *state) {
    size_t size = 16 + next_random(state) % (next_random(state) % 8 == 0 ? 20000 : 400);
    unsigned char *p = malloc(size);
    if (p == NULL) return NULL;
    unsigned char fill = (unsigned char)(next_random(state) % 250 + 1);
    memcpy(p, &size, sizeof size);
    memset(p + sizeof size, fill, size - sizeof size);
    return p;
}

static int intact(unsigned char *p) {
    size_t size;
    memcpy(&size, p, sizeof size);
    if (size < 16 || size > 20416) return 0;
    for (size_t i = sizeof size + 1; i < size; i++)
        if (p[i] != p[sizeof size]) return 0;
    return 1;
}

static void *work(void *arg) {
    struct worker *w = arg;
    unsigned char *mine[SLOTS] = {0};
    unsigned state = w->seed;
    for (int i = 0; i < thread_ops; i++) {
        unsigned r = next_random(&state);
        int slot = (int)(r % SLOTS);
        if (mine[slot]) {
            if (!intact(mine[slot])) {
                thread_failures++;
                return NULL;
            }
            if (r % 3 == 0) { /* hand it to another thread to free */
                unsigned char *old = atomic_exchange(&shared[r % SHARED], mine[slot]);
                if (old && !intact(old)) {
                    thread_failures++;
                    return NULL;
                }
                free(old);
            } else if (r % 3 == 1) {
                unsigned char *q = realloc(mine[slot], 32 + r % 3000);
                if (q == NULL) {
                    thread_failures++;
                    return NULL;
                }
                size_t size = 32 + r % 3000;
                memcpy(q, &size, sizeof size);
                memset(q + sizeof size, q[sizeof size], size - sizeof size);
                mine[slot] = q;
                continue;
            } else {
                free(mine[slot]);
            }
        }
        mine[slot] = make(&state);
        if (mine[slot] == NULL) {
            thread_failures++;
            return NULL;
        }
    }
    for (int s = 0; s < SLOTS; s++) free(mine[s]);
    return NULL;
}

static int threads(int count, int per_thread, unsigned seed) {
    pthread_t ids[64];
    struct worker workers[64];
    thread_ops = per_thread;
    if (count > 64) count = 64;
    for (int i = 0; i < count; i++) {
        workers[i] = (struct worker){seed * 7919u + (unsigned)i, i};
        pthread_create(&ids[i], NULL, work, &workers[i]);
    }
    for (int i = 0; i < count; i++) pthread_join(ids[i], NULL);
    int corrupted = 0;
    for (int i = 0; i < SHARED; i++) {
        if (shared[i] && !intact(shared[i])) corrupted++;
        free(shared[i]);
    }
    printf("threads count=%d ops=%d failures=%d\n", count, per_thread, thread_failures + corrupted);
    return 0;
}

/* ---- fork while other threads allocate -------------------------------------------------- */

static _Atomic int stop_hammer;

static void *hammer(void *arg) {
    unsigned state = (unsigned)(uintptr_t)arg;
    while (!stop_hammer) {
        void *p = malloc(16 + next_random(&state) % 2000);
        free(p);
    }
    return NULL;
}

static int forks(int count) {
    pthread_t ids[2];
    for (int i = 0; i < 2; i++) pthread_create(&ids[i], NULL, hammer, (void *)(uintptr_t)(i + 1));
    int hung = 0, failed = 0;
    for (int i = 0; i < count; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            alarm(2); /* a child stuck on a lock held by a thread that fork did not copy */
            void *p = malloc(100);
            free(p);
            _exit(0);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) hung++;
        else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) failed++;
    }
    stop_hammer = 1;
    for (int i = 0; i < 2; i++) pthread_join(ids[i], NULL);
    printf("forks count=%d hung=%d failed=%d\n", count, hung, failed);
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 2 && strcmp(argv[1], "symbols") == 0) return symbols(argc - 2, argv + 2);
    if (argc >= 3 && strcmp(argv[1], "trace") == 0) {
        fast = argc >= 4 && strcmp(argv[3], "fast") == 0;
        return trace(argv[2]);
    }
    if (argc >= 2 && strcmp(argv[1], "edge") == 0) return edge();
    if (argc >= 4 && strcmp(argv[1], "large") == 0) return large(strtoull(argv[2], NULL, 10), atoi(argv[3]));
    if (argc >= 2 && strcmp(argv[1], "aligned") == 0) return aligned();
    if (argc >= 5 && strcmp(argv[1], "threads") == 0)
        return threads(atoi(argv[2]), atoi(argv[3]), (unsigned)strtoul(argv[4], NULL, 10));
    if (argc >= 3 && strcmp(argv[1], "forks") == 0) return forks(atoi(argv[2]));
    fprintf(stderr, "usage: driver symbols|trace|edge|large|aligned|threads ...\n");
    return 2;
}
