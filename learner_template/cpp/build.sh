#!/bin/sh
# crack runs this once before grading (the `build:` line of crack.yml), in this folder.
# Add flags or libraries here: -pthread for std::thread.
set -e
cd "$(dirname "$0")"
mkdir -p build
exec g++ -std=c++17 -O2 -g -Wall -Wextra -pthread -o build/your_program src/*.cpp
