"""HTTP/1.1 on a raw socket: requests as exact bytes, responses read and checked line by line.

The reader follows RFC 9112: a status line, header fields, an empty line, then a body framed
by Transfer-Encoding: chunked or Content-Length. Every line a server sends must end with
CRLF; a bare LF is reported at once with the line that had it. Whatever goes wrong, the
failure shows the request that was sent and everything of the response that came back.
"""

from __future__ import annotations

import re
import select
import socket
from dataclasses import dataclass, field

from crack.harness import (
    Connection,
    ConnectionClosed,
    Harness,
    ProgramIOError,
    ReadTimeout,
    StageFailure,
)
from crack.harness.bytes_display import show

READ_TIMEOUT_S = 2.0
MAX_HEAD_LINES = 100

HINT_LF = (
    'every line of the status line and headers ends with "\\r\\n" (carriage return, line feed), '
    'not "\\n" alone; the empty line that ends the headers is "\\r\\n" too'
)
HINT_BLANK_LINE = (
    "the headers end with an empty line: after the last header line (or right after the status "
    'line when there are none) send one more "\\r\\n", so a response starts like '
    '"HTTP/1.1 200 OK\\r\\n\\r\\n"'
)
HINT_FRAMING = (
    "give every response a Content-Length header (Content-Length: 0 when there is no body): "
    "without it the client can only find the end of the body when the connection closes"
)

_STATUS_LINE = re.compile(rb"^(HTTP/\d\.\d) (\d{3}) (.*)\r\n$")
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")

REASONS = {200: "OK", 201: "Created", 404: "Not Found"}


@dataclass
class Request:
    """One request, kept as the exact bytes that go on the wire."""

    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes = b""
    compact: frozenset[str] = frozenset()
    """Header names written without the (optional) space after the colon."""

    @property
    def label(self) -> str:
        return f"{self.method} {self.target}"

    def head(self) -> bytes:
        lines = [f"{self.method} {self.target} HTTP/1.1\r\n"]
        lines += [
            f"{name}:{value}\r\n" if name in self.compact else f"{name}: {value}\r\n"
            for name, value in self.headers
        ]
        return ("".join(lines) + "\r\n").encode("latin-1")

    def encode(self) -> bytes:
        return self.head() + self.body


def request(
    port: int,
    method: str,
    target: str,
    headers: list[tuple[str, str]] | None = None,
    body: bytes = b"",
) -> Request:
    """A request with a Host header first, then ``headers``, and Content-Length for a body."""
    all_headers = [("Host", f"127.0.0.1:{port}"), *(headers or [])]
    if body or method == "POST":
        all_headers.append(("Content-Length", str(len(body))))
    return Request(method, target, all_headers, body)


@dataclass
class Response:
    status_line: bytes
    header_lines: list[bytes]
    headers: list[tuple[str, str]]
    body: bytes = b""
    chunked: bool = False
    wire_body: bytes = b""
    body_read: bool = False

    @property
    def status(self) -> int:
        match = _STATUS_LINE.match(self.status_line)
        return int(match.group(2)) if match else 0

    @property
    def status_text(self) -> str:
        return self.status_line.decode("latin-1").rstrip("\r\n")

    def header(self, name: str) -> str | None:
        """The value of header ``name`` (any case), or None; several are joined with ", "."""
        values = self.all(name)
        return ", ".join(values) if values else None

    def all(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]

    def has(self, name: str) -> bool:
        return bool(self.all(name))

    @property
    def head_bytes(self) -> bytes:
        return self.status_line + b"".join(self.header_lines) + b"\r\n"


@dataclass
class Exchange:
    """What was sent and what came back on one connection, for failure messages."""

    conn_name: str
    request: Request | None
    sent: bytes
    received_lines: list[bytes] = field(default_factory=list)
    response: Response | None = None


