"""Talking to the balancer as HTTP clients do: httpx for requests, raw sockets for bytes.

Every request here opens a new connection (no keep-alive), so each one is balanced on its
own whatever the balancer does with persistent connections, and transport problems come
back as values (``Reply.error``) in plain words rather than as exceptions.
"""

from __future__ import annotations

import http.cookiejar
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from crack.harness import ConnectionClosed, Harness
from crack.harness.bytes_display import show

REQUEST_TIMEOUT_S = 3.0


@dataclass
class Reply:
    method: str
    target: str
    sent_at: float
    status: int | None = None
    reason: str = ""
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    body: bytes = b""
    error: str | None = None
    took: float = 0.0

    @property
    def backend(self) -> str | None:
        value: str | None = self.headers.get("x-backend")
        return value

    @property
    def ok(self) -> bool:
        return self.error is None and self.status == 200

    def request_line(self) -> str:
        return f"{self.method} {self.target}"

    def outcome(self) -> str:
        """``200 OK from b1``, ``502 Bad Gateway``, ``no response: the connection was refused``."""
        if self.error is not None:
            return self.error if self.error.startswith("no response") else f"no response: {self.error}"
        text = f"{self.status} {self.reason}".rstrip()
        return f"{text} from {self.backend}" if self.backend else f"{text} (no X-Backend header)"


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    """Keep no cookie between requests: a stage sends the Cookie header it means to send."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: object) -> bool:
        return False


def http_client(h: Harness) -> httpx.Client:
    """An httpx client that opens a new connection per request, keeps no cookies and ignores
    proxy settings."""
    client = httpx.Client(
        cookies=http.cookiejar.CookieJar(policy=_NoCookies()),
        timeout=REQUEST_TIMEOUT_S,
        limits=httpx.Limits(max_connections=200, max_keepalive_connections=0),
        trust_env=False,
        follow_redirects=False,
    )
    h.defer(client.close)
    return client


def describe_error(exc: Exception, timeout: float) -> str:
    if isinstance(exc, httpx.ConnectError):
        text = str(exc).lower()
        if "refused" in text:
            return "the connection was refused (nothing listens on the port?)"
        return f"could not connect ({exc})"
    if isinstance(exc, httpx.TimeoutException):
        return f"no response within {timeout:.1f} s"
    if isinstance(exc, httpx.RemoteProtocolError):
        text = str(exc)
        if "without sending" in text or "disconnected" in text.lower():
            return "the balancer closed the connection without sending a response"
        return f"the response was not valid HTTP/1.1 ({text})"
    if isinstance(exc, (httpx.ReadError, httpx.WriteError)):
        return "the connection was reset or closed before a full response arrived"
    return f"{type(exc).__name__}: {exc}"


def fetch(
    h: Harness,
    client: httpx.Client,
    port: int,
    method: str,
    target: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = REQUEST_TIMEOUT_S,
) -> Reply:
    """Send one request to the balancer; never raises for what the balancer does."""
    timeout = max(min(timeout, h.remaining() - 0.2), 0.05)
    reply = Reply(method, target, time.monotonic())
    try:
        response = client.request(
            method,
            f"http://127.0.0.1:{port}{target}",
            headers=headers,
            content=body,
            timeout=timeout,
        )
    except httpx.HTTPError as exc:
        reply.error = describe_error(exc, timeout)
    else:
        reply.status = response.status_code
        reply.reason = response.reason_phrase
        reply.headers = response.headers
        reply.body = response.content
    reply.took = time.monotonic() - reply.sent_at
    return reply


@dataclass
class RawResponse:
    status_line: str
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def status(self) -> int:
        parts = self.status_line.split(" ")
        return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


def raw_exchange(
    h: Harness, port: int, pieces: list[bytes], pause: float, name: str, timeout: float = REQUEST_TIMEOUT_S
) -> RawResponse:
    """Send a request in ``pieces`` (pausing between them) on a raw socket; read one response.

    The response may be framed by Content-Length, chunked encoding or the end of the
    connection. Raises StageFailure (ProgramIOError) when it is incomplete.
    """
    conn = h.connect(port, name=name, show_bytes=False)
    for index, piece in enumerate(pieces):
        if index:
            h.sleep(pause)
        conn.send(piece)
    head = conn.read_until(b"\r\n\r\n", timeout=timeout, waiting_for="the response's status line and headers")
    lines = head.decode("latin-1").split("\r\n")
    status_line = lines[0]
    if not status_line.startswith("HTTP/1."):
        h.fail(f'{name}: expected a response starting with "HTTP/1.1 ", got {show(head)}')
    headers = []
    for line in lines[1:]:
        key, sep, value = line.partition(":")
        if sep:
            headers.append((key.strip(), value.strip()))
    response = RawResponse(status_line, headers, b"")
    encoding = (response.header("Transfer-Encoding") or "").lower()
    length = response.header("Content-Length")
    if "chunked" in encoding:
        response.body = _read_chunked(conn.read_until, conn.read_exactly, timeout)
    elif length is not None and length.strip().isdigit():
        response.body = conn.read_exactly(
            int(length), timeout=timeout, waiting_for=f"the {int(length)}-byte body (Content-Length)"
        )
    else:
        try:
            conn.read_exactly(1 << 30, timeout=timeout, waiting_for="the end of the body")
        except ConnectionClosed as closed:
            response.body = closed.received
    conn.close()
    return response


def _read_chunked(
    read_until: Callable[..., bytes], read_exactly: Callable[..., bytes], timeout: float
) -> bytes:
    body = b""
    while True:
        size_line = read_until(b"\r\n", timeout=timeout, waiting_for="a chunk size line")
        size = int(size_line.split(b";")[0].strip() or b"0", 16)
        if size == 0:
            while read_until(b"\r\n", timeout=timeout, waiting_for="the end of the chunked body") != b"\r\n":
                pass
            return body
        body += read_exactly(size + 2, timeout=timeout, waiting_for="chunk data")[:-2]
