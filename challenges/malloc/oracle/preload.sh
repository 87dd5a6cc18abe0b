#!/bin/sh
# The real allocators the malloc tester is checked against, run the way a learner's is:
# ./preload.sh LIBRARY PROGRAM ARGS... runs PROGRAM with LIBRARY preloaded, as the
# learner's your_program.sh runs it with build/libmymalloc.so. exec hands the process over,
# so nothing is left running. An empty LIBRARY runs PROGRAM with the C library's own malloc.
set -eu
library=$1
shift
if [ -n "$library" ]; then
    LD_PRELOAD=$library
    export LD_PRELOAD
fi
exec "$@"
