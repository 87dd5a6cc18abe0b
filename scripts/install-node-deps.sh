#!/usr/bin/env bash
# The npm packages testers load, at the versions their package-lock.json pins: the mini-react
# driver's DOM (jsdom), the libraries it compares learners' renderers with (react-dom,
# preact), and the TypeScript compiler its TypeScript starter is built with (tsc). `npm ci`
# installs exactly the lock file, so every machine grades against the same code. Needs node
# and npm (scripts/install-system-deps.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
for lock in challenges/*/tester/node/package-lock.json; do
    folder="$(dirname "$lock")"
    stamp="$folder/node_modules/.installed-from-lock"
    if cmp -s "$lock" "$stamp" 2>/dev/null; then
        continue  # installed from this very lock file already
    fi
    echo "npm ci in $folder"
    (cd "$folder" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$lock" "$stamp"
done
