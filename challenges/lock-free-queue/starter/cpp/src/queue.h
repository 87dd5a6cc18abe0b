/* queue.h: the interface crack's test programs call. Keep it exactly as it is.
 *
 * A queue of pointers, first in first out, that many threads may use at once. The queue
 * stores the pointers it is given and hands them back; it never reads what they point to.
 * Items are never NULL.
 */
#ifndef QUEUE_H
#define QUEUE_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct queue queue;

/* A new, empty queue that holds up to `capacity` items (capacity >= 1), or NULL when
 * memory runs out. */
queue *queue_create(size_t capacity);

/* Append `item` at the tail. Returns false, changing nothing, when the queue already holds
 * `capacity` items. */
bool queue_enqueue(queue *q, void *item);

/* Remove the item at the head into *item. Returns false, changing nothing, when the queue is
 * empty. */
bool queue_dequeue(queue *q, void **item);

/* Free the queue and everything it allocated. No other thread uses the queue any more; items
 * still in it are dropped (they belong to the caller). */
void queue_destroy(queue *q);

#ifdef __cplusplus
}
#endif

#endif