def _lines(data: bytes, limit: int = 40) -> list[str]:
    parts = data.splitlines(keepends=True)
    shown = [f"  {show(part, 160)}" for part in parts[:limit]]
    if len(parts) > limit:
        shown.append(f"  … ({len(parts) - limit} more lines)")
    return shown


def describe_request(conn_name: str, sent: bytes, request: Request | None) -> list[str]:
    if request is None:
        return [f"{conn_name} sent:", *_lines(sent)]
    lines = [f"{conn_name} sent:", *_lines(request.head())]
    if request.body:
        lines.append(f"  (body) {show(request.body, 120)}")
    return lines


def describe_response(exchange: Exchange, partial: bytes = b"") -> list[str]:
    response = exchange.response
    if response is None:
        got = b"".join(exchange.received_lines) + partial
        if not got:
            return ["response received: nothing"]
        return ["response received (incomplete):", *_lines(got)]
    lines = ["response received:", *_lines(response.head_bytes)]
    if not response.body_read:
        pass
    elif response.body or response.wire_body:
        framing = "chunked, decoded " if response.chunked else ""
        lines.append(f"  (body, {framing}{len(response.body)} bytes) {show(response.body, 120)}")
    else:
        lines.append("  (no body)")
    return lines


def failure(exchange: Exchange, problem: str, hint: str | None = None, partial: bytes = b"") -> StageFailure:
    what = exchange.request.label if exchange.request else "the request"
    text = "\n".join(
        [
            f"{what}: {problem}",
            *describe_request(exchange.conn_name, exchange.sent, exchange.request),
            *describe_response(exchange, partial),
        ]
    )
    return StageFailure(text, hint)


