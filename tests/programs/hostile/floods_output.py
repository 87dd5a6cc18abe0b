"""Writes to stdout and stderr without end, never listening."""

import sys
import threading


def flood(stream) -> None:  # type: ignore[no-untyped-def]
    line = "flooding " + "x" * 200 + "\n"
    while True:
        stream.write(line)


threading.Thread(target=flood, args=(sys.stderr,), daemon=True).start()
flood(sys.stdout)
