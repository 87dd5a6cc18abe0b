"""The harness's HTTP API client against a real local server (http.server in a thread).

What a learner reads is the point: one ``>`` and one ``<`` line per exchange, the headers
and bodies an API's tester chose to show, and a plain-words failure when no response
comes. The server records what actually arrived, so the hooks are checked on the wire.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crack.harness import Harness, ProgramSpec, StageFailure
from crack.harness.http_api import HttpApi, NotJson, show_body
from crack.harness.log import SessionLog
from crack.harness.peers import RefusingPort

A_JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJl"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list[dict[str, str]]

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _record(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        self.seen.append({**{k.lower(): v for k, v in self.headers.items()}, "body": body.decode()})
        return body

    def do_POST(self) -> None:
        body = self._record()
        headers = {"Location": "/things/1", "ETag": '"1"', "Content-Type": "application/json"}
        self._answer(201, body, headers)

    def do_GET(self) -> None:
        self._record()
        if self.path == "/go":
            self._answer(302, b"", {"Location": "/elsewhere"})
        elif self.path == "/token":
            body = json.dumps({"access_token": A_JWT}).encode()
            self._answer(200, body, {"Content-Type": "application/json", "ETag": '"7"'})
        elif self.path == "/binary":
            self._answer(200, b"\x00\xffnot json\r\n", {"Content-Type": "application/octet-stream"})
        elif self.path == "/hang-up":
            self.close_connection = True
            self.connection.shutdown(2)
        else:
            self._answer(404, b"", {})


@pytest.fixture
def server() -> Iterator[tuple[int, list[dict[str, str]]]]:
    seen: list[dict[str, str]] = []
    handler = type("Handler", (_Handler,), {"seen": seen})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1], seen
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def h(tmp_path: Path) -> Iterator[Harness]:
    harness = Harness(
        stage_slug="api",
        program=ProgramSpec(("true",), tmp_path),
        log=SessionLog("api"),
        seed=1,
        deadline=time.monotonic() + 30,
        scratch=tmp_path,
    )
    yield harness
    assert harness.teardown() == []


def _logged(h: Harness) -> list[str]:
    return [line.text for line in h.log_session.lines]


def test_each_exchange_is_one_line_each_way_and_redirects_are_answers(
    h: Harness, server: tuple[int, list[dict[str, str]]]
) -> None:
    port, seen = server
    api = HttpApi(h, port)
    reply = api.post("/things", {"name": "kiwi"}, headers={"Idempotency-Key": "k1"})
    assert reply.status == 201
    assert reply.json() == {"name": "kiwi"}
    redirect = api.get("/go")
    assert (redirect.status, redirect.header("location")) == (302, "/elsewhere")
    assert _logged(h) == [
        '> POST /things with body {"name": "kiwi"} and header Idempotency-Key: k1',
        '< 201 Created, Location: /things/1, Content-Type: application/json, body {"name": "kiwi"}',
        "> GET /go",
        "< 302 Found, Location: /elsewhere, empty body",
    ]
    assert seen[0]["content-type"] == "application/json"
    assert seen[0]["accept"] == "*/*"
    assert [request.get("x-now-ms") for request in seen] == [None, None]
    assert len(seen) == 2  # the redirect was not followed


def test_an_api_chooses_the_headers_shown_a_body_filter_and_token_labels(
    h: Harness, server: tuple[int, list[dict[str, str]]]
) -> None:
    port, seen = server
    api = HttpApi(
        h,
        port,
        accept="application/json",
        shown_headers=("ETag", "Content-Type"),
        redact=lambda body: body.replace(A_JWT, "<a JWT>"),
    )
    api.label(A_JWT, "ada's token")
    reply = api.get("/token", headers={"Authorization": f"Bearer {A_JWT}"})
    assert reply.json() == {"access_token": A_JWT}  # checks read the real body
    assert _logged(h) == [
        "> GET /token with header Authorization: Bearer <ada's token>",
        '< 200 OK, ETag: "7", Content-Type: application/json, body {"access_token": "<a JWT>"}',
    ]
    api.get("/token", headers={"Authorization": "Bearer unlabelled"}, quiet=True)
    assert reply.chosen_headers == {"Authorization": "Bearer <ada's token>"}
    assert api.get("/", headers={"Authorization": "Bearer other"}).chosen_headers == {
        "Authorization": "Bearer other"
    }  # a token without a label is shown as it is
    assert [request["authorization"] for request in seen] == [
        f"Bearer {A_JWT}",
        "Bearer unlabelled",
        "Bearer other",
    ]
    assert seen[0]["accept"] == "application/json"


class _Clocked(HttpApi):
    now_ms = 1_000

    def per_request_headers(self) -> dict[str, str]:
        return {"X-Now-Ms": str(self.now_ms)}

    def request_note(self) -> str:
        return f" (at {self.now_ms} ms)"


def test_hooks_add_a_header_to_every_request_and_words_to_its_line(
    h: Harness, server: tuple[int, list[dict[str, str]]]
) -> None:
    port, seen = server
    api = _Clocked(h, port)
    api.post("/things", [1], quiet=True)
    api.now_ms = 2_500
    api.send("POST", "/things", body=b"plain", headers={"Content-Type": "text/plain", "X-Now-Ms": "7"})
    assert [request["x-now-ms"] for request in seen] == ["1000", "7"]  # a chosen header wins
    assert seen[1]["content-type"] == "text/plain"
    assert _logged(h)[0] == (
        '> POST /things with body "plain" and header Content-Type: text/plain, X-Now-Ms: 7 (at 2500 ms)'
    )
    assert len(_logged(h)) == 2  # the quiet exchange logged nothing


def test_a_body_that_is_not_json_is_shown_escaped_and_says_why(
    h: Harness, server: tuple[int, list[dict[str, str]]]
) -> None:
    port, _ = server
    reply = HttpApi(h, port).get("/binary")
    assert isinstance(reply.json(), NotJson)
    shown = '< 200 OK, Content-Type: application/octet-stream, body "\\x00\\xffnot json\\r\\n"'
    assert _logged(h)[1] == shown
    long = json.dumps(["x" * 400]).encode()
    assert show_body(long).endswith(f"… ({len(long)} bytes in all)")


def test_no_response_is_a_stage_failure_in_plain_words(
    h: Harness, server: tuple[int, list[dict[str, str]]]
) -> None:
    port, _ = server
    with pytest.raises(StageFailure) as closed:
        HttpApi(h, port).get("/hang-up")
    assert closed.value.message == (
        "GET /hang-up: your program closed the connection without sending a response"
    )
    refusing = RefusingPort()
    try:
        with pytest.raises(StageFailure) as refused:
            HttpApi(h, refusing.port).get("/")
    finally:
        refusing.stop()
    assert refused.value.message == "GET /: the connection was refused"
    assert refused.value.hint is not None and "still running" in refused.value.hint
