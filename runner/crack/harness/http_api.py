"""Talking to a learner's HTTP API as a client does: httpx with redirects off, every exchange logged.

Each exchange is one ``>`` line (what was sent) and one ``<`` line (what came back) in the
log; bulk workloads pass ``quiet`` and only a failure shows its request. The same two
lines are what a failure message quotes, so a learner reads one vocabulary throughout:
``POST /tasks with body {...} and header If-Match: "1-1"`` and
``201 Created, Location: /tasks/1, Content-Type: application/json, body {...}``.

httpx is a real client with its own parser: responses framed by Content-Length, chunked
coding or the end of the connection, kept alive or closed, with any extra headers, all
read the same. Redirects are not followed because a redirect is often the answer under test.

What differs between APIs is a parameter (the Accept header, the response headers the
log shows, a filter over logged bodies, the pool size) or a hook a subclass overrides
(``per_request_headers`` for a header every request carries, ``request_note`` for words
after the ``>`` line).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from crack.harness.bytes_display import show
from crack.harness.failure import StageFailure

if TYPE_CHECKING:
    from crack.harness.harness import Harness

REQUEST_TIMEOUT_S = 5.0
USER_AGENT = "crack-tester"
"""Pinned, with Accept-Encoding: identity, so what a program receives does not depend on
the installed httpx version."""
SHOWN_BODY_CHARS = 300
SHOWN_HEADERS = ("Location", "Content-Type")
"""The response headers the ``<`` line shows by default, in this order when present."""


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
    """The headers the test chose to send (as the log shows them), not the client's defaults."""
    status: int
    reason: str
    headers: dict[str, str] = field(default_factory=dict)
    """Response headers, names in lowercase (repeated headers joined with ", ")."""
    content: bytes = b""
    shown_headers: tuple[str, ...] = SHOWN_HEADERS
    redact: Callable[[str], str] | None = None
    """Applied to the response body as the log shows it (never to what checks read)."""

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
        """``POST /tasks with body {...} and header If-Match: "1-1"``."""
        text = f"{self.method} {self.path}"
        if self.body is not None:
            text += f" with body {show_body(self.body)}"
        if self.chosen_headers:
            joined = ", ".join(f"{k}: {v}" for k, v in self.chosen_headers.items())
            text += f"{' and' if self.body is not None else ' with'} header {joined}"
        return text

    def response_text(self) -> str:
        """``201 Created, Location: /tasks/1, Content-Type: application/json, body {...}``."""
        parts = [self.status_text]
        for name in self.shown_headers:
            value = self.header(name)
            if value is not None:
                parts.append(f"{name}: {value}")
        if self.content:
            body = show_body(self.content)
            parts.append(f"body {self.redact(body) if self.redact else body}")
        else:
            parts.append("empty body")
        return ", ".join(parts)


def show_body(data: bytes) -> str:
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


