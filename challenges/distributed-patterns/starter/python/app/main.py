"""The driver: speaks crack's line protocol and calls your classes.

You do not need to edit this file. One command per line on stdin, one reply per line on
stdout:

    RING NEW                      -> OK      (a fresh, empty ring replaces the old one)
    RING ADD <node>               -> OK
    RING REMOVE <node>            -> OK
    RING GET <key>                -> the node that owns <key>
    BLOOM NEW <expected> <rate>   -> OK      (sized for <expected> items at false-positive <rate>)
    BLOOM ADD <item>              -> OK
    BLOOM HAS <item>              -> YES or NO
    BLOOM BITS                    -> the number of bits the filter uses
    CBLOOM NEW <expected> <rate>  -> OK      (a counting Bloom filter)
    CBLOOM ADD <item>             -> OK
    CBLOOM REMOVE <item>          -> OK
    CBLOOM HAS <item>             -> YES or NO

Node names, keys and items have no spaces. When your code raises an exception the reply is
"ERROR <exception>" and the traceback goes to stderr, which crack shows you.
"""

import sys
import traceback

from bloom import BloomFilter, CountingBloomFilter
from ring import HashRing


class Driver:
    def __init__(self) -> None:
        self.ring = HashRing()
        self.bloom: BloomFilter | None = None
        self.counting: CountingBloomFilter | None = None

    def handle(self, line: str) -> str:
        family, command, *args = line.split(" ")
        if family == "RING":
            return self.ring_command(command, args)
        if family == "BLOOM":
            return self.bloom_command(command, args)
        if family == "CBLOOM":
            return self.counting_command(command, args)
        return f"ERROR unknown command {family}"

    def ring_command(self, command: str, args: list[str]) -> str:
        if command == "NEW":
            self.ring = HashRing()
            return "OK"
        if command == "ADD":
            self.ring.add(args[0])
            return "OK"
        if command == "REMOVE":
            self.ring.remove(args[0])
            return "OK"
        if command == "GET":
            return self.ring.get(args[0])
        return f"ERROR unknown command RING {command}"

    def bloom_command(self, command: str, args: list[str]) -> str:
        if command == "NEW":
            self.bloom = BloomFilter(int(args[0]), float(args[1]))
            return "OK"
        if self.bloom is None:
            return "ERROR no filter yet: send BLOOM NEW first"
        if command == "ADD":
            self.bloom.add(args[0])
            return "OK"
        if command == "HAS":
            return "YES" if self.bloom.might_contain(args[0]) else "NO"
        if command == "BITS":
            return str(self.bloom.bit_count())
        return f"ERROR unknown command BLOOM {command}"

    def counting_command(self, command: str, args: list[str]) -> str:
        if command == "NEW":
            self.counting = CountingBloomFilter(int(args[0]), float(args[1]))
            return "OK"
        if self.counting is None:
            return "ERROR no filter yet: send CBLOOM NEW first"
        if command == "ADD":
            self.counting.add(args[0])
            return "OK"
        if command == "REMOVE":
            self.counting.remove(args[0])
            return "OK"
        if command == "HAS":
            return "YES" if self.counting.might_contain(args[0]) else "NO"
        return f"ERROR unknown command CBLOOM {command}"


def main() -> None:
    driver = Driver()
    for line in sys.stdin:
        try:
            reply = driver.handle(line.rstrip("\r\n"))
        except Exception as exc:
            traceback.print_exc()
            reply = f"ERROR {type(exc).__name__}: {exc}".replace("\n", " ")
        print(reply, flush=True)


if __name__ == "__main__":
    main()
