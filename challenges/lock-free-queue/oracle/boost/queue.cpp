// The oracle: Boost.Lockfree's queue behind queue.h. boost::lockfree::queue is a
// Michael-Scott queue whose nodes come from a free list of tagged pointers (ABA-safe, never
// returned to the system while the queue lives). Built with a fixed number of nodes and
// pushed with bounded_push, it refuses an item when every node is in use, which is what
// queue_enqueue's capacity asks for (the list's dummy node is allocated apart from them).
#include <boost/lockfree/queue.hpp>
#include <new>

#include "queue.h"

struct queue {
    explicit queue(size_t capacity) : items(capacity) {}
    boost::lockfree::queue<void *> items;
};

queue *queue_create(size_t capacity) { return new (std::nothrow) queue(capacity); }

bool queue_enqueue(queue *q, void *item) { return q->items.bounded_push(item); }

bool queue_dequeue(queue *q, void **item) { return q->items.pop(*item); }

void queue_destroy(queue *q) { delete q; }
