"""Checks shared by the stages: a reply came from a backend intact, requests over time."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

import httpx

from crack.harness import Harness
from crack.harness.bytes_display import show

from .backends import Backend
from .client import REQUEST_TIMEOUT_S, Reply, fetch
from .config import HealthCheck

WATCH_PERIOD_S = 0.02
"""How often a watching loop sends a request."""

WATCH_EXTRA_S = 0.4
"""How long a watching loop goes on after the moment a rule starts to apply."""

MIN_CHECKED = 3
"""Requests a watch sends, at least, after the moment its rule starts to apply."""

WORDS = ["apple", "birch", "cedar", "delta", "ember", "fjord", "grove", "harbor", "iris", "juniper"]


def word(h: Harness) -> str:
    return h.random.choice(WORDS)


def names_of(backends: Iterable[Backend]) -> str:
    return ", ".join(b.name for b in backends)


def expected_body(reply: Reply) -> bytes:
    return f"{reply.backend} {reply.method} {reply.target}\n".encode()


def require_reply(
    h: Harness,
    reply: Reply,
    backends: list[Backend],
    *,
    allowed: Iterable[Backend] | None = None,
    context: str = "",
    hint: str | None = None,
) -> Backend:
    """The reply is 200 OK from one of ``allowed`` (default: any), with that backend's body.

    Returns the backend that answered.
    """
    allowed = list(allowed) if allowed is not None else backends
    who = f"{context}: " if context else ""
    if not reply.ok:
        h.fail(
            f"{who}{reply.request_line()} got {reply.outcome()}; expected 200 OK from "
            f"{'backend ' + allowed[0].name if len(allowed) == 1 else 'one of ' + names_of(allowed)}",
            hint=hint,
        )
    by_name = {b.name: b for b in backends}
    backend = by_name.get(reply.backend or "")
    if backend is None:
        header = f"X-Backend: {reply.backend}" if reply.backend else "no X-Backend header"
        h.fail(
            f"{who}{reply.request_line()} got 200 OK with {header}; every backend crack runs adds "
            f"X-Backend with its name ({names_of(backends)}) to its responses",
            hint="relay the backend's response headers to the client unchanged",
        )
    if backend not in allowed:
        h.fail(
            f"{who}{reply.request_line()} was answered by {backend.name}; expected "
            f"{'backend ' + allowed[0].name if len(allowed) == 1 else 'one of ' + names_of(allowed)}",
            hint=hint,
        )
    body = expected_body(reply)
    if reply.body != body:
        h.fail(
            f"{who}{reply.request_line()} got 200 OK with X-Backend: {backend.name}, "
            f"body {show(reply.body)}; {backend.name} answered that request with {show(body)}",
            hint="the body must reach the client byte for byte, and each client must get the "
            "response to its own request",
        )
    return backend


def await_health_checks(h: Harness, backends: list[Backend], hc: HealthCheck) -> None:
    """Every backend receives at least one health check on the configured path."""
    limit = 3 * hc.interval_ms / 1000 + 2.0
    h.log(f"Waiting up to {limit:.1f} s for every backend to receive a health check (GET {hc.path})…")
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if all(b.health_checks for b in backends):
            h.log("Every backend received health checks.")
            return
        h.sleep(0.01)
    missing = next(b for b in backends if not b.health_checks)
    others = sorted({f"{r.method} {r.path}" for r in missing.traffic()})
    hint = (
        f"it received {', '.join(others)} instead: the check must request exactly the "
        f"configured path {hc.path}"
        if others
        else "start a health checker when the balancer starts: every interval_ms it sends an "
        f"HTTP request, GET {hc.path} HTTP/1.1, to each backend (connecting is not enough)"
    )
    h.fail(
        f"backend {missing.name} received no health check (GET {hc.path}) within {limit:.1f} s of "
        f"your balancer starting; the config asks for one every {hc.interval_ms} ms",
        hint=hint,
    )


def watch(
    h: Harness,
    client: httpx.Client,
    port: int,
    *,
    target: str,
    until: float,
    on_reply: Callable[[Reply], None],
    stop: Callable[[], bool] | None = None,
    headers: Callable[[], dict[str, str]] | None = None,
    timeout: float = REQUEST_TIMEOUT_S,
    checked_from: float | None = None,
) -> int:
    """Send ``GET target`` every WATCH_PERIOD_S until ``until`` (or ``stop()``); returns how many.

    Every request of a watch has the same target, so what a failure says does not depend on
    how many requests a loaded machine managed to send before it. With ``checked_from``, the
    watch goes on past ``until`` until at least MIN_CHECKED requests were sent after that
    moment: a slow answer to a request sent just before it must not end the watch unchecked.
    """
    n = 0
    checked = 0
    while time.monotonic() < until or (checked_from is not None and checked < MIN_CHECKED):
        n += 1
        if checked_from is not None and time.monotonic() >= checked_from:
            checked += 1
        started = time.monotonic()
        reply = fetch(h, client, port, "GET", target, headers=headers() if headers else None, timeout=timeout)
        on_reply(reply)
        if stop is not None and stop():
            break
        h.sleep(max(WATCH_PERIOD_S - (time.monotonic() - started), 0.0))
    return n


class Background:
    """A request running in a thread (a held request), with its reply when it ends."""

    def __init__(
        self, h: Harness, client: httpx.Client, port: int, target: str, timeout: float = 10.0
    ) -> None:
        self.target = target
        self.reply: Reply | None = None
        self._thread = threading.Thread(
            target=self._run, args=(h, client, port, timeout), name=f"request {target}", daemon=True
        )
        self._thread.start()

    def _run(self, h: Harness, client: httpx.Client, port: int, timeout: float) -> None:
        self.reply = fetch(h, client, port, "GET", self.target, timeout=timeout)

    def done(self) -> bool:
        return not self._thread.is_alive()

    def wait(self, h: Harness, timeout: float) -> Reply | None:
        self._thread.join(min(timeout, h.remaining()))
        return self.reply


def wait_received(h: Harness, backends: list[Backend], request: Background, limit: float = 2.0) -> Backend:
    """Which backend the balancer forwarded a (held) request to."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        for backend in backends:
            if backend.received(request.target) is not None:
                return backend
        if request.done() and request.reply is not None:
            h.fail(
                f"GET {request.target} got {request.reply.outcome()} before any backend received it; "
                "expected the balancer to forward it to a backend and wait for the answer"
            )
        h.sleep(0.005)
    h.fail(f"no backend received GET {request.target} within {limit:.1f} s of it being sent to your balancer")
