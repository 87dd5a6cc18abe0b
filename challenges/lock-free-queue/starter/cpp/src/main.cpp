// Your queue: the functions queue.h declares, defined here with C names (queue.h wraps them
// in extern "C"). crack compiles this file with g++ together with test programs of its own
// (see your_program.sh), with -O2 and again under ThreadSanitizer and AddressSanitizer, and
// calls them from many threads at once. std::atomic is the tool; no exception may leave
// these functions.
//
// Keep queue.h as it is: the test programs are compiled against the same header.
#include <atomic>
#include <cstddef>
#include <cstdlib>

#include "queue.h"

// Your code starts here: `crack task` shows what to do. For example:
//
// struct queue { ... };
// queue *queue_create(size_t capacity) { ... }
// bool queue_enqueue(queue *q, void *item) { ... }
// bool queue_dequeue(queue *q, void **item) { ... }
// void queue_destroy(queue *q) { ... }
