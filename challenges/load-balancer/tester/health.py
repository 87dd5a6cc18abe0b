"""Stages about failure: active health checks, sticky sessions that survive a dead backend,
and 503 when no backend is left."""

from __future__ import annotations

import time

import httpx

from crack.harness import Harness

from .backends import Backend
from .client import Reply, fetch, http_client
from .common import WATCH_EXTRA_S, await_health_checks, names_of, require_reply, watch
from .config import HealthCheck, LbConfig, make_backends, start_balancer

DOWN_ANSWER_S = 2.0
"""How soon a balancer with no healthy backend must answer (503)."""

HEALTH_PATHS = ["/health", "/healthz", "/status/health", "/_ping"]


def _still_received(
    h: Harness, backend: Backend, since: float, deadline: float, hc: HealthCheck, how: str
) -> None:
    """Fail if ``backend`` received a request at or after ``deadline``."""
    late = backend.traffic(since=deadline)
    if not late:
        return
    checks_after = [t for t in backend.health_checks if t >= since]
    if not checks_after:
        hint = (
            f"{backend.name} received no health check (GET {hc.path}) after it {how}: does your "
            f"balancer keep checking every backend every {hc.interval_ms} ms?"
        )
    else:
        hint = (
            f"{backend.name} did receive health checks after it {how}: count a check as failed when "
            f"the backend resets the connection, does not answer within timeout_ms, or answers "
            f"with a status other than 2xx; and never choose a backend marked unhealthy"
        )
    h.fail(
        f"backend {backend.name} {how}, and still received a request {late[0].at - since:.2f} s "
        f"later. With checks every {hc.interval_ms} ms and unhealthy_threshold "
        f"{hc.unhealthy_threshold}, it should have left the pool within {deadline - since:.2f} s",
        hint=hint,
    )


def health_checks(h: Harness) -> None:
    path = h.random.choice(HEALTH_PATHS)
    hc = HealthCheck(path=path)
    backends = make_backends(h, ["b1", "b2", "b3"], path)
    port, _, _ = start_balancer(h, LbConfig("round-robin", backends, health=hc))
    client = http_client(h)
    await_health_checks(h, backends, hc)
    for i in range(1, 4):
        require_reply(h, fetch(h, client, port, "GET", f"/before/{i}"), backends)
    h.log(f"Three requests answered by {names_of(backends)}.")

    victim, drained = backends[1], backends[2]
    bound = hc.removal_bound
    h.log(
        f"{victim.name} crashes: it still accepts connections but hangs up on every request without "
        f"answering. It must leave the pool within {bound:.2f} s; after that no client may see an "
        f"error. crack sends a request every 20 ms and watches."
    )
    victim.crash()
    since = victim.state_changed_at
    deadline = since + bound
    how = "stopped answering (it hangs up on every request)"

    def after_crash(reply: Reply) -> None:
        if reply.sent_at < deadline:
            return
        _still_received(h, victim, since, deadline, hc, how)
        require_reply(
            h,
            reply,
            backends,
            allowed=[b for b in backends if b is not victim],
            context=f"{reply.sent_at - since:.2f} s after {victim.name} stopped answering",
        )

    watch(
        h,
        client,
        port,
        target="/during-crash",
        until=deadline + WATCH_EXTRA_S,
        on_reply=after_crash,
        checked_from=deadline,
    )
    _still_received(h, victim, since, deadline, hc, how)
    h.log(f"{victim.name} left the pool, and every request since was answered.")

    h.log(
        f"{victim.name} answers again, and {drained.name}'s health check starts answering 503 while it "
        f"still serves requests. {victim.name} must be back in the pool within "
        f"{hc.return_bound:.2f} s, and {drained.name} out of it within {bound:.2f} s."
    )
    victim.revive()
    drained.health_status = 503
    since = time.monotonic()
    back_by = since + hc.return_bound
    out_by = since + bound

    def after_revive(reply: Reply) -> None:
        require_reply(
            h, reply, backends, context=f"{reply.sent_at - since:.2f} s after {victim.name} came back"
        )
        if reply.sent_at >= out_by:
            _still_received(h, drained, since, out_by, hc, f"started failing its health check ({path} → 503)")
        if time.monotonic() > back_by and not victim.traffic(since=since):
            h.fail(
                f"backend {victim.name} has answered its health checks again for {back_by - since:.2f} s "
                f"but received no request; with healthy_threshold {hc.healthy_threshold} and checks "
                f"every {hc.interval_ms} ms it should be back in the pool by now",
                hint="keep checking unhealthy backends too, and put one back once it passes "
                "healthy_threshold checks in a row",
            )

    watch(
        h,
        client,
        port,
        target="/after-revival",
        until=max(back_by, out_by) + WATCH_EXTRA_S,
        on_reply=after_revive,
        checked_from=max(back_by, out_by),
    )
    _still_received(h, drained, since, out_by, hc, f"started failing its health check ({path} → 503)")
    h.log(f"{victim.name} is back in the pool and {drained.name} is out of it.")
    _hanging_backend(h, client, port, backends, hc)


