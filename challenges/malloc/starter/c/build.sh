#!/bin/sh
# crack runs this once before grading (the `build:` line of crack.yml), in this folder.
# It builds your allocator as a shared library: -fPIC -shared make build/libmymalloc.so, and
# -fno-builtin stops gcc from turning your own code into calls to malloc or calloc (it may
# otherwise replace "malloc, then memset to 0" with a call to calloc: endless recursion).
set -e
cd "$(dirname "$0")"
mkdir -p build
exec gcc -std=c17 -D_GNU_SOURCE -O2 -g -Wall -Wextra -fno-builtin -fPIC -shared -pthread \
    -o build/libmymalloc.so app/*.c
