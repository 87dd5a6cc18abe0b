#!/bin/sh
# The oracle: jemalloc, preloaded the way a learner's allocator is (see preload.sh).
#
# jemalloc keeps freed pages for ten seconds before it gives them back (dirty_decay_ms), a
# trade of memory for speed. The splitting and coalescing stages measure how an allocator
# places blocks by the memory the process holds at its peak, so the delay is turned off
# here: freed pages go back at once, and what is measured is jemalloc's placement. (With the
# delay it still passes today, by a few hundred KiB.)
MALLOC_CONF=dirty_decay_ms:0,muzzy_decay_ms:0
export MALLOC_CONF
exec "$(dirname "$0")/preload.sh" /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 "$@"