class HttpConnection:
    """A TCP connection to the program that speaks HTTP/1.1 byte by byte."""

    def __init__(self, h: Harness, conn: Connection) -> None:
        self.h = h
        self.conn = conn
        self.name = conn.name

    def send(self, req: Request | bytes, describe: str | None = None) -> Exchange:
        data = req.encode() if isinstance(req, Request) else req
        what = f"{describe} " if describe else ""
        self.h.log(f"{self.name}: > {what}{show(data, 300)}")
        self.conn.send(data)
        return Exchange(self.name, req if isinstance(req, Request) else None, data)

    def send_requests(self, requests: list[Request], describe: str) -> list[Exchange]:
        """Several requests in one write (pipelining)."""
        data = b"".join(r.encode() for r in requests)
        self.h.log(f"{self.name}: > {describe} {show(data, 400)}")
        self.conn.send(data)
        return [Exchange(self.name, r, r.encode()) for r in requests]

    # --- reading -------------------------------------------------------------------------
    def _line(self, exchange: Exchange, waiting_for: str, hint: str | None, timeout: float) -> bytes:
        try:
            line = self.conn.read_until(b"\n", timeout=timeout, waiting_for=waiting_for, limit=64 * 1024)
        except ProgramIOError as exc:
            reason = _ended(exc, timeout)
            if not exchange.received_lines and not exc.received:
                if isinstance(exc, ReadTimeout):
                    problem = f"expected a response within {timeout:g} s, got nothing"
                else:
                    problem = f"{reason} without a response (your program sent nothing)"
                raise failure(exchange, problem, hint) from None
            raise failure(
                exchange, f"expected {waiting_for}, but {reason}", hint, partial=exc.received
            ) from None
        if not line.endswith(b"\r\n"):
            exchange.received_lines.append(line)
            raise failure(
                exchange,
                f'this line ends with "\\n" alone, not "\\r\\n": {show(line)}',
                HINT_LF,
            )
        return line

    def read_head(self, exchange: Exchange, timeout: float = READ_TIMEOUT_S) -> Response:
        status = self._line(exchange, 'a status line such as "HTTP/1.1 200 OK\\r\\n"', None, timeout)
        exchange.received_lines.append(status)
        match = _STATUS_LINE.match(status)
        if not match:
            raise failure(exchange, _bad_status_line(status), _status_line_hint(status))
        if match.group(1) != b"HTTP/1.1":
            raise failure(
                exchange,
                f"the status line starts with {match.group(1).decode()}, expected HTTP/1.1",
                "an HTTP/1.1 server answers with the version HTTP/1.1",
            )
        header_lines: list[bytes] = []
        headers: list[tuple[str, str]] = []
        while True:
            line = self._line(
                exchange, 'the next header line or the empty line "\\r\\n"', HINT_BLANK_LINE, timeout
            )
            exchange.received_lines.append(line)
            if line == b"\r\n":
                break
            if len(header_lines) >= MAX_HEAD_LINES:
                raise failure(exchange, f"more than {MAX_HEAD_LINES} header lines", HINT_BLANK_LINE)
            name, sep, value = line[:-2].decode("latin-1").partition(":")
            if not sep or not _TOKEN.match(name):
                raise failure(
                    exchange,
                    f"this is not a header line (Name: value): {show(line)}",
                    _header_line_hint(line, header_lines),
                )
            header_lines.append(line)
            headers.append((name, value.strip(" \t")))
        response = Response(status, header_lines, headers)
        exchange.response = response
        return response

    def read_response(
        self, exchange: Exchange, *, body: bool = True, timeout: float = READ_TIMEOUT_S
    ) -> Response:
        """The whole response; with ``body=False`` only the status line and headers."""
        response = self.read_head(exchange, timeout)
        if body:
            self._read_body(exchange, response, timeout)
        self.h.log(f"{self.name}: < {show(response.head_bytes + response.wire_body, 300)}")
        return response

    def _read_body(self, exchange: Exchange, response: Response, timeout: float) -> None:
        response.body_read = True
        encodings = [v.strip().lower() for v in ",".join(response.all("Transfer-Encoding")).split(",")]
        encodings = [e for e in encodings if e]
        if encodings:
            if encodings[-1] != "chunked":
                raise failure(
                    exchange,
                    f"Transfer-Encoding is {response.header('Transfer-Encoding')}: "
                    "the last transfer coding must be chunked",
                    "leave Transfer-Encoding out and send Content-Length",
                )
            self._read_chunked(exchange, response, timeout)
            return
        lengths = response.all("Content-Length")
        if not lengths:
            raise failure(exchange, "the response has no Content-Length header", HINT_FRAMING)
        if len(set(lengths)) > 1 or not lengths[0].isdigit():
            raise failure(
                exchange,
                f"Content-Length must be one number of bytes, got {', '.join(map(repr, lengths))}",
                "send exactly one Content-Length header whose value is the body's length in bytes",
            )
        length = int(lengths[0])
        try:
            response.body = self.conn.read_exactly(length, timeout=timeout, waiting_for="the body")
        except ProgramIOError as exc:
            response.body = response.wire_body = exc.received
            raise failure(
                exchange,
                f"Content-Length is {length}, but only {len(exc.received)} bytes of body arrived "
                f"(then {_ended(exc, timeout)})",
                "Content-Length must be the number of bytes of the body you send (len() of the body "
                "bytes as sent): here it is larger than the body",
            ) from None
        response.wire_body = response.body

    def _read_chunked(self, exchange: Exchange, response: Response, timeout: float) -> None:
        response.chunked = True
        wire = b""
        body = b""
        hint = "a chunked body is <size in hex>\\r\\n<data>\\r\\n …, ending with 0\\r\\n\\r\\n"
        while True:
            try:
                size_line = self.conn.read_until(b"\r\n", timeout=timeout, waiting_for="a chunk size line")
                size_text = size_line[:-2].split(b";")[0].strip()
                size = int(size_text, 16)
                chunk = self.conn.read_exactly(size + 2, timeout=timeout, waiting_for="a chunk")
            except (ProgramIOError, ValueError) as exc:
                got = exc.received if isinstance(exc, ProgramIOError) else b""
                raise failure(
                    exchange, f"the chunked body is broken after {show(wire + got, 160)}", hint
                ) from None
            wire += size_line + chunk
            if chunk[-2:] != b"\r\n":
                raise failure(exchange, f"chunk data is not followed by \\r\\n: {show(chunk, 120)}", hint)
            if size == 0:
                break
            body += chunk[:-2]
        # A zero-size chunk line is followed by optional trailer fields and an empty line;
        # the \r\n read with the last chunk is that empty line when there are no trailers.
        response.body = body
        response.wire_body = wire

    def leftover(self, quiet_for: float = 0.1) -> bytes:
        """Bytes the program sent beyond the response (for hints), without failing."""
        try:
            return self.conn.read_available(quiet_for)
        except ProgramIOError as exc:
            return exc.received

    def closed_by_peer(self, wait: float = 0.05) -> bool:
        """Whether the program has closed (or reset) the connection, waiting up to ``wait`` s."""
        if self.conn.peek():
            return False
        readable, _, _ = select.select([self.conn.sock], [], [], min(wait, self.h.remaining()))
        if not readable:
            return False
        try:
            return self.conn.sock.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def expect_close(self, exchange: Exchange, timeout: float, hint: str) -> None:
        """The program must close the connection (EOF) within ``timeout`` seconds."""
        try:
            self.conn.read_until(b"\x00never\x00", timeout=timeout, waiting_for="the connection to close")
        except ProgramIOError as exc:
            if isinstance(exc, ConnectionClosed):
                return
            extra = f" (it sent {show(exc.received, 120)} instead)" if exc.received else ""
            raise failure(
                exchange,
                f"after the response, the connection stayed open for {timeout:g} s{extra}",
                hint,
            ) from None

    def close(self) -> None:
        self.conn.close()


