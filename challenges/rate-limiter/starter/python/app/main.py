"""The driver: speaks crack's line protocol and calls your limiters in limiters.py.

You should not need to change this file. It reads one command per line on stdin and
writes one reply per line on stdout:

    CONFIG fixed-window limit=5 window=1000     →  OK
    ALLOW 1700000000123 alice                   →  ALLOWED 4  |  DENIED 877  |  QUEUED 250

Write your own logs to stderr: stdout carries the replies.
"""

from __future__ import annotations

import argparse
import sys

from http_front import serve
from limiters import Decision, FixedWindow, LeakyBucket, Limiter, SlidingCounter, SlidingLog, TokenBucket


def make_limiter(words: list[str]) -> Limiter:
    """`fixed-window limit=5 window=1000` → FixedWindow(limit=5, window_ms=1000)."""
    algorithm, *pairs = words
    params = dict(pair.split("=", 1) for pair in pairs)
    if algorithm == "fixed-window":
        return FixedWindow(limit=int(params["limit"]), window_ms=int(params["window"]))
    if algorithm == "sliding-log":
        return SlidingLog(limit=int(params["limit"]), window_ms=int(params["window"]))
    if algorithm == "sliding-counter":
        return SlidingCounter(limit=int(params["limit"]), window_ms=int(params["window"]))
    if algorithm == "token-bucket":
        tokens, period = params["rate"].split("/")
        return TokenBucket(capacity=int(params["capacity"]), tokens=int(tokens), period_ms=int(period))
    if algorithm == "leaky-bucket":
        return LeakyBucket(capacity=int(params["capacity"]), interval_ms=int(params["interval"]))
    raise ValueError(f"unknown algorithm {algorithm!r}")


def format_reply(limiter: Limiter, decision: Decision) -> str:
    if not decision.allowed:
        return f"DENIED {decision.retry_after_ms}"
    if isinstance(limiter, LeakyBucket):
        return f"QUEUED {decision.wait_ms}"
    return f"ALLOWED {decision.remaining}"


def handle(line: str, state: dict[str, Limiter]) -> str:
    words = line.split()
    if words[0] == "CONFIG":
        state["limiter"] = make_limiter(words[1:])
        return "OK"
    if words[0] == "ALLOW":
        limiter = state["limiter"]
        return format_reply(limiter, limiter.allow(words[2], int(words[1])))
    return f"ERROR unknown command {words[0]!r}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--http", action="store_true", help="serve HTTP instead of the line protocol")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--config", default="fixed-window limit=5 window=1000")
    args = parser.parse_args()
    if args.http:
        serve(args.port, make_limiter(args.config.split()))
        return

    state: dict[str, Limiter] = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            reply = handle(line, state)
        except NotImplementedError as exc:
            reply = f"ERROR not implemented yet: {exc}"
        print(reply, flush=True)


if __name__ == "__main__":
    main()
