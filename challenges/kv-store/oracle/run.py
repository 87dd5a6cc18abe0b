"""The kv-store challenge's oracle: crack's line protocol on top of LevelDB (plyvel).

LevelDB decides every reply and owns every byte on disk: its write-ahead log (records
with CRC32 checksums, a torn or damaged tail dropped at open), its sorted tables, its
compactions and the MANIFEST it replaces atomically. This adapter only parses commands
and formats replies:

- PUT, DEL: ``db.put`` / ``db.delete``. Each write reaches the kernel before OK (LevelDB
  flushes its log after every record), which a SIGKILL cannot undo. ``sync`` is left off:
  a kill keeps the page cache, so an fsync per write would only slow the tests.
- COMPACT: ``db.compact_range`` from b"\\x00" to b"\\xff", past every key (no UTF-8 text
  holds the byte 0xff). Without bounds, plyvel's call only flushes the memtable and leaves
  every level as it is.
- SCAN start end: an iterator from ``start`` (included) to ``end`` (excluded).

Tables are read through mmap, which ``/proc/PID/io`` does not count, so the stages that
measure bytes read pass LevelDB whatever it reads; its memtable size and bloom filters are
set as those stages ask all the same.

paranoid_checks stays off, LevelDB's default: at open it skips a damaged record at the
end of its log instead of refusing to open, as the checksums stage asks.
"""

from __future__ import annotations

import argparse
import socket
import sys
import threading

WRITE_BUFFER = 512 * 1024
"""The memtable's size: LevelDB reads its whole log at open, so a start reads at most this
much of the log (the default, 4 MB, is most of the sorted-tables stage's directory)."""
BLOOM_BITS_PER_KEY = 10
"""A bloom filter in each table (LevelDB has none unless asked), as the bloom stage asks."""

try:
    import plyvel
except ImportError:
    print("plyvel is not installed beside crack: pip install plyvel", file=sys.stderr)
    raise SystemExit(1) from None


def handle(conn: socket.socket, db: plyvel.DB) -> None:
    with conn, conn.makefile("rb") as lines:
        for line in lines:
            command, _, rest = line.rstrip(b"\n").partition(b" ")
            if command == b"PUT":
                key, _, value = rest.partition(b" ")
                db.put(key, value)
                reply = b"OK\n"
            elif command == b"GET":
                value = db.get(rest)
                reply = b"NOT_FOUND\n" if value is None else b"VALUE " + value + b"\n"
            elif command == b"DEL":
                db.delete(rest)
                reply = b"OK\n"
            elif command == b"COMPACT":
                db.compact_range(start=b"\x00", stop=b"\xff")
                reply = b"OK\n"
            elif command == b"SCAN":
                start, _, end = rest.partition(b" ")
                pairs = db.iterator(start=start, stop=end) if start < end else iter(())
                reply = b"".join(k + b" " + v + b"\n" for k, v in pairs) + b"END\n"
            else:
                reply = b"ERR unknown command\n"
            conn.sendall(reply)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data-dir", required=True)
    args = parser.parse_args()
    db = plyvel.DB(
        args.data_dir,
        create_if_missing=True,
        write_buffer_size=WRITE_BUFFER,
        bloom_filter_bits=BLOOM_BITS_PER_KEY,
    )
    server = socket.create_server(("127.0.0.1", args.port))
    while True:
        conn, _ = server.accept()
        threading.Thread(target=handle, args=(conn, db), daemon=True).start()


if __name__ == "__main__":
    main()
