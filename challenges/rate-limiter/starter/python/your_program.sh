#!/bin/sh
# crack starts your program through this script and appends the tester's arguments:
# none for the line protocol (stages 1-8), --http --port N --config '...' in stage 9.
# Keep the "$@".
exec python3 -u "$(dirname "$0")/app/main.py" "$@"
