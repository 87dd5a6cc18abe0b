#!/bin/sh
# The oracle: react-dom behind the challenge's module interface (tester/node/adapters/react.mjs),
# run by the driver crack passes as the first argument, as a learner's program runs it.
exec node "$1" "$(dirname "$0")/../tester/node/adapters/react.mjs"
