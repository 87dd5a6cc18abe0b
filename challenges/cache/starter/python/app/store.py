"""The backing store of the write-through stage: an append-only file that crack reads.

You do not need to edit this file. Each call appends one line and flushes it, so the line
is in the file before your program replies to the command that caused it.
"""


class Store:
    def __init__(self, path: str) -> None:
        self._file = open(path, "a", encoding="utf-8")

    def put(self, key: str, value: str) -> None:
        """Record that `key` now has `value` (call it on every PUT: write-through)."""
        self._append(f"PUT {key} {value}")

    def evict(self, key: str) -> None:
        """Record that `key` left the cache to make room for another."""
        self._append(f"EVICT {key}")

    def _append(self, line: str) -> None:
        self._file.write(line + "\n")
        self._file.flush()
