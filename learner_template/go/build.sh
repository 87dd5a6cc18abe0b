#!/bin/sh
# crack runs this once before grading (the `build:` line of crack.yml), in this folder.
# Standard library only: GOPROXY=off keeps the build offline (no module downloads).
set -e
cd "$(dirname "$0")"
# go needs a cache folder; a sandbox may have no HOME.
if [ -z "${GOCACHE:-}" ] && [ -z "${XDG_CACHE_HOME:-}" ] && [ -z "${HOME:-}" ]; then
  export GOCACHE="$PWD/build/go-cache"
fi
export CGO_ENABLED=0 GOPROXY=off
mkdir -p build
exec go build -o build/your_program ./app
