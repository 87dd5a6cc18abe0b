#!/bin/sh
# crack starts your program through this script and talks to it over stdin and stdout,
# one command per line. Keep the "$@".
exec python3 -u "$(dirname "$0")/app/main.py" "$@"
