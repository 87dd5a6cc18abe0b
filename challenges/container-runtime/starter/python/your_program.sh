#!/bin/sh
# crack starts your program through this script and appends the tester's arguments
# (for example: run --hostname box /tmp/rootfs /bin/sh -c 'exit 3'). Keep the "$@".
exec python3 -u "$(dirname "$0")/app/main.py" "$@"
