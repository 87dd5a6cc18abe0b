"""Stage 9: persistent connections: many requests on one connection, pipelined requests,
a request that arrives in pieces, a body followed by the next request, Connection: close."""

from __future__ import annotations

from crack.harness import Harness, StageFailure

from .common import (
    BASE_HEADERS,
    NO_RESPONSE,
    Server,
    check_body,
    check_content_type,
    check_status,
    connect,
    data_dir,
    hint_if_none,
    request,
    start,
    tester,
    word,
)
from .files import OCTET, binary_blob, check_file, file_name
from .realclient import RealClient
from .wire import Exchange, HttpConnection, Request, Response, failure

KEEP_OPEN = (
    "in HTTP/1.1 a connection stays open after a response: loop, reading the next request "
    "from the same socket, until the client closes it or sends Connection: close"
)
PIPELINING = (
    "one read can return several requests: split at the end of each request (the empty line, "
    "plus Content-Length bytes of body), answer each in order, and keep what is left over "
    "for the next round"
)


def _expect(
    conn: HttpConnection,
    exchange: Exchange,
    status: int,
    body: bytes | None = None,
    content_type: str | None = None,
) -> Response:
    response = conn.read_response(exchange)
    check_status(exchange, response, status)
    if content_type is not None:
        check_content_type(exchange, response, content_type)
    if body is not None:
        check_body(exchange, response, body, "")
    return response


def _on_one_connection(h: Harness, server: Server, file: str, content: bytes) -> None:
    conn = connect(h, server, "client 1")
    ua = f"{word(h)}/{h.random.randint(1, 9)}.0"
    text = word(h)
    steps: list[tuple[Request, int, bytes | None]] = [
        (request(server.port, "GET", "/", BASE_HEADERS), 200, None),
        (request(server.port, "GET", f"/echo/{text}", BASE_HEADERS), 200, text.encode()),
        (request(server.port, "GET", "/user-agent", [("User-Agent", ua)]), 200, ua.encode()),
        (request(server.port, "GET", f"/{word(h)}-missing", BASE_HEADERS), 404, None),
        (request(server.port, "GET", f"/files/{file}", BASE_HEADERS), 200, content),
    ]
    h.log(f"client 1 sends {len(steps)} requests one after another on one connection.")
    previous: Exchange | None = None
    for index, (req, status, body) in enumerate(steps):
        # After the first response, give a closing server time to close (so the verdict does
        # not depend on scheduling); later on, a glance is enough.
        if previous is not None and conn.closed_by_peer(0.3 if index == 1 else 0.02):
            raise failure(
                previous,
                f"after this response your program closed the connection, so request {index + 1} "
                f"({req.label}) could not be sent on it",
                KEEP_OPEN,
            )
        previous = conn.send(req)
        with hint_if_none(KEEP_OPEN, only_if=NO_RESPONSE):
            _expect(conn, previous, status, body)
    conn.close()


def _pipelined(h: Harness, server: Server) -> None:
    conn = connect(h, server, "client 2")
    first, last = word(h), word(h) + "s"
    ua = f"{word(h)}-pipeline/{h.random.randint(1, 99)}"
    requests = [
        request(server.port, "GET", f"/echo/{first}", BASE_HEADERS),
        request(server.port, "GET", "/user-agent", [("User-Agent", ua)]),
        request(server.port, "GET", f"/echo/{last}", BASE_HEADERS),
    ]
    bodies = [first.encode(), ua.encode(), last.encode()]
    exchanges = conn.send_requests(requests, f"{len(requests)} requests in one write (pipelined):")
    with hint_if_none(PIPELINING, only_if=NO_RESPONSE):
        for exchange, body in zip(exchanges, bodies, strict=True):
            _expect(conn, exchange, 200, body)

    text = word(h)
    req = request(server.port, "GET", f"/echo/{text}", BASE_HEADERS)
    data = req.encode()
    cut = h.random.randint(4, len(data) - 6)
    conn.send(data[:cut], describe="the first part of a request:")
    h.sleep(0.1)
    conn.send(data[cut:], describe="the rest:")
    with hint_if_none(
        "a request can arrive in pieces: keep reading until the empty line that ends the headers"
    ):
        _expect(conn, Exchange(conn.name, req, data), 200, text.encode())
    conn.close()


def _body_then_request(h: Harness, server: Server) -> None:
    conn = connect(h, server, "client 3")
    name = file_name(h, ".bin")
    content = binary_blob(h, 200, 900) + b"GET / HTTP/1.1\r\n\r\n"
    text = word(h)
    post = request(server.port, "POST", f"/files/{name}", [*BASE_HEADERS, ("Content-Type", OCTET)], content)
    after = request(server.port, "GET", f"/echo/{text}", BASE_HEADERS)
    h.log("client 3 sends a POST with a body and, in the same write, the next request.")
    post_ex, after_ex = conn.send_requests([post, after], "POST then GET in one write:")
    body_hint = (
        "the body of a request is exactly Content-Length bytes (this one even contains text that "
        "looks like a request): the bytes after it are the next request"
    )
    with hint_if_none(body_hint):
        _expect(conn, post_ex, 201)
        check_file(post_ex, server.directory / name, content)
        _expect(conn, after_ex, 200, text.encode())
    conn.close()


def _connection_close(h: Harness, server: Server) -> None:
    conn = connect(h, server, "client 4")
    text = word(h)
    req = request(server.port, "GET", f"/echo/{text}", [*BASE_HEADERS, ("Connection", "close")])
    exchange = conn.send(req)
    _expect(conn, exchange, 200, text.encode())
    conn.expect_close(
        exchange,
        1.0,
        "the request said Connection: close: send the response, then close the connection",
    )
    h.log("client 4 sent Connection: close, and the connection was closed after the response.")


def _real_client(h: Harness, server: Server, file: str, content: bytes) -> None:
    client = RealClient(h, server.port, keep_alive=True)
    texts = [word(h), word(h), word(h)]
    for text in texts:
        got = client.get(f"/echo/{text}")
        if got.status_code != 200 or got.content != text.encode():
            raise client.fail(got, f"expected status 200 and the body {text!r}")
    got = client.get(f"/files/{file}")
    if got.status_code != 200 or got.content != content:
        raise client.fail(got, f"expected status 200 and the {len(content)} bytes of {file}")
    requests = len(texts) + 1
    if client.connects != 1:
        raise StageFailure(
            f"httpx made {requests} requests with keep-alive, and had to open {client.connects} "
            "connections: your program closed the connection after a response",
            KEEP_OPEN,
        )
    h.log(f"httpx made {requests} requests over a single connection.")


@tester.stage("persistent-connections")
def persistent_connections(h: Harness) -> None:
    directory = data_dir(h)
    file = file_name(h, ".bin")
    content = binary_blob(h, 1000, 3000)
    (directory / file).write_bytes(content)
    server = start(h)
    _on_one_connection(h, server, file, content)
    _pipelined(h, server)
    _body_then_request(h, server)
    _connection_close(h, server)
    _real_client(h, server, file, content)
