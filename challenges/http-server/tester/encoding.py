"""Stages 10-11: content coding negotiated from Accept-Encoding, then a real gzip body."""

from __future__ import annotations

import gzip
import zlib

from crack.harness import Harness
from crack.harness.bytes_display import show

from .common import (
    BASE_HEADERS,
    Server,
    check_body,
    check_content_type,
    check_status,
    connect,
    hint_if_none,
    request,
    start,
    tester,
    word,
)
from .connections import KEEP_OPEN
from .realclient import RealClient
from .wire import Exchange, HttpConnection, Response, failure

LIST_HINT = (
    "Accept-Encoding is a comma-separated list: split it on ',', strip the spaces, and answer "
    "with gzip when gzip is one of the items"
)
UNKNOWN_HINT = (
    "name a content coding in Content-Encoding only when the client listed it in Accept-Encoding "
    "and you applied it: without gzip in the list, send the body as it is and no Content-Encoding"
)


def codings(response: Response) -> list[str]:
    return [c.strip().lower() for c in (response.header("Content-Encoding") or "").split(",") if c.strip()]


def unknown_coding(h: Harness) -> str:
    return f"x-{word(h)}"


def accept_cases(h: Harness) -> list[tuple[str | None, bool, str | None]]:
    """(Accept-Encoding value or None, whether gzip must be used, hint when it goes wrong)."""
    one, two = unknown_coding(h), f"{word(h)}-encoding"
    return [
        ("gzip", True, "when the request's Accept-Encoding lists gzip, add Content-Encoding: gzip"),
        (one, False, UNKNOWN_HINT),
        (f"{one}, gzip, {two}", True, LIST_HINT),
        (f"{two}, {one}", False, UNKNOWN_HINT),
        (None, False, UNKNOWN_HINT),
    ]


def _send(conn: HttpConnection, server: Server, target: str, accept: str | None) -> Exchange:
    headers = list(BASE_HEADERS)
    if accept is not None:
        headers.append(("Accept-Encoding", accept))
    return conn.send(request(server.port, "GET", target, headers))


def check_negotiated(
    exchange: Exchange, response: Response, accept: str | None, gzipped: bool, hint: str | None
) -> None:
    asked = f"Accept-Encoding: {accept}" if accept is not None else "no Accept-Encoding header"
    got = codings(response)
    if gzipped and got != ["gzip"]:
        value = response.header("Content-Encoding")
        have = f"Content-Encoding: {value}" if value is not None else "no Content-Encoding header"
        raise failure(exchange, f"the request had {asked}: expected Content-Encoding: gzip, got {have}", hint)
    if not gzipped and got:
        raise failure(
            exchange,
            f"the request had {asked} (no gzip): expected no Content-Encoding header, "
            f"got Content-Encoding: {response.header('Content-Encoding')}",
            hint,
        )


@tester.stage("content-encoding")
def content_encoding(h: Harness) -> None:
    server = start(h)
    for accept, gzipped, hint in accept_cases(h):
        # A connection per request: the gzip bodies are only checked in the next stage.
        conn = connect(h, server)
        text = word(h)
        exchange = _send(conn, server, f"/echo/{text}", accept)
        response = conn.read_response(exchange, body=not gzipped)
        check_status(exchange, response, 200)
        check_negotiated(exchange, response, accept, gzipped, hint)
        if not gzipped:
            check_body(exchange, response, text.encode(), "the text after /echo/, uncompressed")
        conn.close()
    h.log("Content-Encoding: gzip is named exactly when the client accepts gzip.")


def check_gzip_body(conn: HttpConnection, exchange: Exchange, response: Response, text: bytes) -> None:
    body = response.body
    if body == text:
        raise failure(
            exchange,
            f"the response says Content-Encoding: gzip but the body is not compressed: {show(body)}",
            "compress the body to the gzip format, send those bytes, and set Content-Length to their length",
        )
    if body[:1] == b"\x78":
        raise failure(
            exchange,
            f"the body is a zlib stream (it starts with 0x78), not gzip data: {show(body, 60)}",
            "gzip data starts with the bytes 1f 8b: compress in the gzip format, not the zlib one",
        )
    if body[:2] != b"\x1f\x8b":
        raise failure(
            exchange,
            f"the body is not gzip data (gzip data starts with the bytes 1f 8b): {show(body, 60)}",
            "compress the body to the gzip format and send the compressed bytes as they are",
        )
    try:
        plain = gzip.decompress(body)
    except (OSError, EOFError, zlib.error) as exc:
        extra = conn.leftover(0.05)
        hint = "send the whole output of the gzip compressor, unchanged"
        problem = f"the gzip body does not decompress ({exc}): {show(body, 60)}"
        if extra:
            problem += f", and {len(extra)} more bytes followed it: {show(extra, 60)}"
            hint = (
                "Content-Length must be the length of the compressed body (the bytes you send), "
                "not of the text before compression"
            )
        raise failure(exchange, problem, hint) from None
    if plain != text:
        raise failure(
            exchange,
            f"the body decompresses to {show(plain, 80)}, expected {show(text, 80)}",
            "compress the same body you would send without gzip",
        )


@tester.stage("gzip")
def gzip_stage(h: Harness) -> None:
    server = start(h)
    conn = connect(h, server)
    previous: Exchange | None = None
    for accept in ("gzip", f"{unknown_coding(h)}, gzip, {unknown_coding(h)}-2"):
        text = word(h)
        # Both requests go on one connection: a server that closes after a (gzip) response
        # is told so, as in the persistent-connections stage, not left with a bare silence.
        if previous is not None and conn.closed_by_peer(0.3):
            raise failure(
                previous,
                "after this response your program closed the connection, so the next request "
                "(with Accept-Encoding: " + accept + ") could not be sent on it",
                KEEP_OPEN,
            )
        exchange = previous = _send(conn, server, f"/echo/{text}", accept)
        with hint_if_none(KEEP_OPEN, only_if=("closed the connection",)):
            response = conn.read_response(exchange)
        check_status(exchange, response, 200)
        check_content_type(exchange, response, "text/plain")
        check_negotiated(exchange, response, accept, True, LIST_HINT if "," in accept else None)
        check_gzip_body(conn, exchange, response, text.encode())
    conn.close()
    h.log("The gzip bodies decompress to the echoed text.")

    client = RealClient(h, server.port, keep_alive=True)
    for accept, gzipped in (("gzip", True), (f"{unknown_coding(h)}, gzip", True), (unknown_coding(h), False)):
        text = word(h)
        got = client.get(f"/echo/{text}", headers={"Accept-Encoding": accept})
        coding = (got.headers.get("Content-Encoding") or "").strip().lower()
        if got.status_code != 200:
            raise client.fail(got, "expected status 200")
        if gzipped and coding != "gzip":
            raise client.fail(got, f"expected Content-Encoding: gzip for Accept-Encoding: {accept}")
        if not gzipped and coding:
            raise client.fail(
                got, f"expected no Content-Encoding for Accept-Encoding: {accept}", UNKNOWN_HINT
            )
        if got.content != text.encode():
            raise client.fail(got, f"expected httpx to decode the body to {text!r}")
    h.log("A real client (httpx) decompressed the gzip bodies.")
