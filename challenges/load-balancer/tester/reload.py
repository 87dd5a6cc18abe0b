"""Stage 9: reload the configuration on SIGHUP without dropping a request."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import httpx

from crack.harness import Harness, ProgramProcess

from .algorithms import check_weighted
from .backends import Backend
from .client import Reply, fetch, http_client
from .common import WATCH_PERIOD_S, Background, require_reply, wait_received
from .config import HealthCheck, LbConfig, make_backends, start_balancer

SETTLE_LIMIT_S = 5.0
"""How long after SIGHUP the balancer may still answer from the old configuration."""

SETTLED_AFTER = 3
"""Consecutive answers from the new backends that show the reload took effect."""


def config_reload(h: Harness) -> None:
    backends = make_backends(h, ["b1", "b2", "b3", "b4", "b5"])
    b1, b2, b3, b4, b5 = backends
    hc = HealthCheck()
    old = LbConfig("round-robin", [b1, b2], health=hc)
    port, process, path = start_balancer(h, old)
    client = http_client(h)
    for i in range(1, 5):
        require_reply(h, fetch(h, client, port, "GET", f"/before/{i}"), backends, allowed=[b1, b2])
    h.log("Four requests answered by b1 and b2.")

    slow = Background(h, client, port, f"/checkout/{h.random.randint(100, 999)}?hold=reload", timeout=15.0)
    holder = wait_received(h, backends, slow)
    h.log(f"GET {slow.target} reached {holder.name}, which holds it unanswered during the reload.")

    new = LbConfig("weighted", [b3, b4, b5], weights={"b3": 2, "b4": 1}, health=hc)
    new.write(path, "load balancer configuration, rewritten for the reload")
    h.log(f"crack rewrites {path.name}:")
    for line in new.summary():
        h.log(f"  {line}")
    h.log("and sends SIGHUP to your program.")
    process.send_signal(signal.SIGHUP)
    since = time.monotonic()

    def check_alive(reply: Reply) -> None:
        if reply.ok:
            return
        if process.returncode is not None:
            h.fail(
                f"your program {process.exit_description()} when crack sent it SIGHUP",
                hint="a process that does not handle SIGHUP is terminated by it: install a handler "
                "(signal.signal(signal.SIGHUP, ...)) that reloads the configuration",
            )
        h.fail(
            f"GET {reply.target}, sent {reply.sent_at - since:.2f} s after SIGHUP, got {reply.outcome()}; "
            "a reload must not interrupt service",
            hint="reload in place: read and check the new file, then swap the backend list the "
            "running balancer uses; keep the listening socket open",
        )

    streak = 0
    while streak < SETTLED_AFTER:
        if time.monotonic() - since > SETTLE_LIMIT_S:
            h.fail(
                f"{SETTLE_LIMIT_S:.1f} s after SIGHUP your balancer still sends requests to the "
                "backends of the old configuration (b1, b2); the new one lists b3, b4 and b5",
                hint="re-read the file named by --config when SIGHUP arrives, and use the new "
                "backends and algorithm for every request after that",
            )
        started = time.monotonic()
        reply = fetch(h, client, port, "GET", "/after-sighup")
        check_alive(reply)
        backend = require_reply(h, reply, backends, context=f"{reply.sent_at - since:.2f} s after SIGHUP")
        streak = streak + 1 if backend in (b3, b4, b5) else 0
        h.sleep(max(WATCH_PERIOD_S - (time.monotonic() - started), 0.0))
    h.log("Requests now go to b3, b4 and b5.")

    h.log(
        f"b5 is killed (its port now refuses connections). Only the health checker of the new "
        f"configuration can see it: it must leave the pool within {hc.removal_bound:.2f} s."
    )
    b5.kill()
    h.sleep(hc.removal_bound)
    sequence = []
    for i in range(1, 7):
        reply = fetch(h, client, port, "GET", f"/new/{i}")
        if process.returncode is not None:
            check_alive(reply)
        sequence.append(
            require_reply(
                h,
                reply,
                backends,
                allowed=[b3, b4],
                context="after the reload took effect",
                hint="once the new configuration is in use, no new request may go to a backend it "
                "no longer lists, nor to one of its backends that fails its health checks: check "
                "the backends of the configuration in use, not those of the first one",
            ).name
        )
    h.log(f"Six more requests were answered by: {' '.join(sequence)}")
    check_weighted(h, sequence, {"b3": 2, "b4": 1}, "after the reload, six requests one after another")
    _invalid_config(h, client, port, process, path, [b3, b4])

    h.log(f"{holder.name} now answers GET {slow.target}, the request in flight during the reload.")
    holder.release("reload")
    held = slow.wait(h, 5.0)
    if held is None or not held.ok:
        h.fail(
            f"GET {slow.target} was in progress on {holder.name} when SIGHUP arrived; {holder.name} "
            f"answered it, but the client got {held.outcome() if held else 'no response within 5 s'}",
            hint="a reload changes where new requests go; requests already forwarded must finish "
            "on their backend (do not close their sockets)",
        )
    require_reply(h, held, backends, allowed=[holder], context="the request in flight during the reload")
    h.log("The request in flight during the reload completed.")


INVALID_CONFIGS = [
    "algorithm: weighted\nbackends:\n  - name: b6\n    host: 127.0.0.1\n    port: not-a-port\n",
    "algorithm: weighted\nbackends:\n  - name: b6\n    host: 127.0.0.1\n    port:\n",
]


def _invalid_config(
    h: Harness, client: httpx.Client, port: int, process: ProgramProcess, path: Path, current: list[Backend]
) -> None:
    """A config that does not parse, then SIGHUP: the balancer keeps the configuration it has."""
    text = h.random.choice(INVALID_CONFIGS)
    path.write_text("# an invalid configuration: the balancer must keep the one it has\n" + text)
    h.log(f"crack rewrites {path.name} with an invalid configuration:")
    for line in text.splitlines():
        h.log(f"  {line}")
    h.log("and sends SIGHUP to your program.")
    process.send_signal(signal.SIGHUP)
    h.sleep(0.3)
    for i in range(1, 4):
        reply = fetch(h, client, port, "GET", f"/after-bad-reload/{i}")
        if process.returncode is not None:
            h.fail(
                f"your program {process.exit_description()} when crack sent it SIGHUP with an "
                "invalid configuration file",
                hint="when the new file cannot be read or parsed, print why and keep the old "
                "configuration: check it completely before swapping it in",
            )
        require_reply(
            h,
            reply,
            current,
            context="after SIGHUP with an invalid configuration",
            hint="when the new file cannot be read or parsed, print why and keep the old "
            "configuration (here b3 and b4)",
        )
    h.log("The invalid configuration was refused; the balancer kept b3 and b4.")
