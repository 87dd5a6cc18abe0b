#!/bin/sh
# crack runs this once before grading (the `build:` line of crack.yml), in this folder.
# Add flags or libraries here: -lm for math.h, -pthread for threads.
set -e
cd "$(dirname "$0")"
mkdir -p build
exec gcc -std=c17 -D_GNU_SOURCE -O2 -g -Wall -Wextra -o build/your_program app/*.c
