"""Tries to write a file at each path given before --port (outside its working copy),
then serves correctly."""

import sys

from _serve import serve

for path in sys.argv[1 : sys.argv.index("--port")]:
    try:
        with open(path, "w") as handle:
            handle.write("escaped\n")
        print(f"wrote {path}", flush=True)
    except OSError as exc:
        print(f"could not write {path}: {exc}", flush=True)
serve()
