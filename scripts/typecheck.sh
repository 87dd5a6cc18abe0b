#!/usr/bin/env bash
# mypy (strict, from pyproject.toml) over the engine, then over each challenge's tester on
# its own, since every challenge holds a package named `tester`.
set -euo pipefail
cd "$(dirname "$0")/.."
MYPY=${MYPY:-mypy}
"$MYPY"
for tester in challenges/*/tester; do
  MYPYPATH="runner:$(dirname "$tester")" "$MYPY" -p tester --no-incremental --cache-dir=/dev/null
done
