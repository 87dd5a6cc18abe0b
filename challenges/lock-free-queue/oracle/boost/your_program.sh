#!/bin/sh
# The oracle run as a learner's program is: `sources` names what to compile (the adapter,
# with g++, against the tester's queue.h), anything else runs the tester's driver.
here="$(cd "$(dirname "$0")" && pwd)"
if [ "$1" = sources ]; then
    echo "compiler g++"
    echo "source $here/queue.cpp"
    exit 0
fi
# Boost.Lockfree's free list races by design (see tsan.supp); nothing else is suppressed.
TSAN_OPTIONS="${TSAN_OPTIONS:-} suppressions=$here/tsan.supp"
export TSAN_OPTIONS
exec "$@"
