#!/bin/sh
# preact behind the challenge's module interface: the second real library that must pass
# every stage (the oracle is react-dom). Its adapter sits beside the driver, in
# tester/node/adapters/, where its npm packages are installed.
exec node "$1" "$(dirname "$1")/adapters/preact.mjs"
