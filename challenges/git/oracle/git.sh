#!/bin/sh
# The oracle: real git, run with the tester's arguments.
# One command differs: the challenge's write-tree snapshots the working tree, while real
# git's write-tree snapshots the index, so the index is brought up to date first.
# Graded as root, crack runs it as another user than the tester who made the repositories:
# safe.directory lets git read them.
if [ "$1" = "write-tree" ]; then
    shift
    git -c safe.directory='*' add -A && exec git -c safe.directory='*' write-tree "$@"
fi
exec git -c safe.directory='*' "$@"
