// liburcu's lock-free queue (cds_lfq, a Michael-Scott queue whose nodes are freed after an
// RCU grace period) behind queue.h. Every thread that touches an RCU structure must be
// registered with RCU: each is registered on its first call, and unregistered when it
// exits (a thread-specific key's destructor). The capacity is an atomic count reserved
// before linking, as cds_lfq itself is unbounded.
//
// A second real queue for the stages it can take part in (tests/test_lock_free_queue_challenge.py):
// fifo, bounded, lock-free and reclamation. Not the ThreadSanitizer ones: liburcu 0.13
// publishes nodes with its own inline-assembly atomics, which ThreadSanitizer does not see,
// so every item handed over looks like a race to it (liburcu 0.14 can be configured to use
// the compiler's atomics instead).
#define _LGPL_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <urcu.h>
#include <urcu/rculfqueue.h>

#include "queue.h"

struct queue {
    struct cds_lfq_queue_rcu lfq;
    size_t capacity;
    atomic_size_t count;
};

typedef struct {
    struct cds_lfq_node_rcu node;
    struct rcu_head rcu;
    void *item;
} entry;

static pthread_key_t registered;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void unregister(void *unused) {
    (void)unused;
    rcu_unregister_thread();
}

static void make_key(void) { pthread_key_create(&registered, unregister); }

static void ensure_registered(void) {
    pthread_once(&key_once, make_key);
    if (pthread_getspecific(registered) == NULL) {
        rcu_register_thread();
        pthread_setspecific(registered, (void *)1);
    }
}

static void free_entry(struct rcu_head *head) { free(caa_container_of(head, entry, rcu)); }

queue *queue_create(size_t capacity) {
    ensure_registered();
    queue *q = calloc(1, sizeof(queue));
    if (q == NULL) return NULL;
    cds_lfq_init_rcu(&q->lfq, call_rcu);
    q->capacity = capacity;
    atomic_init(&q->count, 0);
    return q;
}

bool queue_enqueue(queue *q, void *item) {
    ensure_registered();
    if (atomic_fetch_add(&q->count, 1) >= q->capacity) {
        atomic_fetch_sub(&q->count, 1);
        return false;
    }
    entry *e = malloc(sizeof *e);
    if (e == NULL) {
        atomic_fetch_sub(&q->count, 1);
        return false;
    }
    cds_lfq_node_init_rcu(&e->node);
    e->item = item;
    rcu_read_lock();
    cds_lfq_enqueue_rcu(&q->lfq, &e->node);
    rcu_read_unlock();
    return true;
}

bool queue_dequeue(queue *q, void **item) {
    ensure_registered();
    rcu_read_lock();
    struct cds_lfq_node_rcu *node = cds_lfq_dequeue_rcu(&q->lfq);
    rcu_read_unlock();
    if (node == NULL) return false;
    entry *e = caa_container_of(node, entry, node);
    *item = e->item;
    atomic_fetch_sub(&q->count, 1);
    call_rcu(&e->rcu, free_entry);
    return true;
}

void queue_destroy(queue *q) {
    void *item;
    while (queue_dequeue(q, &item)) {
    }
    cds_lfq_destroy_rcu(&q->lfq);
    rcu_barrier();  // every entry's free has run
    free(q);
}
