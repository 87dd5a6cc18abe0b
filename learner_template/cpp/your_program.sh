#!/bin/sh
# crack starts your program through this script and appends the tester's arguments
# (for example: --port 40123). Keep the "$@". build.sh compiles it first.
program="$(dirname "$0")/build/your_program"
[ -x "$program" ] || { echo "$program is missing: run ./build.sh first" >&2; exit 1; }
exec "$program" "$@"
