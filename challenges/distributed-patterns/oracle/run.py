"""The distributed-patterns challenge's oracle: crack's line protocol on top of real libraries.

- RING: uhashring's ``HashRing(hash_fn="ketama")`` decides every placement.
- BLOOM: rbloom's ``Bloom(expected, rate)``; BITS is its ``size_in_bits``. Items are hashed
  with a stable hash (the first 16 bytes of their BLAKE2b digest, as a signed 128-bit
  integer, as rbloom's documentation shows), so the filter does not depend on Python's
  per-process string hashing.

rbloom has no removal, so the counting Bloom filter stage is not among the oracle's
stages (challenge.yaml, ``oracle.stages``); CBLOOM commands answer an error here.
"""

from __future__ import annotations

import hashlib
import sys

try:
    import rbloom
    from uhashring import HashRing
except ImportError:  # say so in every reply, where crack shows it, instead of a bare exit
    for _ in sys.stdin:
        print(
            "ERROR uhashring and rbloom are not installed beside crack: pip install uhashring rbloom",
            flush=True,
        )
    raise SystemExit(1) from None


def stable_hash(item: object) -> int:
    digest = hashlib.blake2b(str(item).encode(), digest_size=16).digest()
    return int.from_bytes(digest, "big", signed=True)


class Oracle:
    def __init__(self) -> None:
        self.ring = HashRing(hash_fn="ketama")
        self.bloom = rbloom.Bloom(1, 0.5, stable_hash)

    def handle(self, line: str) -> str:
        family, command, *args = line.split(" ")
        if family == "RING":
            if command == "NEW":
                self.ring = HashRing(hash_fn="ketama")
                return "OK"
            if command == "ADD":
                self.ring.add_node(args[0])
                return "OK"
            if command == "REMOVE":
                self.ring.remove_node(args[0])
                return "OK"
            if command == "GET":
                return str(self.ring.get_node(args[0]))
        if family == "BLOOM":
            if command == "NEW":
                self.bloom = rbloom.Bloom(int(args[0]), float(args[1]), stable_hash)
                return "OK"
            if command == "ADD":
                self.bloom.add(args[0])
                return "OK"
            if command == "HAS":
                return "YES" if args[0] in self.bloom else "NO"
            if command == "BITS":
                return str(self.bloom.size_in_bits)
        return f"ERROR the oracle does not implement {family} {command}"


def main() -> None:
    oracle = Oracle()
    for line in sys.stdin:
        try:
            reply = oracle.handle(line.rstrip("\r\n"))
        except Exception as exc:
            reply = f"ERROR {type(exc).__name__}: {exc}"
        print(reply, flush=True)


if __name__ == "__main__":
    main()
