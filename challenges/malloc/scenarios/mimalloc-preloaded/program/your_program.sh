#!/bin/sh
# mimalloc, with its default settings, preloaded the way a learner's library is.
LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libmimalloc.so.2
export LD_PRELOAD
exec "$@"
