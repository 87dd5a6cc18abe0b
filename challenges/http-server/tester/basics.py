"""Stages 1-6: a listening socket, a status line, routes, a body, a header, many clients."""

from __future__ import annotations

from crack.harness import Harness, StageFailure

from .common import (
    BASE_HEADERS,
    NO_RESPONSE,
    check_body,
    check_content_type,
    check_status,
    connect,
    get,
    hint_if_none,
    request,
    simple_get,
    start,
    tester,
    word,
    words,
)
from .realclient import RealClient


def unknown_path(h: Harness) -> str:
    """A path no stage gives a meaning to."""
    first = h.random.choice(["missing", "nothing", "nowhere", "unknown", "nope"])
    return h.random.choice([f"/{first}", f"/{first}/{word(h)}", f"/{word(h)}-{first}.html"])


@tester.stage("bind")
def bind(h: Harness) -> None:
    start(h)
    h.log("Your program accepts connections.")


@tester.stage("status-line")
def status_line(h: Harness) -> None:
    server = start(h)
    exchange, response = get(h, server, "/", body=False)
    check_status(exchange, response, 200)
    h.log('Got the status line "HTTP/1.1 200 OK" and the end of the headers.')


@tester.stage("routing")
def routing(h: Harness) -> None:
    server = start(h)
    answer_404 = (
        "answer a path your server does not know with 404 Not Found: "
        "read the request line (METHOD SP path SP version) and look at the path"
    )
    simple_get(h, server, unknown_path(h), status=404, hint=answer_404)
    simple_get(
        h, server, "/", status=200, hint="the root path / still answers 200 OK: compare the whole path"
    )
    simple_get(h, server, unknown_path(h) + "/" + word(h), status=404, hint=answer_404)
    h.log("Known and unknown paths are told apart.")


@tester.stage("echo")
def echo(h: Harness) -> None:
    server = start(h)
    for text in (word(h), f"{words(h, 2)}-{h.random.randint(1, 999)}"):
        _exchange, response = simple_get(
            h,
            server,
            f"/echo/{text}",
            status=200,
            content_type="text/plain",
            body=text.encode(),
            what="the text after /echo/",
            nothing_after=True,
        )
        if response.header("Content-Length") is None:
            # Chunked framing is valid HTTP/1.1; the stage asks for Content-Length, and says so.
            h.log("(the body was sent chunked: accepted, though Content-Length is simpler)")
    text = word(h)
    client = RealClient(h, server.port, keep_alive=False)
    got = client.get(f"/echo/{text}")
    if got.status_code != 200 or got.content != text.encode():
        raise client.fail(got, f"expected status 200 and the body {text!r}")
    h.log("A real client reads the echo too.")


def _ua(h: Harness) -> str:
    return h.random.choice(
        [
            f"{word(h)}/{h.random.randint(1, 9)}.{h.random.randint(0, 40)}.{h.random.randint(0, 9)}",
            f"{word(h)}-{word(h)}/{h.random.randint(1, 99)}",
        ]
    )


@tester.stage("user-agent")
def user_agent(h: Harness) -> None:
    server = start(h)
    case_hint = (
        "header names are case-insensitive: User-Agent, user-agent and USER-AGENT are the same "
        "header (compare names in lower case)"
    )
    space_hint = (
        "the space after a header's colon is optional (and more than one is allowed): "
        "split the line at the first ':' and strip spaces and tabs around the value"
    )
    cases: list[tuple[list[tuple[str, str]], frozenset[str], str | None]] = [
        ([("User-Agent", "{ua}"), ("Accept", "*/*")], frozenset(), None),
        ([("Accept", "*/*"), ("X-Request-Id", "{n}"), ("user-agent", "{ua}")], frozenset(), case_hint),
        ([("USER-AGENT", "{ua}"), ("Accept-Language", "en")], frozenset(), case_hint),
        ([("Accept", "*/*"), ("User-Agent", "{ua}")], frozenset({"User-Agent"}), space_hint),
    ]
    for template, compact, hint in cases:
        ua = _ua(h)
        headers = [(name, value.format(ua=ua, n=h.random.randint(1000, 9999))) for name, value in template]
        req = request(server.port, "GET", "/user-agent", headers)
        req.compact = compact
        conn = connect(h, server)
        exchange = conn.send(req)
        response = conn.read_response(exchange)
        check_status(exchange, response, 200, hint)
        check_content_type(exchange, response, "text/plain")
        check_body(exchange, response, ua.encode(), "the User-Agent header's value", hint, conn)
        conn.close()
    ua = _ua(h)
    client = RealClient(h, server.port, keep_alive=False)
    got = client.get("/user-agent", headers={"User-Agent": ua})
    if got.status_code != 200 or got.content != ua.encode():
        raise client.fail(got, f"expected status 200 and the body {ua!r}")
    h.log("The User-Agent header is found whatever the case of its name.")


IDLE_CLIENTS = 12
"""Connections held open without a request: more than a small thread pool has threads, so a
server that gives each connection a pooled thread runs out while they sit idle."""


@tester.stage("concurrent-clients")
def concurrent_clients(h: Harness) -> None:
    server = start(h)
    h.log(f"clients 1 to {IDLE_CLIENTS} connect and send nothing yet.")
    idle = [connect(h, server, f"client {n}") for n in range(1, IDLE_CLIENTS + 1)]
    concurrency = (
        "serve connections concurrently (a thread per connection, or an event loop): while "
        f"your server waits for the requests of {IDLE_CLIENTS} idle clients, another client must "
        "be served (a pool of a few threads is used up by idle clients)"
    )
    n = IDLE_CLIENTS + 1
    text2 = word(h)
    second = connect(h, server, f"client {n}")
    exchange = second.send(request(server.port, "GET", f"/echo/{text2}", BASE_HEADERS))
    try:
        response = second.read_response(exchange)
    except StageFailure as exc:
        if "got nothing" in exc.message:
            raise StageFailure(
                f"client {n} got no response while {IDLE_CLIENTS} clients were connected and idle\n"
                + exc.message,
                concurrency,
            ) from None
        raise
    check_status(exchange, response, 200)
    check_body(exchange, response, text2.encode(), "the text after /echo/")
    second.close()

    h.log(f"clients {n + 1} and {n + 2} connect and send their requests; {n + 2}'s response is read first.")
    third, fourth = connect(h, server, f"client {n + 1}"), connect(h, server, f"client {n + 2}")
    text3, text4 = word(h) + "3", word(h) + "4"
    ex3 = third.send(request(server.port, "GET", f"/echo/{text3}", BASE_HEADERS))
    ex4 = fourth.send(request(server.port, "GET", f"/echo/{text4}", BASE_HEADERS))
    with hint_if_none(concurrency, only_if=NO_RESPONSE):
        for conn, ex, text in ((fourth, ex4, text4), (third, ex3, text3)):
            response = conn.read_response(ex)
            check_status(ex, response, 200)
            check_body(ex, response, text.encode(), "the text after /echo/")
            conn.close()

    h.log(f"clients 1 to {IDLE_CLIENTS} finally send their requests.")
    for number, first in enumerate(idle, start=1):
        text1 = f"{word(h)}{number}"
        ex1 = first.send(request(server.port, "GET", f"/echo/{text1}", BASE_HEADERS))
        with hint_if_none(
            f"client {number}'s connection was open all along: its request must still be answered"
        ):
            response = first.read_response(ex1)
            check_status(ex1, response, 200)
            check_body(ex1, response, text1.encode(), "the text after /echo/")
        first.close()
    h.log(f"{IDLE_CLIENTS + 3} clients were served concurrently.")
