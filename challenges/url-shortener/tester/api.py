"""Talking to the shortener as an API client does: httpx with redirects off, logged.

Every request carries ``X-Now-Ms``, the tester's logical time (see
:mod:`crack.harness.clock`), so the expiry stage never sleeps and every other stage sends
the same header a program may already read. Each exchange is one ``>`` and one ``<`` line
in the log; bulk workloads run ``quiet`` and only failures show their request.

httpx is a real client with its own parser: responses framed by Content-Length, chunked
coding or the end of the connection, kept alive or closed, with any extra headers, all
read the same.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from crack.harness import Harness, LogicalClock, StageFailure
from crack.harness.bytes_display import show

if TYPE_CHECKING:
    pass

REQUEST_TIMEOUT_S = 5.0
USER_AGENT = "crack-tester"
SHOWN_BODY_CHARS = 300


class NotJson:
    """What ``Reply.json()`` returns when the body does not parse, with the reason."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


@dataclass
class Reply:
    """One request the tester sent and the response it got."""

    method: str
    path: str
    body: bytes | None
    chosen_headers: dict[str, str]
    status: int
    reason: str
    headers: dict[str, str] = field(default_factory=dict)
    """Response headers, names in lowercase (repeated headers joined with ", ")."""
    content: bytes = b""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self) -> object:
        try:
            return json.loads(self.content)
        except ValueError as exc:
            return NotJson(str(exc))

    @property
    def status_text(self) -> str:
        return f"{self.status} {self.reason}".rstrip()

    def request_text(self) -> str:
        """``POST /api/links with body {...} and header Idempotency-Key: k1``."""
        text = f"{self.method} {self.path}"
        if self.body is not None:
            text += f" with body {_show_body(self.body)}"
        if self.chosen_headers:
            joined = ", ".join(f"{k}: {v}" for k, v in self.chosen_headers.items())
            text += f"{' and' if self.body is not None else ' with'} header {joined}"
        return text

    def response_text(self) -> str:
        """``201 Created, Location: /api/links/abc, Content-Type: application/json, body {...}``."""
        parts = [self.status_text]
        for name in ("Location", "Content-Type"):
            value = self.header(name)
            if value is not None:
                parts.append(f"{name}: {value}")
        parts.append(f"body {_show_body(self.content)}" if self.content else "empty body")
        return ", ".join(parts)


def _show_body(data: bytes) -> str:
    """JSON-looking text as it is (readable); anything else escaped and quoted."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return show(data, SHOWN_BODY_CHARS)
    if not (text.isprintable() and text[:1] in ("{", "[")):
        return show(data, SHOWN_BODY_CHARS)
    if len(text) <= SHOWN_BODY_CHARS:
        return text
    return f"{text[:SHOWN_BODY_CHARS]}… ({len(data)} bytes in all)"


class Api:
    """An httpx client on the program's port; ``clock`` is sent as ``X-Now-Ms``."""

    def __init__(self, h: Harness, port: int, clock: LogicalClock, *, connections: int = 8) -> None:
        import httpx

        self.h = h
        self.port = port
        self.clock = clock
        self.show_time = False
        """Log the logical time with each request (the expiry stage)."""
        self.client = httpx.Client(
            base_url=f"http://127.0.0.1:{port}",
            trust_env=False,
            follow_redirects=False,
            timeout=REQUEST_TIMEOUT_S,
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
            headers={"User-Agent": USER_AGENT, "Accept": "*/*", "Accept-Encoding": "identity"},
        )
        h.defer(self.client.close)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.client.close()

    def post(
        self,
        payload: object,
        *,
        headers: dict[str, str] | None = None,
        quiet: bool = False,
        timeout: float = REQUEST_TIMEOUT_S,
    ) -> Reply:
        """POST /api/links with ``payload`` as JSON."""
        body = json.dumps(payload).encode()
        return self.send("POST", "/api/links", body=body, headers=headers, quiet=quiet, timeout=timeout)

    def get(self, path: str, *, quiet: bool = False, timeout: float = REQUEST_TIMEOUT_S) -> Reply:
        return self.send("GET", path, quiet=quiet, timeout=timeout)

    def send(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        quiet: bool = False,
        timeout: float = REQUEST_TIMEOUT_S,
    ) -> Reply:
        import httpx

        chosen = dict(headers or {})
        sent = {"X-Now-Ms": str(self.clock.now_ms), **chosen}
        if body is not None:
            sent.setdefault("Content-Type", "application/json")
        reply = Reply(method, path, body, chosen, 0, "")
        if not quiet:
            when = (
                f" (X-Now-Ms: {self.clock.now_ms}, +{self.clock.elapsed_ms:,} ms)" if self.show_time else ""
            )
            self.h.log(f"> {reply.request_text()}{when}")
        limit = max(min(timeout, self.h.remaining() - 0.2), 0.05)
        try:
            response = self.client.request(method, path, content=body, headers=sent, timeout=limit)
        except httpx.HTTPError as exc:
            raise transport_failure(reply, exc, limit) from None
        reply.status = response.status_code
        reply.reason = response.reason_phrase
        for name in response.headers:
            reply.headers[name.lower()] = ", ".join(response.headers.get_list(name))
        reply.content = response.content
        if not quiet:
            self.h.log(f"< {reply.response_text()}")
        return reply


def transport_failure(reply: Reply, exc: Exception, timeout: float) -> StageFailure:
    """No response at all, in plain words: refused, timed out, closed, or not HTTP."""
    import httpx

    hint: str | None = None
    if isinstance(exc, httpx.ConnectError):
        what = "the connection was refused" if "refused" in str(exc).lower() else f"could not connect ({exc})"
        hint = "is your program still running? Its output above shows whether it crashed"
    elif isinstance(exc, httpx.TimeoutException):
        what = f"no response within {timeout:.1f} s"
        hint = (
            "if the status line and headers were sent, the client was waiting for the end of the "
            "body: send Content-Length with the body's length in bytes"
        )
    elif isinstance(exc, httpx.RemoteProtocolError) and (
        "without sending" in str(exc) or "disconnected" in str(exc).lower()
    ):
        what = "your program closed the connection without sending a response"
        hint = "did it crash on this request? Its output above shows the error"
    elif isinstance(exc, httpx.RemoteProtocolError):
        what = f"the response is not valid HTTP/1.1 ({exc})"
    elif isinstance(exc, (httpx.ReadError, httpx.WriteError)):
        what = "the connection was reset before a full response arrived"
        hint = (
            "did it crash on this request? Its output above shows the error. If nothing crashed "
            "and many clients were connecting at once, the listen backlog overflowed: "
            "some server libraries listen with a backlog of 5; make it 128"
        )
    else:
        what = f"{type(exc).__name__}: {exc}"
    return StageFailure(f"{reply.request_text()}: {what}", hint)
