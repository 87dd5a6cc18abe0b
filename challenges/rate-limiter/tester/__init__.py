"""The rate-limiter challenge: five algorithms over a line protocol, then behind HTTP.

The program reads commands on stdin and answers one line each (see :mod:`.check`):
``CONFIG <algorithm> key=value…`` → ``OK``, then ``ALLOW <now_ms> <client>`` →
``ALLOWED <remaining>``, ``DENIED <retry_ms>`` or ``QUEUED <wait_ms>``. Time is logical:
the tester carries it on every request, so windows and refills are checked to the
millisecond without sleeping. Every expected reply comes from :mod:`.model`.
"""

from __future__ import annotations

from crack.harness import Harness
from crack.tester import Tester

from . import model as m
from .check import Driver, start, window_start_after
from .memory import memory_per_client
from .web import http_front_end
from .workload import NAMES, check_workload

tester = Tester("rate-limiter", warm_imports=("httpx",))
tester.stage("memory-per-client")(memory_per_client)
tester.stage("http-front-end")(http_front_end)

HINT_WINDOW_END = (
    "a window of W ms starting at S covers S … S+W-1: a request at exactly S+W is the first "
    "of the next window (compare with >=, not >)"
)
HINT_REMAINING = (
    "ALLOWED tells how many more requests the client could make now, after counting this "
    "one: the first of 5 is ALLOWED 4, the fifth ALLOWED 0"
)
HINT_ANCHORED = (
    "windows belong to the clock, not to the client: window k covers [k·W, (k+1)·W) since the "
    "Unix epoch, so its start is now - now % W. Starting a window at a client's first request "
    "(or counting windows from the first request your program saw) moves the boundary, and "
    "the client cannot use the new window when the clock enters it"
)
HINT_ORIGIN = (
    "windows are aligned to the Unix epoch (multiples of W since t=0), not to the first "
    "request your program saw: the start of the window is now - now % W"
)


def _client(h: Harness) -> str:
    return h.random.choice(NAMES)


