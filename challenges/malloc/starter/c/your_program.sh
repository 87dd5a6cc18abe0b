#!/bin/sh
# crack runs programs under your allocator through this script:
#   ./your_program.sh PROGRAM ARGS...
# runs PROGRAM with build/libmymalloc.so preloaded, so your malloc, free, calloc and realloc
# replace the C library's. Try it yourself: ./your_program.sh ls -l
lib="$(cd "$(dirname "$0")" && pwd)/build/libmymalloc.so"
[ -f "$lib" ] || { echo "$lib is missing: run ./build.sh first" >&2; exit 1; }
LD_PRELOAD="$lib"
export LD_PRELOAD
exec "$@"