def _hanging_backend(
    h: Harness, client: httpx.Client, port: int, backends: list[Backend], hc: HealthCheck
) -> None:
    """A backend that accepts and reads but never answers: only the check's timeout_ms
    tells. Once it is out of the pool, every request must be answered by another."""
    hung, served = backends[0], backends[1]
    bound = hc.hang_removal_bound
    h.log(
        f"{hung.name} hangs: it accepts connections and reads requests, health checks included, but "
        f"never answers. With timeout_ms {hc.timeout_ms} it must leave the pool within {bound:.2f} s; "
        "crack waits that long, then sends requests."
    )
    hung.hang()
    since = hung.state_changed_at
    h.sleep(max(since + bound - time.monotonic(), 0.0))
    for i in range(1, 5):
        target = f"/after-hang/{i}"
        reply = fetch(h, client, port, "GET", target, timeout=HANG_REQUEST_S)
        if hung.received(target) is not None:
            checks = [t for t in hung.health_checks if t >= since]
            hint = (
                f"{hung.name} received {len(checks)} health check{'s' if len(checks) != 1 else ''} since "
                "it hung and answered none: "
                f"a check that gets no answer within timeout_ms ({hc.timeout_ms} ms) has failed "
                "(set a timeout on the check's socket)"
                if checks
                else f"{hung.name} received no health check since it hung: does a check that never "
                "gets an answer block your checker? Give each check timeout_ms"
            )
            h.fail(
                f"GET {target}, sent {time.monotonic() - since:.2f} s after {hung.name} stopped answering "
                f"(it accepts connections but never replies), went to {hung.name} and got {reply.outcome()}; "
                f"it should have left the pool within {bound:.2f} s",
                hint=hint,
            )
        require_reply(h, reply, backends, allowed=[served], context=f"while {hung.name} hangs")
    h.log(f"{hung.name} left the pool: its health checks timed out.")


HANG_REQUEST_S = 2.0
"""How long a request may take once the hanging backend should be out of the pool."""


COOKIE_NAMES = ["LBSESSION", "lb_backend", "route_id"]


def _cookie(reply: Reply, name: str) -> str | None:
    """The value the reply's Set-Cookie headers give to cookie ``name``."""
    for header in reply.headers.get_list("set-cookie"):
        pair = header.split(";", 1)[0]
        key, sep, value = pair.partition("=")
        if sep and key.strip() == name:
            return value.strip()
    return None


def sticky_sessions(h: Harness) -> None:
    hc = HealthCheck(path="/health")
    name = h.random.choice(COOKIE_NAMES)
    backends = make_backends(h, ["b1", "b2", "b3"], hc.path)
    port, _, _ = start_balancer(h, LbConfig("round-robin", backends, health=hc, sticky_cookie=name))
    client = http_client(h)
    await_health_checks(h, backends, hc)

    def set_cookie_of(reply: Reply, context: str) -> str:
        value = _cookie(reply, name)
        if value is None:
            cookies = reply.headers.get_list("set-cookie")
            h.fail(
                f"{context}: {reply.request_line()} without a {name} cookie got {reply.outcome()} "
                f"and {'Set-Cookie: ' + ' | '.join(cookies) if cookies else 'no Set-Cookie header'}; "
                f"expected Set-Cookie: {name}=<a value naming the backend>",
                hint=f"when a request carries no valid {name} cookie, add a Set-Cookie header to the "
                "response, e.g. Set-Cookie: {name}=b2; Path=/".replace("{name}", name),
            )
        return value

    # Client A starts a session.
    first = fetch(h, client, port, "GET", "/cart/1")
    home = require_reply(h, first, backends, context="client A")
    cookie = set_cookie_of(first, "client A")
    h.log(f"client A: GET /cart/1 → {first.outcome()}, Set-Cookie: {name}={cookie}")

    def jar() -> dict[str, str]:
        return {"Cookie": f"theme=dark; {name}={cookie}; lang=en"}

    for i in range(2, 7):
        reply = fetch(h, client, port, "GET", f"/cart/{i}", headers=jar())
        require_reply(
            h,
            reply,
            backends,
            allowed=[home],
            context=f"client A, sending Cookie: {jar()['Cookie']}",
            hint=f"read the {name} value from the Cookie header (it may hold several cookies "
            "separated by '; ') and send the request to the backend it names",
        )
        cookie = _cookie(reply, name) or cookie
    h.log(f"client A: GET /cart/2 … /cart/6 with its cookie → all answered by {home.name}.")

    seen = []
    for i in range(1, 4):
        reply = fetch(h, client, port, "GET", f"/home/{i}")
        seen.append(require_reply(h, reply, backends, context="a client without cookies"))
        set_cookie_of(reply, "a client without cookies")
    h.log(f"three requests without cookies → {' '.join(b.name for b in seen)}")
    if len(set(seen)) != 3:
        h.fail(
            f"three requests without cookies, one after another, went to {' '.join(b.name for b in seen)}; "
            "requests without a session cookie must still be balanced (round robin: three different "
            "backends)",
            hint="only a request carrying a valid cookie bypasses the algorithm",
        )

    bogus = fetch(h, client, port, "GET", "/home/4", headers={"Cookie": f"{name}=no-such-backend"})
    require_reply(h, bogus, backends, context=f"with Cookie: {name}=no-such-backend")
    fresh = set_cookie_of(bogus, f"with Cookie: {name}=no-such-backend")
    h.log(f"GET /home/4 with Cookie: {name}=no-such-backend → {bogus.outcome()}, Set-Cookie: {name}={fresh}")

    bound = hc.removal_bound
    h.log(
        f"{home.name}, client A's backend, is killed (its port now refuses connections). Within "
        f"{bound:.2f} s client A's requests must go to another backend and stay there."
    )
    home.kill()
    since = home.state_changed_at
    deadline = since + bound
    new_home: list[Backend] = []

    def after_kill(reply: Reply) -> None:
        nonlocal cookie
        cookie = _cookie(reply, name) or cookie
        if reply.sent_at < deadline:
            return
        backend = require_reply(
            h,
            reply,
            backends,
            allowed=[b for b in backends if b is not home],
            context=f"client A, {reply.sent_at - since:.2f} s after {home.name} died",
            hint="when the backend a cookie names is unhealthy, choose another one as if there "
            "were no cookie",
        )
        if not new_home:
            new_home.append(backend)
            h.log(f"client A's requests now go to {backend.name} (Cookie: {name}={cookie}).")
        elif backend is not new_home[0]:
            h.fail(
                f"after {home.name} died, client A's requests (Cookie: {name}={cookie}) went to "
                f"{new_home[0].name}, then to {backend.name}: the session must stick to the new backend",
                hint=f"when you choose a new backend for a request whose cookie names a dead one, "
                f"send Set-Cookie: {name}=<new backend> so the next requests follow it",
            )

    watch(
        h,
        client,
        port,
        target="/cart/after-failover",
        until=deadline + WATCH_EXTRA_S,
        on_reply=after_kill,
        checked_from=deadline,
        headers=jar,
    )
    h.log("client A's session moved to a live backend and stayed there.")


