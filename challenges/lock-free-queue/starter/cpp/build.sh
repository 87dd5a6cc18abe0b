#!/bin/sh
# crack runs this once before grading (the `build:` line of crack.yml), in this folder.
# It only checks that your queue compiles, with warnings on: the tester compiles src/*.cpp
# again itself, together with its test programs and with its own flags.
set -e
cd "$(dirname "$0")"
mkdir -p build
for file in src/*.cpp; do
    g++ -std=c++17 -O2 -g -Wall -Wextra -pthread -c "$file" \
        -o "build/$(basename "$file" .cpp).o"
done
