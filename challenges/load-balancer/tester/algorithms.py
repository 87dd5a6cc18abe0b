"""Stages 5-6: weighted round robin (counts per cycle) and least connections (the decision
under load)."""

from __future__ import annotations

import time
from collections import Counter

from crack.harness import Harness

from .backends import Backend
from .client import fetch, http_client
from .common import Background, require_reply, wait_received
from .config import HealthCheck, LbConfig, make_backends, start_balancer


def check_weighted(h: Harness, sequence: list[str], weights: dict[str, int], what: str) -> None:
    """Every run of sum(weights) consecutive requests holds each backend ``weight`` times."""
    cycle = sum(weights.values())
    want = ", ".join(f"{n} ×{w}" for n, w in weights.items())
    for start in range(len(sequence) - cycle + 1):
        window = sequence[start : start + cycle]
        counts = Counter(window)
        if any(counts[n] != w for n, w in weights.items()):
            got = ", ".join(f"{n} ×{counts[n]}" for n in weights)
            h.fail(
                f"{what} went to: {' '.join(sequence)}. Requests {start + 1} to {start + cycle} went "
                f"{got}; with the weights in the config every {cycle} consecutive requests must go "
                f"{want}",
                hint="a backend of weight w gets w turns per cycle of sum(weights) requests, and a "
                "backend without a weight has weight 1; a fixed cycle (e.g. the list of names with "
                "each repeated weight times) does it",
            )


def dead_backend(h: Harness, backends: list[Backend], hc: HealthCheck) -> Backend:
    """Kill the last backend before the balancer starts; return it."""
    dead = backends[-1]
    dead.kill()
    h.log(
        f"{dead.name} is dead from the start (its port refuses connections): its health checks fail, "
        f"so within {hc.removal_bound:.2f} s it must leave the pool, and its turns with it. "
        "crack waits that long before the first request."
    )
    return dead


def dead_hint(dead: Backend) -> str:
    return (
        f"{dead.name} refuses connections and fails every health check: choose only among the "
        "healthy backends (its turns go to the others)"
    )


def weighted(h: Harness) -> None:
    hc = HealthCheck()
    backends = make_backends(h, ["b1", "b2", "b3", "b4"])
    live = backends[:3]
    weights = {"b1": h.random.randint(2, 4), "b3": h.random.randint(1, 3), "b4": h.random.randint(1, 3)}
    dead = dead_backend(h, backends, hc)
    port, _, _ = start_balancer(h, LbConfig("weighted", backends, weights=weights, health=hc))
    h.sleep(hc.removal_bound)
    all_weights = {"b1": weights["b1"], "b2": 1, "b3": weights["b3"]}
    h.log("b2 has no weight line: its weight is 1.")
    client = http_client(h)
    cycle = sum(all_weights.values())
    total = 3 * cycle
    sequence = []
    for i in range(1, total + 1):
        reply = fetch(h, client, port, "GET", f"/w/{i}")
        sequence.append(require_reply(h, reply, backends, allowed=live, hint=dead_hint(dead)).name)
    h.log(f"{total} requests, one after another, were answered by: {' '.join(sequence)}")
    check_weighted(h, sequence, all_weights, f"{total} requests, one after another,")


def _active(backends: list[Backend]) -> dict[str, int]:
    return {b.name: b.active for b in backends}


def _describe(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {c}" for n, c in counts.items())


SETTLE_S = 0.1
"""Pause before each request, so the balancer has finished the bookkeeping of the one before."""

HINT_LEAST = (
    "count, per backend, the requests forwarded to it and not finished yet (add one when you "
    "choose it, remove one when its response is done), and choose the backend with the lowest count"
)


def least_connections(h: Harness) -> None:
    hc = HealthCheck()
    everyone = make_backends(h, ["b1", "b2", "b3", "b4"])
    backends = everyone[:3]
    dead = dead_backend(h, everyone, hc)
    port, _, _ = start_balancer(h, LbConfig("least-connections", everyone, health=hc))
    h.sleep(hc.removal_bound)
    client = http_client(h)
    held: list[Background] = []

    def expect_least(target: str, hold: bool) -> Backend:
        h.sleep(SETTLE_S)
        counts = _active(backends)
        lowest = min(counts.values())
        best = [b for b in backends if counts[b.name] == lowest]
        if hold:
            request = Background(h, client, port, target)
            held.append(request)
            chosen = wait_received(h, backends, request)
        else:
            reply = fetch(h, client, port, "GET", target)
            chosen = require_reply(h, reply, everyone, allowed=backends, hint=dead_hint(dead))
        h.log(
            f"GET {target} (requests in progress: {_describe(counts)}) → {chosen.name}"
            + (", which holds it" if hold else "")
        )
        if chosen not in best:
            h.fail(
                f"GET {target} was sent while the backends had these requests in progress: "
                f"{_describe(counts)}. Least connections must choose "
                f"{best[0].name if len(best) == 1 else 'one of ' + ', '.join(b.name for b in best)}; "
                f"your balancer chose {chosen.name}",
                hint=HINT_LEAST,
            )
        return chosen

    word = h.random.choice(["report", "export", "upload", "render"])
    first = expect_least(f"/{word}/1?hold=a", hold=True)
    expect_least(f"/{word}/2?hold=b", hold=True)
    for i in range(1, 5):
        expect_least(f"/quick/{i}", hold=False)
    expect_least(f"/{word}/3?hold=c", hold=True)
    expect_least("/quick/all-busy", hold=False)  # the dead b4, with none in progress, is no choice

    h.log(f"{first.name} answers GET {held[0].target}.")
    first.release("a")
    reply = held[0].wait(h, 5.0)
    if reply is None:
        h.fail(f"GET {held[0].target} got no response within 5 s after {first.name} answered it")
    require_reply(h, reply, backends, allowed=[first])
    deadline = time.monotonic() + 1.0
    while first.active and time.monotonic() < deadline:
        h.sleep(0.005)
    h.sleep(0.1)  # let the balancer finish its bookkeeping for the request that just ended
    for i in range(5, 9):
        expect_least(f"/quick/{i}", hold=False)
    for backend in backends:
        backend.release()
    for request in held[1:]:
        reply = request.wait(h, 5.0)
        if reply is None or not reply.ok:
            h.fail(
                f"GET {request.target} was released by its backend but got "
                f"{reply.outcome() if reply else 'no response within 5 s'}"
            )