def all_backends_down(h: Harness) -> None:
    hc = HealthCheck(path=h.random.choice(HEALTH_PATHS))
    backends = make_backends(h, ["b1", "b2"], hc.path)
    port, _, _ = start_balancer(h, LbConfig("round-robin", backends, health=hc))
    client = http_client(h)
    await_health_checks(h, backends, hc)
    for i in range(1, 3):
        require_reply(h, fetch(h, client, port, "GET", f"/before/{i}"), backends)

    bound = hc.removal_bound
    h.log(
        f"Both backends are killed (their ports refuse connections). Once they are out of the pool "
        f"(within {bound:.2f} s) every request must get 503 Service Unavailable at once."
    )
    for backend in backends:
        backend.kill()
    since = time.monotonic()
    deadline = since + bound

    def when_down(reply: Reply) -> None:
        if reply.sent_at < deadline:
            return
        if reply.error is not None or reply.status != 503:
            h.fail(
                f"{reply.sent_at - since:.2f} s after every backend died, GET {reply.target} got "
                f"{reply.outcome()}; expected 503 Service Unavailable within {DOWN_ANSWER_S:.0f} s",
                hint="when no backend is healthy, answer the client yourself at once: "
                "HTTP/1.1 503 Service Unavailable, with a Content-Length (or Connection: close)",
            )

    watch(
        h,
        client,
        port,
        target="/all-down",
        until=deadline + WATCH_EXTRA_S,
        on_reply=when_down,
        checked_from=deadline,
        timeout=DOWN_ANSWER_S,
    )
    h.log("Every request got 503 Service Unavailable.")

    revived = backends[1]
    h.log(f"{revived.name} comes back; it must serve requests again within {hc.return_bound:.2f} s.")
    revived.revive()
    since = time.monotonic()
    back_by = since + hc.return_bound
    served: list[Reply] = []

    def when_back(reply: Reply) -> None:
        if reply.ok:
            require_reply(h, reply, backends, allowed=[revived])
            served.append(reply)
        elif reply.status != 503 and reply.sent_at >= since + 0.05:
            h.fail(
                f"while {revived.name} was coming back, GET {reply.target} got {reply.outcome()}; "
                f"expected 503 Service Unavailable until {revived.name} passes its health checks, "
                f"then 200 OK from it"
            )

    watch(
        h,
        client,
        port,
        target="/coming-back",
        until=back_by,
        on_reply=when_back,
        stop=lambda: bool(served),
        timeout=DOWN_ANSWER_S,
    )
    if not served:
        h.fail(
            f"backend {revived.name} has answered its health checks again for "
            f"{hc.return_bound:.2f} s but every request still got 503",
            hint="keep checking unhealthy backends, and put one back once it passes "
            "healthy_threshold checks in a row",
        )
    h.log(f"{revived.name} serves requests again.")
