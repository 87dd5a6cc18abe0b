#!/bin/sh
# crack starts your program through this script and appends the tester's arguments
# (for example: --port 40123). Keep the "$@". build.sh compiles it first.
classes="$(dirname "$0")/build/classes"
[ -f "$classes/Main.class" ] || { echo "$classes/Main.class is missing: run ./build.sh first" >&2; exit 1; }
exec java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$classes" Main "$@"
