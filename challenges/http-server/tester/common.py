"""What every stage uses: the Tester, starting the program, connecting, shared checks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from crack.harness import Harness, StageFailure
from crack.harness.bytes_display import show
from crack.tester import Tester

from .wire import REASONS, Exchange, HttpConnection, Request, Response, failure, media_type, request

tester = Tester("http-server", warm_imports=("httpx",))

WORDS = [
    "apple", "banana", "cherry", "grape", "lemon", "mango", "orange", "peach", "pear", "plum",
    "kiwi", "melon", "fig", "lime", "quince", "papaya", "guava", "lychee", "walnut", "almond",
    "vanilla", "raspberry", "pineapple", "strawberry", "blueberry", "apricot",
]  # fmt: skip

BASE_HEADERS = [("User-Agent", "crack-tester/1.0"), ("Accept", "*/*")]


def word(h: Harness) -> str:
    return h.random.choice(WORDS)


def words(h: Harness, n: int, sep: str = "-") -> str:
    return sep.join(h.random.sample(WORDS, n))


@dataclass(frozen=True)
class Server:
    port: int
    directory: Path


def data_dir(h: Harness) -> Path:
    """The --directory folder of this stage (created on first use)."""
    directory = h.scratch / "data"
    directory.mkdir(exist_ok=True)
    return directory


def start(h: Harness) -> Server:
    """Start the program with ``--port N --directory D`` and wait until it accepts."""
    directory = data_dir(h)
    port = h.free_port()
    h.start_server(["--port", str(port), "--directory", str(directory)], port)
    return Server(port, directory)


def connect(h: Harness, server: Server, name: str | None = None) -> HttpConnection:
    return HttpConnection(h, h.connect(server.port, name=name, show_bytes=False))


def get(
    h: Harness,
    server: Server,
    target: str,
    headers: list[tuple[str, str]] | None = None,
    *,
    body: bool = True,
    name: str | None = None,
) -> tuple[Exchange, Response]:
    """One GET on a fresh connection, closed afterwards."""
    conn = connect(h, server, name)
    exchange = conn.send(request(server.port, "GET", target, BASE_HEADERS if headers is None else headers))
    response = conn.read_response(exchange, body=body)
    conn.close()
    return exchange, response


NO_RESPONSE = ("got nothing", "your program sent nothing")
"""What failures say when no response came at all."""


@contextmanager
def hint_if_none(hint: str, only_if: tuple[str, ...] = ()) -> Iterator[None]:
    """Give a failure raised inside the block ``hint`` when it has none of its own (and,
    with ``only_if``, when its message contains one of those phrases)."""
    try:
        yield
    except StageFailure as exc:
        if exc.hint is None and (not only_if or any(p in exc.message for p in only_if)):
            exc.hint = hint
        raise


# --- checks ------------------------------------------------------------------------------
def check_status(exchange: Exchange, response: Response, status: int, hint: str | None = None) -> None:
    expected = f"HTTP/1.1 {status} {REASONS[status]}"
    if response.status != status:
        raise failure(exchange, f'expected the status line "{expected}", got "{response.status_text}"', hint)
    if response.status_text != expected:
        raise failure(
            exchange,
            f'expected the status line "{expected}", got "{response.status_text}"',
            f'the reason phrase of {status} is "{REASONS[status]}", with that spelling and a single '
            "space on each side of the code",
        )


def check_content_type(exchange: Exchange, response: Response, expected: str) -> None:
    value = response.header("Content-Type")
    if value is None:
        raise failure(
            exchange,
            f"the response has no Content-Type header (expected Content-Type: {expected})",
            f"add the header line Content-Type: {expected}\\r\\n",
        )
    if media_type(value) != expected:
        raise failure(exchange, f"expected Content-Type: {expected}, got Content-Type: {value}")


def check_no_extra_bytes(conn: HttpConnection, exchange: Exchange) -> None:
    """After a complete response (when nothing else was asked) nothing more may arrive."""
    extra = conn.leftover(0.05)
    if extra:
        raise failure(
            exchange,
            f"{len(extra)} more bytes came after the body that Content-Length counted: {show(extra, 120)}",
            "Content-Length must be the exact length of the body, and nothing may follow the body "
            '(no "\\r\\n" after it either)',
        )


def check_body(
    exchange: Exchange,
    response: Response,
    expected: bytes,
    what: str,
    hint: str | None = None,
    conn: HttpConnection | None = None,
) -> None:
    if response.body == expected:
        return
    problem = f"expected the body to be {what} {show(expected, 120)}, got {show(response.body, 120)}"
    if hint is None and conn is not None and expected.startswith(response.body):
        extra = conn.leftover(0.05)
        if extra:
            problem += f", and then {len(extra)} bytes more: {show(extra, 60)}"
            hint = (
                f"Content-Length says {len(response.body)} but the body you sent is longer: "
                "Content-Length must be the length of the body in bytes"
            )
    if hint is None and len(response.body) != len(expected):
        hint = f"the body should be exactly {len(expected)} bytes"
    raise failure(exchange, problem, hint)


def simple_get(
    h: Harness,
    server: Server,
    target: str,
    *,
    status: int,
    content_type: str | None = None,
    body: bytes | None = None,
    what: str = "",
    headers: list[tuple[str, str]] | None = None,
    name: str | None = None,
    hint: str | None = None,
    body_hint: str | None = None,
    nothing_after: bool = False,
) -> tuple[Exchange, Response]:
    """GET ``target`` on a fresh connection and check status, Content-Type and body.

    ``hint`` explains a wrong status, ``body_hint`` a wrong body; with ``nothing_after``, no
    byte may follow the body."""
    conn = connect(h, server, name)
    exchange = conn.send(request(server.port, "GET", target, BASE_HEADERS if headers is None else headers))
    response = conn.read_response(exchange, body=body is not None)
    check_status(exchange, response, status, hint)
    if content_type is not None:
        check_content_type(exchange, response, content_type)
    if body is not None:
        check_body(exchange, response, body, what, body_hint, conn)
        if nothing_after:
            check_no_extra_bytes(conn, exchange)
    conn.close()
    return exchange, response


__all__ = [
    "BASE_HEADERS",
    "NO_RESPONSE",
    "Request",
    "Server",
    "check_body",
    "check_content_type",
    "check_no_extra_bytes",
    "check_status",
    "connect",
    "data_dir",
    "get",
    "hint_if_none",
    "request",
    "simple_get",
    "start",
    "tester",
    "word",
    "words",
]
