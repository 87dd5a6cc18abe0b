#!/bin/sh
# crack runs this script with one argument: the path of its driver, a Node program that loads
# your module into a browser-like DOM (jsdom) and checks what it renders against react-dom.
# The driver imports JavaScript, so this script first compiles app/ with the TypeScript
# compiler installed beside the driver (tsc, at the version crack pins) into a fresh temporary
# folder (your repository may be read-only while crack grades), then runs the driver with the
# compiled app/main.ts. Keep both steps.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
tsc="$(dirname "$1")/node_modules/.bin/tsc"
if [ ! -x "$tsc" ]; then
    echo "tsc was not found at $tsc: install crack's npm packages (bash scripts/install-node-deps.sh)" >&2
    exit 1
fi
out="$(mktemp -d "${TMPDIR:-/tmp}/your-program.XXXXXX")" || exit 1
trap 'rm -rf "$out"' EXIT
trap 'exit 143' TERM INT
# tsc writes its errors to standard output; they go to standard error, where crack shows them.
if ! "$tsc" --project "$here" --outDir "$out" --pretty false >&2; then
    echo "tsc could not compile app/main.ts: the errors are above" >&2
    exit 1
fi
echo '{"type": "module"}' > "$out/package.json"  # Node loads the compiled .js as ES modules
node "$1" "$out/main.js"
