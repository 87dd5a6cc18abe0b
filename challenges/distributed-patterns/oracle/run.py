"""The distributed-patterns challenge's oracle: crack's line protocol on top of real libraries.

- RING: uhashring's ``HashRing(hash_fn="ketama")`` decides every placement.
- BLOOM: rbloom's ``Bloom(expected, rate)``; BITS is its ``size_in_bits``. Items are hashed
  with a stable hash (the first 16 bytes of their BLAKE2b digest, as a signed 128-bit
  integer, as rbloom's documentation shows), so the filter does not depend on Python's
  per-process string hashing.

- RETRY: tenacity's ``Retrying`` with ``stop_after_attempt``, ``wait_exponential`` (or
  ``wait_random_exponential`` for full jitter) and ``retry_if_exception_type`` decides
  whether and how long to wait. Its ``sleep`` is this adapter's: it replies ``WAIT <ms>``
  and reads the ``RESUME <now>`` that ends the wait, so tenacity's loop runs on the
  tester's logical clock.
- BREAKER: pybreaker's ``CircuitBreaker(fail_max, reset_timeout)``; its clock (the
  ``datetime`` it reads) is the time of the command being handled. pybreaker raises its
  own error when a failure opens the breaker; the reply says FAILED when the upstream was
  called and REJECTED when it was not.
- CLIENT: both, each attempt of tenacity's loop a call through pybreaker.

rbloom has no removal, so the counting Bloom filter stage is not among the oracle's
stages (challenge.yaml, ``oracle.stages``); CBLOOM commands answer an error here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import socket
import sys
from collections.abc import Callable
from typing import Any

try:
    import pybreaker
    import rbloom
    import tenacity
    from uhashring import HashRing
except ImportError:  # say so in every reply, where crack shows it, instead of a bare exit
    for _ in sys.stdin:
        print(
            "ERROR install the oracle's libraries: pip install uhashring rbloom tenacity pybreaker",
            flush=True,
        )
    raise SystemExit(1) from None


TRANSIENT = {"503", "502", "refused", "reset", "closed", "timeout"}
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class Clock:
    """The time of the command being handled, in milliseconds."""

    ms = 0


class LogicalDatetime(dt.datetime):
    """pybreaker reads ``datetime.now(UTC)``: here it is the logical time."""

    @classmethod
    def now(cls, tz: Any = None) -> Any:
        return EPOCH + dt.timedelta(milliseconds=Clock.ms)


pybreaker.datetime = LogicalDatetime  # type: ignore[attr-defined]


class Transient(Exception):
    pass


class Failed(Exception):
    pass


def request(port: int) -> tuple[bool, str]:
    """One request to the upstream, as the starter's driver makes it."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2.0) as conn:
            conn.sendall(b"REQUEST\n")
            data = b""
            while not data.endswith(b"\n"):
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
    except ConnectionRefusedError:
        return False, "refused"
    except ConnectionResetError:
        return False, "reset"
    except TimeoutError:
        return False, "timeout"
    if not data.endswith(b"\n"):
        return False, "closed"
    word, _, rest = data.decode().strip().partition(" ")
    return (True, rest) if word == "OK" else (False, rest or word)


class Client:
    """RETRY, BREAKER or CLIENT: a retry policy, a breaker, or both around the upstream."""

    def __init__(self, mode: str, args: list[str], read_line: Callable[[], str]) -> None:
        self.port = int(args[0])
        self.read_line = read_line
        self.retrying: tenacity.Retrying | None = None
        self.breaker: pybreaker.CircuitBreaker | None = None
        if mode in ("RETRY", "CLIENT"):
            attempts, base, cap, jitter = args[1:5]
            waiting = tenacity.wait_random_exponential if jitter == "full" else tenacity.wait_exponential
            self.retrying = tenacity.Retrying(
                stop=tenacity.stop_after_attempt(int(attempts)),
                wait=waiting(multiplier=int(base) / 1000, max=int(cap) / 1000),
                retry=tenacity.retry_if_exception_type(Transient),
                sleep=self.sleep,
                reraise=True,
            )
        if mode in ("BREAKER", "CLIENT"):
            threshold, reset = args[-2:]
            self.breaker = pybreaker.CircuitBreaker(fail_max=int(threshold), reset_timeout=int(reset) / 1000)

    def sleep(self, seconds: float) -> None:
        """tenacity's wait: tell the tester, and go on when it says the time has come."""
        print(f"WAIT {round(seconds * 1000)}", flush=True)
        verb, _, now = self.read_line().partition(" ")
        if verb != "RESUME":
            raise RuntimeError(f"expected RESUME after WAIT, got {verb}")
        Clock.ms = int(now)

    def attempt(self) -> str:
        """One request: its body, or Transient / Failed."""
        ok, text = request(self.port)
        if ok:
            return text
        raise Transient(text) if text in TRANSIENT else Failed(text)

    def through_breaker(self) -> str:
        assert self.breaker is not None
        called: list[bool] = []

        def call() -> str:
            called.append(True)
            return self.attempt()

        try:
            return self.breaker.call(call)
        except pybreaker.CircuitBreakerError as exc:
            if not called:
                raise
            # pybreaker reports the failure that opened it as its own error: the upstream failed.
            raise Transient(str(exc.__context__ or exc)) from exc

    def call(self) -> str:
        one = self.through_breaker if self.breaker is not None else self.attempt
        try:
            body = self.retrying(one) if self.retrying is not None else one()
        except pybreaker.CircuitBreakerError:
            return "REJECTED"
        except (Transient, Failed) as exc:
            return f"FAILED {exc}"
        return f"OK {body}"


def stable_hash(item: object) -> int:
    digest = hashlib.blake2b(str(item).encode(), digest_size=16).digest()
    return int.from_bytes(digest, "big", signed=True)


class Oracle:
    def __init__(self, read_line: Callable[[], str]) -> None:
        self.ring = HashRing(hash_fn="ketama")
        self.bloom = rbloom.Bloom(1, 0.5, stable_hash)
        self.read_line = read_line
        self.client: Client | None = None

    def handle(self, line: str) -> str:
        family, command, *args = line.split(" ")
        if family in ("RETRY", "BREAKER", "CLIENT") and command == "NEW":
            self.client = Client(family, args, self.read_line)
            return "OK"
        if family == "CALL" and self.client is not None:
            Clock.ms = int(command)
            return self.client.call()
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
    oracle = Oracle(lambda: sys.stdin.readline().rstrip("\r\n"))
    while line := sys.stdin.readline():
        try:
            reply = oracle.handle(line.rstrip("\r\n"))
        except Exception as exc:
            reply = f"ERROR {type(exc).__name__}: {exc}"
        print(reply, flush=True)


if __name__ == "__main__":
    main()
