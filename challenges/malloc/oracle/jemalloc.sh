#!/bin/sh
# The oracle: jemalloc, preloaded the way a learner's allocator is (see preload.sh).
#
# jemalloc keeps freed memory for ten seconds before it gives it back (dirty_decay_ms) and
# caches freed blocks per thread (tcache), trading memory for speed. The splitting and
# coalescing stages measure how an allocator places blocks, by the memory the process holds
# at its peak, so those caches are turned off here: what is left is jemalloc's placement.
# Every other stage passes with the defaults as well.
MALLOC_CONF=dirty_decay_ms:0,muzzy_decay_ms:0,tcache:false
export MALLOC_CONF
exec "$(dirname "$0")/preload.sh" /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 "$@"
