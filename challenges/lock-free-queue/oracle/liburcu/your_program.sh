#!/bin/sh
# liburcu's cds_lfq run as a learner's queue is: `sources` names the adapter and the
# libraries it links; anything else runs the tester's driver.
here="$(cd "$(dirname "$0")" && pwd)"
if [ "$1" = sources ]; then
    echo "compiler gcc"
    echo "source $here/queue.c"
    echo "library -lurcu -lurcu-common -lurcu-cds"
    exit 0
fi
exec "$@"
