#!/bin/sh
# crack starts your program through this script and appends the tester's arguments
# (for example: cat-file -p <sha>), in the folder where the command must act. Keep the "$@".
exec python3 -u "$(dirname "$0")/app/main.py" "$@"
