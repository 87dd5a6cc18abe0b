"""Seeded request sequences that go where the mistakes are.

A sequence is generated against a private copy of the model, so it can aim at the moments
that matter: the same millisecond again, the exact millisecond a denied request said to
retry (and the one before it), a window boundary (and the millisecond before it), as well
as short and long idle gaps.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from crack.harness import Harness

from .check import Driver
from .model import Config, build

NAMES = [
    "alice",
    "bob",
    "carol",
    "dave",
    "erin",
    "frank",
    "grace",
    "heidi",
    "ivan",
    "judy",
    "mallory",
    "oscar",
]


def unit_of(config: Config) -> int:
    """Milliseconds in which the limiter gives a client one more request, on average."""
    p = {k: int(v) for k, v in config.params if k != "rate"}
    if "window" in p:
        return max(1, p["window"] // p["limit"])
    if config.algorithm == "token-bucket":
        tokens, period = (int(x) for x in dict(config.params)["rate"].split("/"))
        return max(1, period // tokens)
    return max(1, p["interval"])


def span_of(config: Config) -> int:
    """Milliseconds after which an idle client is forgotten: its whole limit is back."""
    p = {k: int(v) for k, v in config.params if k != "rate"}
    if "window" in p:
        return p["window"]
    if config.algorithm == "token-bucket":
        tokens, period = (int(x) for x in dict(config.params)["rate"].split("/"))
        return max(1, p["capacity"] * period // tokens)
    return max(1, p["interval"] * (p["capacity"] + 1))


def sequence(
    rng: random.Random,
    config: Config,
    clients: Sequence[str],
    count: int,
    start: int,
    boundary: int | None = None,
) -> list[tuple[int, str]]:
    """Requests in time order; a few clients are busy, the rest occasional (Zipf-like),
    and gaps are short enough that the busy ones run into their limits."""
    sim = build(config)
    unit, span = unit_of(config), span_of(config)
    weights = [1 / (rank + 1) for rank in range(len(clients))]
    short = max(1, 2 * unit // len(clients))
    medium = max(1, span // len(clients))
    # Jumps to a retry time or a boundary help every client waiting for one, so with many
    # clients they are rarer: otherwise no busy client would stay busy long enough.
    retry_share = 0.15 / len(clients) ** 0.5
    boundary_share = 0.07 / len(clients)
    retry_at: dict[str, int] = {}
    t = start
    out: list[tuple[int, str]] = []
    for _ in range(count):
        client = rng.choices(clients, weights)[0]
        roll = rng.random()
        if roll < 0.3:
            pass  # the same millisecond
        elif roll < 0.3 + retry_share and retry_at.get(client, 0) > t:
            t = max(t, retry_at[client] - rng.choice((0, 0, 1)))  # exactly when told, or 1 ms early
        elif roll < 0.3 + retry_share + boundary_share and boundary:
            t = max(t, t - t % boundary + boundary - rng.choice((0, 0, 1)))  # at a boundary
        elif roll < 0.95:
            t += rng.randint(1, short)
        elif roll < 0.99:
            t += rng.randint(1, medium)
        else:
            t += rng.randint(span, 3 * span)  # long idle
        reply = sim.allow(client, t)
        if reply.word == "DENIED":
            retry_at[client] = t + reply.value
        out.append((t, client))
    return out


def check_workload(
    h: Harness,
    d: Driver,
    config: Config,
    clients: Sequence[str],
    *,
    count: int,
    boundary: int | None = None,
) -> None:
    """Send a seeded sequence in batches; every reply is checked against the model."""
    start = d.clock.now_ms + h.random.randint(1, span_of(config))
    requests = sequence(h.random, config, clients, count, start, boundary)
    who = f"{len(clients)} clients" if len(clients) > 1 else clients[0]
    h.log(f"Seeded workload: {count} requests from {who}, checked against the exact model…")
    quiet, d.session.quiet = d.session.quiet, True
    try:
        replies = d.many(requests)
    finally:
        d.session.quiet = quiet
    d.clock.set(max(d.clock.now_ms, requests[-1][0]))
    words = [reply.split(" ")[0] for reply in replies]
    tally = ", ".join(f"{words.count(w)} {w}" for w in ("ALLOWED", "QUEUED", "DENIED") if w in words)
    h.log(f"…all {count} replies as expected ({tally}).")
