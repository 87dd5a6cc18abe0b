"""The tester's own backends: small HTTP/1.1 servers running as threads in the tester.

Each backend answers every request with its name in the body (``b2 GET /path\\n``) and in
an ``X-Backend`` header, records what it received (so the tester can see where the load
balancer sent traffic, and when), and answers its health path with 200. The query string
steers a response:

- ``delay_ms=N``  answer after N ms (cut short when the tester releases the backend);
- ``hold=ID``     answer only once the tester calls :meth:`Backend.release` (bounded);
- ``status=N``    answer with that status code;
- ``size=N``      a body of N bytes (a fixed pattern) instead of the name line;
- ``chunked=1``   send the body with chunked transfer encoding;
- ``echo=1``      the body is the request body.

A backend can be stopped in two ways: :meth:`Backend.kill` closes its port (connections
are refused, like a process that died), :meth:`Backend.crash` keeps the port open but hangs
up on every request without answering (and records that the request came). It can report
itself unhealthy on its health path while still serving (:attr:`Backend.health_status`).
Everything is bounded: no call here blocks longer than a few seconds.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from enum import Enum
from urllib.parse import parse_qs, urlsplit

from crack.harness.peers import RefusingPort

HOLD_LIMIT_S = 15.0
"""A held request is answered after this long even if the tester never releases it."""

HEAD_LIMIT = 64 * 1024


class State(Enum):
    UP = "up"
    CRASHED = "crashed"  # the port accepts, the backend hangs up without answering
    HANGING = "hanging"  # the port accepts, the backend reads and never answers nor closes
    DOWN = "down"  # the port is closed


@dataclass
class Request:
    """One request as a backend received it."""

    backend: str
    at: float  # time.monotonic() when its head arrived
    method: str
    target: str  # path and query, as sent
    headers: list[tuple[str, str]]
    body: bytes
    answered: bool = True  # False when the backend was crashed and hung up

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


@dataclass
class _Hold:
    event: threading.Event = field(default_factory=threading.Event)


class BadRequest(Exception):
    pass


def pattern_body(size: int) -> bytes:
    """``size`` bytes of a recognisable, position-dependent pattern."""
    chunk = bytes(range(256)) * 4
    out = (chunk * (size // len(chunk) + 1))[:size]
    return out


class Backend:
    """One backend HTTP server on 127.0.0.1, started at once on a free port."""

    def __init__(self, name: str, health_path: str = "/health", port: int = 0) -> None:
        self.name = name
        self.host = "127.0.0.1"
        self.health_path = health_path
        self.health_status = 200
        self.state = State.DOWN
        self.requests: list[Request] = []
        self.health_checks: list[float] = []
        self.arriving: dict[str, Request] = {}
        """Requests by target from the moment their head arrived, the body as far as it came."""
        self.state_changed_at = time.monotonic()
        self._lock = threading.Lock()
        self._active = 0
        self._holds: dict[str, _Hold] = {}
        self._release_all = threading.Event()
        self._connections: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._refusing: RefusingPort | None = None
        self.port = port
        self._open(first=True)

    # --- lifecycle -----------------------------------------------------------------------
    def _open(self, first: bool = False) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError:
            if not first or self.port == 0:
                raise
            sock.bind((self.host, 0))  # somebody took the free port meanwhile: any will do
        sock.listen(128)
        self.port = sock.getsockname()[1]
        self._listener = sock
        self._set_state(State.UP)
        threading.Thread(
            target=self._accept_loop, args=(sock,), name=f"backend-{self.name}", daemon=True
        ).start()

    def _set_state(self, state: State) -> None:
        self.state = state
        self.state_changed_at = time.monotonic()

    def kill(self) -> None:
        """Close the port and every open connection: connections are refused from now on
        (the port stays reserved, so nothing else can answer on it)."""
        self._set_state(State.DOWN)
        listener, self._listener = self._listener, None
        if listener is not None:
            _shutdown(listener)
            if self._refusing is None:
                self._refusing = RefusingPort(self.port, self.host)
        self._drop_connections()

    def hang(self) -> None:
        """Keep accepting connections and reading requests, health checks included, but
        never answer nor close them: only a timeout tells the balancer."""
        self._set_state(State.HANGING)

    def crash(self) -> None:
        """Keep the port open but hang up on every request without answering."""
        self._set_state(State.CRASHED)
        self._drop_connections()

    def revive(self) -> None:
        """Answer again (reopening the port if it was closed)."""
        if self._listener is None:
            self._release_port()
            self._open()
        else:
            self._set_state(State.UP)

    def close(self) -> None:
        self.release()
        self.kill()
        self._release_port()

    def _release_port(self) -> None:
        refusing, self._refusing = self._refusing, None
        if refusing is not None:
            refusing.stop()

    def _drop_connections(self) -> None:
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            _shutdown(conn, reset=True)

    # --- holding requests ----------------------------------------------------------------
    def release(self, hold: str | None = None) -> None:
        """Let held (and delayed) requests answer: one hold ID, or all of them."""
        with self._lock:
            if hold is None:
                self._release_all.set()
                holds = list(self._holds.values())
            else:
                holds = [self._holds.setdefault(hold, _Hold())]
        for h in holds:
            h.event.set()

    @property
    def active(self) -> int:
        """Requests (not health checks) received and not yet answered."""
        with self._lock:
            return self._active

    def traffic(self, since: float = 0.0) -> list[Request]:
        """Requests other than health checks received at or after ``since``."""
        with self._lock:
            return [r for r in self.requests if r.at >= since]

    def received(self, target: str) -> Request | None:
        with self._lock:
            for request in self.requests:
                if request.target == target:
                    return request
        return None

    # --- serving -------------------------------------------------------------------------
    def _accept_loop(self, listener: socket.socket) -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with self._lock:
                self._connections.add(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        buffer = b""
        try:
            conn.settimeout(HOLD_LIMIT_S)
            while True:
                request, buffer, keep_alive = self._read_request(conn, buffer)
                if request is None:
                    return
                if not self._answer(conn, request):
                    return
                if not keep_alive:
                    return
        except (OSError, ValueError, BadRequest):
            return  # the connection was closed, reset, or carried something that is not HTTP
        finally:
            with self._lock:
                self._connections.discard(conn)
            _shutdown(conn)

    def _read_request(self, conn: socket.socket, buffer: bytes) -> tuple[Request | None, bytes, bool]:
        while b"\r\n\r\n" not in buffer:
            if len(buffer) > HEAD_LIMIT:
                raise BadRequest
            chunk = conn.recv(65536)
            if not chunk:
                return None, b"", False
            buffer += chunk
        at = time.monotonic()
        head, _, buffer = buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3:
            raise BadRequest
        method, target, version = parts
        headers = []
        for line in lines[1:]:
            key, sep, value = line.partition(":")
            if sep:
                headers.append((key.strip(), value.strip()))
        request = Request(self.name, at, method, target, headers, b"")
        with self._lock:
            self.arriving[target] = request
        te = (request.header("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            body, buffer = _read_chunked(conn, buffer)
        else:
            length = int(request.header("Content-Length") or 0)
            request.body = buffer[:length]
            while len(buffer) < length:
                chunk = conn.recv(65536)
                if not chunk:
                    raise BadRequest
                buffer += chunk
                request.body = buffer[:length]
            body, buffer = buffer[:length], buffer[length:]
        request.body = body
        connection = (request.header("Connection") or "").lower()
        keep_alive = version == "HTTP/1.1" and "close" not in connection
        return request, buffer, keep_alive

    def _answer(self, conn: socket.socket, request: Request) -> bool:
        """Answer one request; False when the connection must end."""
        if self.state is State.HANGING:
            with self._lock:
                if request.path == self.health_path:
                    self.health_checks.append(request.at)
                else:
                    request.answered = False
                    self.requests.append(request)
            while self.state is State.HANGING:
                time.sleep(0.02)
            return False
        if request.path == self.health_path:
            with self._lock:
                self.health_checks.append(request.at)
            if self.state is not State.UP:
                _shutdown(conn, reset=True)
                return False
            status = self.health_status
            _send(conn, status, b"ok\n" if status < 400 else b"unhealthy\n", [("X-Backend", self.name)])
            return True
        if self.state is not State.UP:
            request.answered = False
            with self._lock:
                self.requests.append(request)
            _shutdown(conn, reset=True)
            return False
        with self._lock:
            self.requests.append(request)
            self._active += 1
        try:
            query = {k: v[-1] for k, v in parse_qs(urlsplit(request.target).query).items()}
            self._wait(query)
            if self.state is not State.UP:  # killed while the request was held
                _shutdown(conn, reset=True)
                return False
            status = int(query.get("status", "200"))
            if query.get("echo"):
                body = request.body
            elif "size" in query:
                body = pattern_body(int(query["size"]))
            else:
                body = f"{self.name} {request.method} {request.target}\n".encode()
            headers = [("X-Backend", self.name), ("Content-Type", "text/plain")]
            if (request.header("Connection") or "").lower() == "close":
                headers.append(("Connection", "close"))
            _send(conn, status, body, headers, chunked=bool(query.get("chunked")))
        finally:
            with self._lock:
                self._active -= 1
        return True

    def _wait(self, query: dict[str, str]) -> None:
        if "hold" in query:
            with self._lock:
                hold = self._holds.setdefault(query["hold"], _Hold())
            hold.event.wait(HOLD_LIMIT_S)
        if "delay_ms" in query:
            self._release_all.wait(min(int(query["delay_ms"]) / 1000, HOLD_LIMIT_S))


REASONS = {200: "OK", 201: "Created", 404: "Not Found", 418: "I'm a teapot", 503: "Service Unavailable"}


def _send(
    conn: socket.socket, status: int, body: bytes, headers: list[tuple[str, str]], chunked: bool = False
) -> None:
    lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}"]
    lines += [f"{k}: {v}" for k, v in headers]
    if chunked:
        lines.append("Transfer-Encoding: chunked")
        payload = b""
        for i in range(0, len(body), 1000):
            piece = body[i : i + 1000]
            payload += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
        payload += b"0\r\n\r\n"
    else:
        lines.append(f"Content-Length: {len(body)}")
        payload = body
    conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload)


def _read_chunked(conn: socket.socket, buffer: bytes) -> tuple[bytes, bytes]:
    body = b""
    while True:
        while b"\r\n" not in buffer:
            chunk = conn.recv(65536)
            if not chunk:
                raise BadRequest
            buffer += chunk
        size_line, _, buffer = buffer.partition(b"\r\n")
        size = int(size_line.split(b";")[0].strip() or b"0", 16)
        while len(buffer) < size + 2:
            chunk = conn.recv(65536)
            if not chunk:
                raise BadRequest
            buffer += chunk
        if size == 0:
            # trailers end with an empty line
            while not buffer.startswith(b"\r\n") and b"\r\n\r\n" not in buffer:
                chunk = conn.recv(65536)
                if not chunk:
                    raise BadRequest
                buffer += chunk
            if buffer.startswith(b"\r\n"):
                return body, buffer[2:]
            return body, buffer.partition(b"\r\n\r\n")[2]
        body += buffer[:size]
        buffer = buffer[size + 2 :]


def _shutdown(sock: socket.socket, reset: bool = False) -> None:
    """End a socket, waking any thread blocked on it; with ``reset``, the peer gets an RST."""
    try:
        if reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.shutdown(socket.SHUT_RD)
        else:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass
