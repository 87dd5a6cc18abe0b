#!/bin/sh
# crack runs this once before grading (the `build:` line of crack.yml), in this folder.
# It builds your allocator as a shared library: -fPIC -shared make build/libmymalloc.so, and
# -fno-builtin stops g++ from turning your own code into calls to malloc or calloc (it may
# otherwise replace "malloc, then memset to 0" with a call to calloc: endless recursion).
# -fno-exceptions: an allocator must not throw, and needs no exception tables.
set -e
cd "$(dirname "$0")"
mkdir -p build
exec g++ -std=c++17 -O2 -g -Wall -Wextra -fno-builtin -fno-exceptions -fPIC -shared -pthread \
    -o build/libmymalloc.so src/*.cpp