# --- 1 ------------------------------------------------------------------------------------
@tester.stage("fixed-window")
def fixed_window(h: Harness) -> None:
    d = start(h)
    client = _client(h)
    n, w = h.random.randint(3, 6), 1000
    d.configure(
        m.fixed_window(n, w),
        [
            (m.FixedWindow(n, w, end_inclusive=True), HINT_WINDOW_END),
            (m.FixedWindow(n, w, remaining_before=True), HINT_REMAINING),
        ],
        hint="count the requests of the current window; deny once the count has reached the limit",
    )
    t = window_start_after(d.clock.now_ms + 3 * w, w)
    h.log(f"{client} sends {n + 1} requests in the window [{t}, {t + w}): {n} are allowed, then one is not.")
    for i in range(n):
        d.allow(t + 10 * i, client, "the first millisecond of a window" if i == 0 else "")
    d.allow(t + w // 2, client, "the limit is used up: denied until the window ends")
    d.allow(t + w - 1, client, "the last millisecond of the window")
    t += w
    d.allow(t, client, "the first millisecond of the next window: a fresh count")
    for i in range(1, n + 1):
        d.allow(t + i, client)
    t += 7 * w
    d.allow(t, client, "after seven idle windows")

    n, w = 2, 60_000
    d.configure(
        m.fixed_window(n, w),
        [(m.FixedWindow(n, w, end_inclusive=True), HINT_WINDOW_END)],
        hint="read limit= and window= from the CONFIG line: here 2 requests per 60000 ms",
    )
    t = window_start_after(t + w, w)
    h.log(f"A minute-long window from t={t}: 2 requests, then a third at its last millisecond.")
    d.allow(t, client, "the first millisecond of a window")
    d.allow(t + 15_000, client)
    d.allow(t + w - 1, client, "the last millisecond of the window")
    d.allow(t + w, client, "the next window")


# --- 2 ------------------------------------------------------------------------------------
@tester.stage("boundary-burst")
def boundary_burst(h: Harness) -> None:
    d = start(h)
    client = _client(h)
    n, w = h.random.randint(4, 8), 1000
    d.configure(
        m.fixed_window(n, w),
        [
            (m.FixedWindow(n, w, anchored=True), HINT_ANCHORED),
            (m.FixedWindow(n, w, first_origin=True), HINT_ORIGIN),
        ],
        hint=HINT_ANCHORED,
    )
    boundary = window_start_after(d.clock.now_ms + 2 * w, w)
    first = boundary - w + h.random.randint(w // 4, w // 2)
    d.allow(first, client, f"a request in the middle of the window [{boundary - w}, {boundary})")
    h.log(f"{client} now bursts at the last millisecond before the boundary t={boundary}…")
    for _ in range(n - 1):
        d.allow(boundary - 1, client)
    d.allow(boundary - 1, client, "over the limit of this window")
    h.log("…and again at the first millisecond after it.")
    for i in range(n):
        d.allow(boundary, client, "a new window: a fresh count" if i == 0 else "")
    d.allow(boundary, client, "over the limit of the new window")
    h.log(
        f"{2 * n - 1} requests were allowed within 2 ms, nearly twice the limit of {n} per {w} ms: "
        "a fixed window lets a client through at double rate across every boundary. "
        "That is what the next algorithms are for."
    )

    for limit, window in ((3, 7_000), (5, 3_600_000), (2, 86_400_000)):
        config = m.fixed_window(limit, window)
        d.configure(
            config,
            [
                (m.FixedWindow(limit, window, anchored=True), HINT_ANCHORED),
                (m.FixedWindow(limit, window, first_origin=True), HINT_ORIGIN),
            ],
            hint=HINT_ANCHORED,
        )
        check_workload(h, d, config, [client], count=120, boundary=window)


# --- 3 ------------------------------------------------------------------------------------
HINT_LOG_INCLUSIVE = (
    "a request made exactly W ms ago has left the window: keep the times t with "
    "t > now - W (drop t <= now - W)"
)
HINT_LOG_DENIED = (
    "only allowed requests go into the log: a denied request did not happen, and logging it "
    "would lock out a client for as long as it keeps retrying"
)


@tester.stage("sliding-log")
def sliding_log(h: Harness) -> None:
    d = start(h)
    client = _client(h)
    n, w = h.random.randint(3, 5), 1000
    mistakes = [
        (m.SlidingLog(n, w, inclusive=True), HINT_LOG_INCLUSIVE),
        (m.SlidingLog(n, w, logs_denied=True), HINT_LOG_DENIED),
    ]
    d.configure(m.sliding_log(n, w), mistakes, hint="keep the times of the allowed requests of the last W ms")
    t = d.clock.now_ms + h.random.randint(5_000, 9_000)
    for i in range(n):
        d.allow(t + 100 * i, client)
    d.allow(t + 100 * n, client, f"{n} requests in the last {w} ms: denied until the oldest is {w} ms old")
    d.allow(t + w - 1, client, f"the oldest request is {w - 1} ms old: still in the window")
    d.allow(t + w - 1, client, "denied again: a denied request is not logged")
    d.allow(t + w, client, f"the oldest request is exactly {w} ms old: it has left the window")
    d.allow(t + w, client, "full again")
    later = t + w + 100
    d.allow(later, client, "the second request has left too")

    boundary = window_start_after(later + 3 * w, w)
    h.log(f"The burst a fixed window allows, across t={boundary}: a sliding log refuses its second half.")
    for _ in range(n):
        d.allow(boundary - 1, client)
    for i in range(2):
        d.allow(
            boundary + i,
            client,
            "denied: the burst before the boundary is still in the window" if i == 0 else "",
        )
    config = m.sliding_log(n + 2, 2_500)
    d.configure(
        config,
        [
            (m.SlidingLog(n + 2, 2_500, inclusive=True), HINT_LOG_INCLUSIVE),
            (m.SlidingLog(n + 2, 2_500, logs_denied=True), HINT_LOG_DENIED),
        ],
    )
    check_workload(h, d, config, [client], count=200)


# --- 4 ------------------------------------------------------------------------------------
HINT_WEIGHT_ELAPSED = (
    "the previous window's weight is the share of it the sliding window still covers: "
    "(W - e) / W where e is how far into the current window now is. Early in a window the "
    "previous one still counts almost fully"
)
HINT_FLOAT = (
    "compute the weighted count in integers: previous * (W - e) // W. In floating point "
    "10 * (1 - 800 / 1000) is 1.9999999999999996, which rounds down to 1 instead of 2"
)


@tester.stage("sliding-counter")
def sliding_counter(h: Harness) -> None:
    d = start(h)
    client = _client(h)
    n, w = 10, 1000

    def mistakes(limit: int, window: int) -> list[tuple[m.Limiter, str]]:
        return [
            (m.SlidingCounter(limit, window, weight_elapsed=True), HINT_WEIGHT_ELAPSED),
            (m.SlidingCounter(limit, window, float_weight=True), HINT_FLOAT),
        ]

    d.configure(m.sliding_counter(n, w), mistakes(n, w), hint="estimate = previous * (W - e) // W + current")
    t = window_start_after(d.clock.now_ms + 3 * w, w)
    h.log(f"8 requests in the window [{t}, {t + w}), then more in the next one.")
    for i in range(8):
        d.allow(t + 100 + 50 * i, client)
    t += w
    d.allow(t + 250, client, "e = 250: estimate 8 × 750 // 1000 + 0 = 6")
    d.allow(t + 250, client, "estimate 6 + 1 = 7")
    d.allow(t + 250, client, "estimate 8")
    d.allow(t + 250, client, "estimate 9")
    d.allow(t + 250, client, "estimate 10: denied until the previous window weighs less")
    d.allow(t + 375, client, "e = 375: 8 × 625 // 1000 + 4 = 9")
    d.allow(t + 375, client, "10 again: denied")
    d.allow(t + w, client, "the next window: the previous count (5) weighs fully at e = 0")

    h.log("Exact arithmetic: 10 requests in one window, then requests 800 ms into the next.")
    t = window_start_after(t + 5 * w, w)
    d.configure(m.sliding_counter(n, w), mistakes(n, w))
    for i in range(n):
        d.allow(t + i, client)
    d.allow(t + 999, client, "10 in this window: denied until the next one")
    d.allow(t + w + 800, client, "e = 800: 10 × 200 // 1000 = 2 exactly")
    for _ in range(8):
        d.allow(t + w + 800, client)
    d.allow(t + 2 * w + 900, client, "the next window, e = 900: 8 × 100 // 1000 = 0")

    config = m.sliding_counter(7, 1_500)
    d.configure(config, mistakes(7, 1_500))
    check_workload(h, d, config, [client], count=250, boundary=1_500)


# --- 5 ------------------------------------------------------------------------------------
HINT_WHOLE_TOKENS = (
    "tokens accrue continuously: keep the fraction of a token earned since the last request "
    "(count in units of 1/P of a token, P units per token and R units per millisecond)"
)
HINT_UNCAPPED = "a bucket holds at most `capacity` tokens: an idle client does not save up more"


@tester.stage("token-bucket")
def token_bucket(h: Harness) -> None:
    d = start(h)
    client = _client(h)
    c, r, p = 4, 3, 1000

    def mistakes(cap: int, tokens: int, period: int) -> list[tuple[m.Limiter, str]]:
        return [
            (m.TokenBucket(cap, tokens, period, whole_refills=True), HINT_WHOLE_TOKENS),
            (m.TokenBucket(cap, tokens, period, uncapped=True), HINT_UNCAPPED),
        ]

    d.configure(
        m.token_bucket(c, r, p), mistakes(c, r, p), hint="a bucket starts full and refills R tokens per P ms"
    )
    t = d.clock.now_ms + h.random.randint(1_000, 5_000)
    h.log(f"A full bucket of {c} tokens, refilled with {r} tokens every {p} ms (one every 333⅓ ms).")
    for _ in range(c):
        d.allow(t, client)
    d.allow(t, client, "empty: the next token is ⌈1000 / 3⌉ = 334 ms away")
    d.allow(t + 333, client, "333 ms: 999/1000 of a token")
    d.allow(t + 334, client, "334 ms: 1002/1000 of a token, 2/1000 left after this request")
    d.allow(t + 667, client, "333 ms later: 2 + 999 = 1001/1000 of a token")
    d.allow(t + 667, client, "1/1000 of a token: the next is ⌈999 / 3⌉ = 333 ms away")
    d.allow(t + 60_667, client, "a minute idle: the bucket is full (4 tokens), not 180")
    for _ in range(c):
        d.allow(t + 60_668, client)

    config = m.token_bucket(7, 5, 2_000)
    d.configure(config, mistakes(7, 5, 2_000))
    check_workload(h, d, config, [client], count=250)
    config = m.token_bucket(3, 2, 7)
    d.configure(config, mistakes(3, 2, 7))
    check_workload(h, d, config, [client], count=150)


# --- 6 ------------------------------------------------------------------------------------
HINT_OUTLET = (
    "capacity counts the requests waiting in the queue; the request leaving through the "
    "outlet is not one of them. Refuse a request only if it would wait more than "
    "capacity × interval ms"
)
HINT_ARRIVAL = (
    "requests leave one interval apart: a request leaves an interval after the one before "
    "it (or at once if the outlet is free), not an interval after it arrived"
)


@tester.stage("leaky-bucket")
def leaky_bucket(h: Harness) -> None:
    d = start(h)
    client = _client(h)
    c, i = 3, 250

    def mistakes(cap: int, interval: int) -> list[tuple[m.Limiter, str]]:
        return [
            (m.LeakyBucket(cap, interval, capacity_counts_outlet=True), HINT_OUTLET),
            (m.LeakyBucket(cap, interval, leak_from_arrival=True), HINT_ARRIVAL),
        ]

    d.configure(m.leaky_bucket(c, i), mistakes(c, i), hint="one request leaves every interval ms, in order")
    t = d.clock.now_ms + h.random.randint(1_000, 5_000)
    h.log(f"A queue of {c} places that lets one request out every {i} ms; {c + 3} requests at once.")
    d.allow(t, client, "the outlet is free: it leaves at once")
    for _ in range(c):
        d.allow(t, client)
    d.allow(t, client, f"{c} requests wait: the queue is full")
    d.allow(t + 100, client, "still full")
    d.allow(t + i, client, "one has left: it waits behind the other two")
    d.allow(t + 5_000, client, "long after the queue drained: the outlet is free")
    d.allow(t + 5_100, client, "the outlet is busy until 250 ms after the last one left")

    config = m.leaky_bucket(5, 400)
    d.configure(config, mistakes(5, 400))
    check_workload(h, d, config, [client], count=250)
    config = m.leaky_bucket(0, 1_000)
    d.configure(config, mistakes(0, 1_000))
    check_workload(h, d, config, [client], count=60)


# --- 7 ------------------------------------------------------------------------------------
HINT_SHARED = (
    "every client has its own limit: keep the limiter's state per client, in a hash map keyed "
    "by the client's name (names are case-sensitive)"
)


@tester.stage("per-client")
def per_client(h: Harness) -> None:
    d = start(h)
    a, b = "alice", "bob"
    config = m.fixed_window(3, 10_000)
    d.configure(config, [(m.Shared(m.build(config)), HINT_SHARED)], hint=HINT_SHARED)
    t = window_start_after(d.clock.now_ms + 10_000, 10_000)
    for _ in range(4):
        d.allow(t, a)
    d.allow(t + 1, b, "bob's first request: alice's count is not his")
    d.allow(t + 2, "Alice", "Alice is not alice: names are case-sensitive")

    clients = [*h.random.sample(NAMES, 8), "user:1042", "10.0.0.7", "key_Ab3x", "key_aB3x"]
    configs = [
        m.fixed_window(5, 1_000),
        m.sliding_log(4, 2_000),
        m.sliding_counter(6, 1_000),
        m.token_bucket(5, 2, 1_000),
        m.leaky_bucket(3, 300),
    ]
    for config in configs:
        d.configure(config, [(m.Shared(m.build(config)), HINT_SHARED)], hint=HINT_SHARED)
        check_workload(h, d, config, clients, count=500, boundary=_window(config))


def _window(config: m.Config) -> int | None:
    params = dict(config.params)
    return int(params["window"]) if "window" in params else None


__all__ = ["Driver", "tester"]
