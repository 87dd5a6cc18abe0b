#!/bin/sh
# crack starts your program through this script and appends the tester's arguments
# (for example: --port 40123). Keep the "$@".
exec node "$(dirname "$0")/app/main.js" "$@"