class HttpApi:
    """An httpx client on the program's port, closed when the stage ends."""

    def __init__(
        self,
        h: Harness,
        port: int,
        *,
        connections: int = 4,
        accept: str = "*/*",
        shown_headers: tuple[str, ...] = SHOWN_HEADERS,
        redact: Callable[[str], str] | None = None,
    ) -> None:
        import httpx

        self.h = h
        self.port = port
        self.shown_headers = shown_headers
        self.redact = redact
        self.client = httpx.Client(
            base_url=self.base,
            trust_env=False,
            follow_redirects=False,
            timeout=REQUEST_TIMEOUT_S,
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
            headers={"User-Agent": USER_AGENT, "Accept": accept, "Accept-Encoding": "identity"},
        )
        h.defer(self.client.close)
        self.token_labels: dict[str, str] = {}
        """How the log names each bearer token: a token's text may differ on every run (a
        JWT's claims hold the time), its label does not."""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        """Close the pool now (before the program restarts, say); the stage's end closes it anyway."""
        self.client.close()

    def label(self, token: str, label: str) -> None:
        """Log ``Authorization: Bearer <token>`` as ``Bearer <label>``."""
        self.token_labels[token] = label

    def per_request_headers(self) -> dict[str, str]:
        """Headers every request carries, unlogged; a header the test chooses overrides one."""
        return {}

    def request_note(self) -> str:
        """Words appended to each ``>`` line (empty: none)."""
        return ""

    def get(
        self,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        quiet: bool = False,
        timeout: float = REQUEST_TIMEOUT_S,
    ) -> Reply:
        return self.send("GET", path, headers=headers, quiet=quiet, timeout=timeout)

    def post(
        self,
        path: str,
        payload: object,
        *,
        headers: dict[str, str] | None = None,
        quiet: bool = False,
        timeout: float = REQUEST_TIMEOUT_S,
    ) -> Reply:
        """POST ``payload`` as JSON."""
        body = json.dumps(payload).encode()
        return self.send("POST", path, body=body, headers=headers, quiet=quiet, timeout=timeout)

    def patch(self, path: str, payload: object, *, headers: dict[str, str] | None = None) -> Reply:
        """PATCH ``payload`` as JSON."""
        return self.send("PATCH", path, body=json.dumps(payload).encode(), headers=headers)

    def delete(self, path: str, *, headers: dict[str, str] | None = None) -> Reply:
        return self.send("DELETE", path, headers=headers)

    def send(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        quiet: bool = False,
        json_body: bool = True,
        timeout: float = REQUEST_TIMEOUT_S,
    ) -> Reply:
        """``method path``; a body is sent as Content-Type: application/json unless
        ``headers`` name another (or ``json_body`` is false: no Content-Type at all).

        Raises StageFailure when no response arrives, saying why in plain words."""
        import httpx

        chosen = dict(headers or {})
        shown = {k: self._shown(v) if k.lower() == "authorization" else v for k, v in chosen.items()}
        sent = {**self.per_request_headers(), **chosen}
        if body is not None and json_body and not any(k.lower() == "content-type" for k in sent):
            sent["Content-Type"] = "application/json"
        reply = Reply(method, path, body, shown, 0, "", shown_headers=self.shown_headers, redact=self.redact)
        if not quiet:
            self.h.log(f"> {reply.request_text()}{self.request_note()}")
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

    def _shown(self, value: str) -> str:
        scheme, _, token = value.partition(" ")
        if scheme == "Bearer" and token in self.token_labels:
            return f"Bearer <{self.token_labels[token]}>"
        return value


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


def fail(reply: Reply, expected: str, hint: str | None = None, got: str | None = None) -> StageFailure:
    """The failure a learner reads: what was sent, what was expected, what came back."""
    return StageFailure(
        f"{reply.request_text()}\nexpected {expected}\n     got {got or reply.response_text()}", hint
    )


def media_type(value: str | None) -> str:
    """``application/json`` of ``application/json; charset=utf-8``: compared without case."""
    return (value or "").split(";", 1)[0].strip().lower()


def json_body(reply: Reply, expected: str, hint: str | None = None) -> object:
    """The body as JSON; the response must say Content-Type: application/json."""
    content_type = reply.header("Content-Type")
    if media_type(content_type) != "application/json":
        raise fail(
            reply,
            f"{expected}, with Content-Type: application/json",
            hint
            or "send the header Content-Type: application/json with every JSON body (got "
            + ("no Content-Type" if content_type is None else f"Content-Type: {content_type}")
            + ")",
        )
    body = reply.json()
    if isinstance(body, NotJson):
        raise fail(reply, f"{expected}, whose body is JSON", hint or f"the body is not JSON: {body.reason}")
    return body


def json_object(reply: Reply, expected: str, hint: str | None = None) -> dict[str, object]:
    """The body as a JSON object (see :func:`json_body`)."""
    body = json_body(reply, expected, hint)
    if not isinstance(body, dict):
        raise fail(
            reply,
            f"{expected}, whose body is a JSON object",
            hint or f"the body is not a JSON object: a JSON {type(body).__name__}",
        )
    return body


def expect_location(reply: Reply, base: str, collection: str, key: str, noun: str) -> None:
    """A 201's Location header names the resource created: ``collection/key`` (relative
    references resolved against the collection's URL, as a client does)."""
    from urllib.parse import urljoin

    location = reply.header("Location")
    path = f"{collection}/{key}"
    if location is None or urljoin(f"{base}{collection}", location) != f"{base}{path}":
        raise fail(
            reply,
            f"201 Created with Location: {path} (the new {noun}'s URL)",
            "RFC 9110 (section 15.3.2): a 201 names the resource it created in a Location header. "
            f"Here that is {path}",
            got=f"Location: {location}" if location is not None else "no Location header",
        )
