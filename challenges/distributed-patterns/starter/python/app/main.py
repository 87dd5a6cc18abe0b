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
    RETRY NEW <port> <max_attempts> <base_ms> <cap_ms> <jitter>
                                  -> OK      (calls go to the upstream on <port>, with retries)
    BREAKER NEW <port> <failure_threshold> <reset_ms>
                                  -> OK      (calls go through a circuit breaker)
    CLIENT NEW <port> <max_attempts> <base_ms> <cap_ms> <jitter> <failure_threshold> <reset_ms>
                                  -> OK      (both: retries, each attempt through the breaker)
    CALL <now_ms>                 -> OK <body>, WAIT <ms>, FAILED <error> or REJECTED
    RESUME <now_ms>               -> the same, for the next attempt after a WAIT

Node names, keys and items have no spaces. When your code raises an exception the reply is
"ERROR <exception>" and the traceback goes to stderr, which crack shows you.
"""

import sys
import traceback

import upstream
from bloom import BloomFilter, CountingBloomFilter
from resilience import CircuitBreaker, RetryPolicy, resilient_attempt
from ring import HashRing


class Driver:
    def __init__(self) -> None:
        self.ring = HashRing()
        self.bloom: BloomFilter | None = None
        self.counting: CountingBloomFilter | None = None
        self.mode = ""
        self.port = 0
        self.policy: RetryPolicy | None = None
        self.breaker: CircuitBreaker | None = None
        self.attempt = 0

    def handle(self, line: str) -> str:
        family, command, *args = line.split(" ")
        if family == "RING":
            return self.ring_command(command, args)
        if family == "BLOOM":
            return self.bloom_command(command, args)
        if family == "CBLOOM":
            return self.counting_command(command, args)
        if family in ("RETRY", "BREAKER", "CLIENT") and command == "NEW":
            return self.new_client(family, [int(arg) if arg.isdigit() else arg for arg in args])
        if family == "CALL":
            self.attempt = 1
            return self.call(int(command))
        if family == "RESUME":
            self.attempt += 1
            return self.call(int(command))
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

    def new_client(self, mode: str, args: list) -> str:
        self.mode, self.port = mode, args[0]
        if mode == "RETRY":
            self.policy = RetryPolicy(args[1], args[2], args[3], args[4])
        elif mode == "BREAKER":
            self.breaker = CircuitBreaker(args[1], args[2])
        else:
            self.policy = RetryPolicy(args[1], args[2], args[3], args[4])
            self.breaker = CircuitBreaker(args[5], args[6])
        return "OK"

    def request(self) -> tuple[bool, str]:
        return upstream.request(self.port)

    def call(self, now_ms: int) -> str:
        """One attempt of a call: to the upstream, through the policy or the breaker."""
        if self.mode == "RETRY":
            assert self.policy is not None
            ok, text = self.request()
            if ok:
                return f"OK {text}"
            if self.policy.should_retry(self.attempt, text):
                return f"WAIT {self.policy.delay_ms(self.attempt)}"
            return f"FAILED {text}"
        if self.mode == "BREAKER":
            assert self.breaker is not None
            if not self.breaker.allow(now_ms):
                return "REJECTED"
            ok, text = self.request()
            if ok:
                self.breaker.record_success(now_ms)
                return f"OK {text}"
            self.breaker.record_failure(now_ms)
            return f"FAILED {text}"
        if self.mode == "CLIENT":
            assert self.policy is not None and self.breaker is not None
            return resilient_attempt(self.policy, self.breaker, self.request, self.attempt, now_ms)
        return "ERROR no client yet: send RETRY NEW, BREAKER NEW or CLIENT NEW first"


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
