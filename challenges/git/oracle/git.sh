#!/bin/sh
# The oracle: real git, run with the tester's arguments.
# One command differs: the challenge's write-tree snapshots the working tree, while real
# git's write-tree snapshots the index, so the index is brought up to date first.
if [ "$1" = "write-tree" ]; then
    shift
    git add -A && exec git write-tree "$@"
fi
exec git "$@"
