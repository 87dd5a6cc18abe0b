// Your queue: the functions queue.h declares, defined here. crack compiles this file
// together with test programs of its own (see your_program.sh), with -O2 and again under
// ThreadSanitizer and AddressSanitizer, and calls them from many threads at once.
//
// Keep queue.h as it is: the test programs are compiled against the same header.
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#include "queue.h"

// Your code starts here: `crack task` shows what to do. For example:
//
// struct queue { ... };
// queue *queue_create(size_t capacity) { ... }
// bool queue_enqueue(queue *q, void *item) { ... }
// bool queue_dequeue(queue *q, void **item) { ... }
// void queue_destroy(queue *q) { ... }
