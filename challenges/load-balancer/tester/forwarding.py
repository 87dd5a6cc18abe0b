"""Stages 1-3: forward one request faithfully, rotate over backends, serve clients at once."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

from crack.harness import Harness, ProgramIOError
from crack.harness.bytes_display import show

from .backends import Backend, pattern_body
from .client import Reply, fetch, http_client, raw_exchange
from .common import Background, require_reply, wait_received, word
from .config import LbConfig, make_backends, start_balancer

HINT_BODY = (
    "one read does not return a whole request: keep reading until you have Content-Length "
    "bytes of body, and forward bytes, not decoded text"
)

HINT_FORWARD = (
    "read the whole request (head up to the blank line, then Content-Length bytes of body), "
    "send it to the backend as it came, then copy the backend's response back to the client"
)


def _received(h: Harness, backend: Backend, method: str, target: str) -> None:
    got = backend.received(target)
    if got is None:
        seen = [f"{r.method} {r.target}" for r in backend.traffic()]
        h.fail(
            f"sent {method} {target} to your balancer; backend {backend.name} never received it "
            f"(it received: {', '.join(seen) if seen else 'nothing'})",
            hint="forward the request line unchanged: same method, same path and query string",
        )
    if got.method != method:
        h.fail(f"sent {method} {target}; backend {backend.name} received {got.method} {got.target}")


def forward(h: Harness) -> None:
    [b1] = make_backends(h, ["b1"])
    port, _, _ = start_balancer(h, LbConfig("round-robin", [b1]))
    client = http_client(h)

    # A GET with a query string and a header of the client's own.
    target = f"/hello/{word(h)}?lang=en&n={h.random.randint(1, 999)}"
    request_id = f"{h.random.getrandbits(64):016x}"
    reply = fetch(h, client, port, "GET", target, headers={"X-Request-Id": request_id})
    h.log(f"client: GET {target} with X-Request-Id: {request_id} → {reply.outcome()}")
    require_reply(h, reply, [b1], hint=HINT_FORWARD)
    _received(h, b1, "GET", target)
    got = b1.received(target)
    assert got is not None
    forwarded_id = got.header("X-Request-Id")
    if forwarded_id != request_id:
        h.fail(
            f"sent GET {target} with the header X-Request-Id: {request_id}; backend b1 received "
            + (f"X-Request-Id: {forwarded_id}" if forwarded_id is not None else "no X-Request-Id header"),
            hint="pass the client's headers through to the backend",
        )

    # A binary body, sent in two pieces: the head with part of the body, then the rest.
    body = bytes(h.random.randrange(256) for _ in range(3000))
    target = f"/upload/{word(h)}?echo=1"
    head = (
        f"POST {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/octet-stream\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    h.log(
        f"raw client: POST {target} with a {len(body)}-byte binary body: the head and the first "
        "1000 body bytes, then 100 ms later the other 2000"
    )
    try:
        response = raw_exchange(h, port, [head + body[:1000], body[1000:]], 0.1, "raw client")
    except ProgramIOError as exc:
        partial = b1.arriving.get(target)
        if partial is not None and len(partial.body) < len(body):
            h.fail(
                f"{exc.message}. Backend b1 received the head of POST {target} but only "
                f"{len(partial.body)} of its {len(body)} body bytes, so it is still waiting for the rest",
                hint=HINT_BODY,
            )
        raise
    h.log(f"raw client: received {response.status_line!r} and a {len(response.body)}-byte body")
    _received(h, b1, "POST", target)
    got = b1.received(target)
    assert got is not None
    if got.body != body:
        h.fail(
            f"sent POST {target} with a {len(body)}-byte body (Content-Length: {len(body)}) in two "
            f"writes; backend b1 received {len(got.body)} bytes of body"
            + (": the bytes differ" if len(got.body) == len(body) else ""),
            hint=HINT_BODY,
        )
    if response.status != 200 or response.body != body:
        h.fail(
            f"POST {target}: backend b1 answered 200 OK echoing the {len(body)}-byte body; the client "
            f"got {response.status_line!r} with a {len(response.body)}-byte body"
            + (" whose bytes differ" if len(response.body) == len(body) else ""),
            hint="relay the response bytes unchanged until the backend has sent all of it",
        )

    # Other methods and statuses are relayed, not replaced.
    payload = json.dumps({"item": word(h), "count": h.random.randint(1, 9)}).encode()
    item = h.random.randint(10, 99)
    for method, target, status, data in [
        ("PUT", f"/items/{item}?status=201", 201, payload),
        ("DELETE", f"/items/{item}?status=404", 404, None),
    ]:
        reply = fetch(
            h,
            client,
            port,
            method,
            target,
            body=data,
            headers={"Content-Type": "application/json"} if data else None,
        )
        h.log(f"client: {method} {target} → {reply.outcome()}")
        _received(h, b1, method, target)
        if reply.error is not None or reply.status != status:
            h.fail(
                f"{method} {target}: backend b1 answered {status}; the client got {reply.outcome()}",
                hint="relay the backend's status line as it is: a 404 from the backend is not an "
                "error of the balancer",
            )
        got = b1.received(target)
        if data is not None and got is not None and got.body != data:
            h.fail(f"{method} {target} carried the body {show(data)}; backend b1 received {show(got.body)}")

    # A large response, and one with chunked transfer encoding.
    for target, size, how in [
        (f"/download/{word(h)}?size=262144", 262144, "Content-Length"),
        (f"/stream/{word(h)}?chunked=1&size=5000", 5000, "chunked transfer encoding"),
    ]:
        reply = fetch(h, client, port, "GET", target)
        h.log(f"client: GET {target} → {reply.outcome()}, {len(reply.body)}-byte body")
        expected = pattern_body(size)
        if reply.error is not None or reply.status != 200 or reply.body != expected:
            got_text = (
                reply.outcome() if reply.error else f"{reply.status} with a {len(reply.body)}-byte body"
            )
            h.fail(
                f"GET {target}: backend b1 answered 200 OK with a {size}-byte body ({how}); the client "
                f"got {got_text}" + (" whose bytes differ" if len(reply.body) == size else ""),
                hint="keep copying until the backend closes the connection (or the body is complete): "
                "a large response arrives in many reads",
            )

    # The backend dies: the balancer answers for it.
    h.log("b1 is killed (its port now refuses connections).")
    b1.kill()
    target = f"/after-b1-died/{word(h)}"
    reply = fetch(h, client, port, "GET", target)
    h.log(f"client: GET {target} → {reply.outcome()}")
    if reply.error is not None or reply.status not in BAD_GATEWAY:
        h.fail(
            f"GET {target}: backend b1 refuses connections; the client got {reply.outcome()}, "
            "expected 502 Bad Gateway",
            hint="when the connection to the backend fails (refused, reset), answer the client "
            "yourself: HTTP/1.1 502 Bad Gateway, with a Content-Length, then close",
        )


BAD_GATEWAY = (502, 503)
"""What a client may get when the backend cannot be reached: 502 Bad Gateway, as the page
asks; HAProxy says 503 once its one retry failed, and that is an answer too, not a hang-up."""


def round_robin(h: Harness) -> None:
    count = h.random.choice([3, 4])
    backends = make_backends(h, [f"b{i}" for i in range(1, count + 1)])
    port, _, _ = start_balancer(h, LbConfig("round-robin", backends))
    client = http_client(h)
    sequence = []
    total = 3 * count
    for i in range(1, total + 1):
        reply = fetch(h, client, port, "GET", f"/rr/{i}")
        sequence.append(require_reply(h, reply, backends).name)
    h.log(f"{total} requests, one after another, were answered by: {' '.join(sequence)}")
    names = [b.name for b in backends]
    first = sequence[:count]
    if sorted(first) != names:
        missing = [n for n in names if n not in first]
        h.fail(
            f"the first {count} requests went to {' '.join(first)}; with {count} backends, round robin "
            f"sends each of {count} consecutive requests to a different backend "
            f"({', '.join(missing)} got none of them)",
            hint="keep one counter for the whole balancer (not per connection), and pick "
            "backends[counter % len(backends)], then increment it",
        )
    for i in range(count, total):
        if sequence[i] != sequence[i - count]:
            h.fail(
                f"requests went to {' '.join(sequence)}: request {i + 1} went to {sequence[i]}, but "
                f"request {i + 1 - count} went to {sequence[i - count]}. Round robin repeats the same "
                f"order every {count} requests",
                hint="advance the rotation by exactly one backend per request",
            )


HINT_CONCURRENT = (
    "serve every client connection in its own thread (or with an event loop), and do not hold a "
    "lock while talking to a backend"
)


def concurrent_clients(h: Harness) -> None:
    backends = make_backends(h, ["b1", "b2", "b3"])
    port, _, _ = start_balancer(h, LbConfig("round-robin", backends))
    client = http_client(h)

    slow = Background(h, client, port, f"/slow/{word(h)}?hold=slow")
    held_by = wait_received(h, backends, slow)
    h.log(f"GET {slow.target} reached {held_by.name}, which holds it unanswered for now.")
    for i in range(1, 4):
        reply = fetch(h, client, port, "GET", f"/quick/{i}", timeout=3.0)
        h.log(f"client {i + 1}: GET /quick/{i} → {reply.outcome()}")
        require_reply(
            h,
            reply,
            backends,
            context=f"while GET {slow.target} was still waiting for {held_by.name}",
            hint=HINT_CONCURRENT,
        )
    held_by.release("slow")
    slow_reply = slow.wait(h, 5.0)
    if slow_reply is None:
        h.fail(f"GET {slow.target} got no response within 5 s after {held_by.name} answered it")
    h.log(f"{held_by.name} answers GET {slow.target} → {slow_reply.outcome()}")
    require_reply(h, slow_reply, backends, allowed=[held_by])

    total = 50
    targets = [
        f"/c/{i}-{h.random.randrange(10**6)}?delay_ms={h.random.randrange(0, 200)}" for i in range(total)
    ]
    h.log(f"{total} clients now send one request each, all at once (each backend answers after 0 to 200 ms)…")
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=total) as pool:
        replies: list[Reply] = list(
            pool.map(lambda t: fetch(h, client, port, "GET", t, timeout=5.0), targets)
        )
    failed = [r for r in replies if not r.ok]
    if failed:
        h.fail(
            f"{len(failed)} of {total} concurrent requests failed; the first: {failed[0].request_line()} → "
            f"{failed[0].outcome()}",
            hint=HINT_CONCURRENT,
        )
    by_name = {b.name: b for b in backends}
    for reply in replies:
        backend = by_name.get(reply.backend or "")
        body = f"{reply.backend} GET {reply.target}\n".encode()
        if backend is None or reply.body != body or backend.received(reply.target) is None:
            h.fail(
                f"{reply.request_line()} got X-Backend: {reply.backend} and the body {show(reply.body)}, "
                f"which is not the answer to that request: responses were mixed up between "
                f"concurrent clients",
                hint="keep everything about one request (client socket, backend socket, buffers) in "
                "local variables of the code handling it, never in globals shared by all clients",
            )
    h.log(f"All {total} clients got the answer to their own request in {time.monotonic() - started:.2f} s.")
