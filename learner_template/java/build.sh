#!/bin/sh
# crack runs this once before grading (the `build:` line of crack.yml), in this folder.
# Every .java file under src/main/java is compiled; the program starts at Main.main.
set -e
cd "$(dirname "$0")"
rm -rf build/classes
mkdir -p build/classes
find src/main/java -name '*.java' > build/sources.txt
exec javac -encoding UTF-8 -Xlint:all -d build/classes @build/sources.txt
