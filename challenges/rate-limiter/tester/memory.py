"""Stage 8: memory per client stays constant for the counter and bucket algorithms, and
bounded by its window for the sliding log.

A limiter in front of an API holds state for every client it has seen, so what one client
costs decides how many clients one machine can serve. The counter and bucket algorithms
need a few numbers per client, however many requests it makes; a log of request times
grows with every request.

Measured on the program itself: its resident memory (VmRSS of its process tree) with the
same clients at three request counts. A warm-up round creates every client and lets the
runtime reach its working size; then two equal rounds of requests follow, and the program
fails only if its memory grew in *both* by more than a few bytes per request. A log of
64-bit times grows 8 bytes per request or more in every round; a constant-size state grows
by nothing, and a one-off step (an allocator taking a new arena, a garbage collector
resizing its heap) shows in one round, not in both.

The sliding log is measured too, with a window shorter than the warm-up: its memory is
O(limit) per client by design, but only if it drops the times that left the window; a log
that never does grows by every request, which is the mistake this stage is about.
"""

from __future__ import annotations

from crack.harness import Harness, StageFailure, proctree
from crack.harness.growth import resident_bytes

from . import model as m
from .check import Driver, start, window_start_after

CLIENTS = 400
WARM_UP = 10
ROUND = 75
BYTES_PER_REQUEST = 4.0
"""More than this in both rounds fails: below a log of 64-bit times (8 bytes per request),
far above what a fixed-size state per client shows (nothing)."""
DAY_MS = 86_400_000
LOG_WINDOW_MS = 2_000
"""The sliding log's window: shorter than the warm-up (each client asks about every
CLIENTS ms), so a log that drops old times holds a steady handful by the first round, and
one that never does grows by every request."""

CASES: list[tuple[m.Config, str, str]] = [
    (
        m.fixed_window(1_000_000, DAY_MS),
        "a window number and a count",
        "a fixed window needs the window's number and a count per client, nothing per "
        "request. A list of request times is a sliding log (stage 3), whose memory grows "
        "with every request",
    ),
    (
        m.sliding_counter(1_000_000, DAY_MS),
        "a window number and two counts",
        "a sliding window counter keeps two counts per client (the previous window's and the "
        "current one's) and estimates from them; it never needs the times of the requests",
    ),
    (
        m.token_bucket(1_000_000, 1, DAY_MS),
        "a token level and the time it was last refilled",
        "a token bucket is two numbers per client: the level and when it was last updated. "
        "Refills are computed from the time elapsed, not stored",
    ),
    (
        m.leaky_bucket(1_000_000, 60_000),
        "the time its outlet is free again",
        "the queue never needs to be stored: requests leave one interval apart, so one "
        "number per client, the time the outlet is free again, says how long a new request "
        "waits and whether the queue is full",
    ),
    (
        m.sliding_log(1_000_000, LOG_WINDOW_MS),
        f"the times of its requests of the last {LOG_WINDOW_MS:,} ms: a handful here, each "
        f"client asking about every {CLIENTS} ms",
        "drop the times t <= now - W from the front of the client's log on every request "
        "(popleft): a log that only filters the old times out when it counts keeps every "
        "request the client ever made",
    ),
]


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"


def memory_per_client(h: Harness) -> None:
    for config, state, hint in CASES:
        _measure(h, config, state, hint)


def _measure(h: Harness, config: m.Config, state: str, hint: str) -> None:
    d = start(h)
    d.session.quiet = True
    h.log(f"> {config.line}   (then {CLIENTS} clients in rounds of requests, not shown one by one)")
    d.configure(config)
    clients = [f"client-{i:04d}" for i in range(CLIENTS)]
    t = window_start_after(d.clock.now_ms, DAY_MS) + 1

    def round_of(requests_each: int) -> int:
        nonlocal t
        requests = []
        for _ in range(requests_each):
            h.random.shuffle(clients)
            for client in clients:
                t += 1
                requests.append((t, client))
        d.many(requests)
        return _resident(d)

    warm = round_of(WARM_UP)
    first = round_of(ROUND)
    second = round_of(ROUND)
    grew = (first - warm, second - first)
    per_request = min(grew) / (CLIENTS * ROUND)
    h.log(
        f"{config.algorithm}: {CLIENTS} clients; resident memory {_mb(warm)} after {WARM_UP} requests each, "
        f"{_signed(grew[0])} after {WARM_UP + ROUND}, {_signed(grew[1])} after {WARM_UP + 2 * ROUND}"
    )
    d.session.close()
    d.session.process.stop()
    if per_request > BYTES_PER_REQUEST:
        raise StageFailure(
            f"{config.algorithm}: your program's memory grew with every request its clients made\n"
            f"  {CLIENTS} clients, {WARM_UP} requests each: {_mb(warm)} resident\n"
            f"  {ROUND} more requests each: {_signed(grew[0])}\n"
            f"  {ROUND} more requests each: {_signed(grew[1])} "
            f"(about {round(per_request)} bytes per request)\n"
            f"The limiter: {config.line}\n"
            f"A {config.algorithm} limiter needs a fixed amount of memory per client ({state}), "
            f"however many requests the client makes. Yours keeps something for every request, "
            f"so a busy client costs more and more, and a million clients would not fit.",
            hint=hint,
        )


def _signed(n: int) -> str:
    return ("+" if n >= 0 else "-") + _mb(abs(n))


def _resident(d: Driver) -> int:
    return resident_bytes(proctree.descendants({d.session.process.pid}))
