#!/bin/sh
# crack runs this once before grading (the `build:` line of crack.yml), in this folder.
# It only checks that your queue compiles, with warnings on: the tester compiles app/*.c
# again itself, together with its test programs and with its own flags.
set -e
cd "$(dirname "$0")"
mkdir -p build
for file in app/*.c; do
    gcc -std=c17 -D_GNU_SOURCE -O2 -g -Wall -Wextra -pthread -c "$file" \
        -o "build/$(basename "$file" .c).o"
done
