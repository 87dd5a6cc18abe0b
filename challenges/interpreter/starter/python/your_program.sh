#!/bin/sh
# crack starts your program through this script and appends the tester's arguments
# (for example: tokenize program.lox). Keep the "$@".
exec python3 -u "$(dirname "$0")/app/main.py" "$@"