def _ended(exc: ProgramIOError, timeout: float) -> str:
    """How the wait for more bytes ended, in words."""
    if isinstance(exc, ReadTimeout):
        return f"nothing came for {timeout:g} s"
    if "reset" in exc.message:
        return "the connection was reset"
    return "the connection closed"


def _bad_status_line(line: bytes) -> str:
    return f'expected a status line such as "HTTP/1.1 200 OK\\r\\n", got {show(line)}'


def _status_line_hint(line: bytes) -> str | None:
    if line == b"\r\n":
        return (
            'an empty line came where a status line should start: is a stray "\\r\\n" sent '
            "after the previous body (not counted in its Content-Length), or an empty line before "
            "the status line?"
        )
    text = line.decode("latin-1")
    if text.lower().startswith("http/") and not text.startswith("HTTP/"):
        return "the protocol name is upper case: HTTP/1.1"
    if re.match(r"^HTTP/1\.1\s*\d{3}\S", text) or re.match(r"^HTTP/1\.1\d", text):
        return "the three parts are separated by single spaces: HTTP/1.1 SP status code SP reason phrase"
    if re.match(r"^HTTP/1\.1 \d{3}\r\n$", text):
        return "after the status code comes a space and the reason phrase, e.g. HTTP/1.1 200 OK"
    if re.match(r"^\d{3} ", text):
        return "a status line starts with the version: HTTP/1.1 200 OK"
    return "a status line is: HTTP/1.1, a space, the 3-digit status code, a space, the reason phrase, \\r\\n"


def _header_line_hint(line: bytes, before: list[bytes]) -> str:
    if not before and line.strip() and b":" not in line:
        return (
            "the body must come after the empty line that ends the headers: is the "
            '"\\r\\n" before the body missing?'
        )
    if re.match(rb"^\S+ \s*:", line):
        return "no space is allowed between a header name and its colon: Content-Type: text/plain"
    return "each header is Name: value on its own line, e.g. Content-Type: text/plain\\r\\n"


def media_type(value: str | None) -> str:
    """The media type of a Content-Type value, lower case, without parameters."""
    return (value or "").split(";")[0].strip().lower()
