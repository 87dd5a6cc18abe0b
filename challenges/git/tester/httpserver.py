"""A loopback HTTP server that serves repositories over git's smart HTTP protocol.

Each request is handed to ``git http-backend`` as a CGI program, the way a web server in
front of a git host does it; the server only translates HTTP to CGI and back. It runs in a
thread of the tester (no process to leak), and records one line per request so the tester
can show the learner what their program asked for.
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from crack.harness.bytes_display import show

BACKEND_TIMEOUT_S = 20.0
MAX_BODY_BYTES = 16 * 1024 * 1024


@dataclass
class Exchange:
    """One request the server answered: what came in, and what went back."""

    method: str
    path: str
    git_protocol: str
    request_body: bytes
    status: int
    content_type: str
    response_body: bytes

    def describe(self) -> str:
        line = f"{self.method} {self.path}"
        if self.git_protocol:
            line += f" (Git-Protocol: {self.git_protocol})"
        if self.method == "POST":
            line += f", body {show(self.request_body, 160)}"
        return f"{line} → {self.status} {self.content_type or '(no content type)'}"


@dataclass
class _ServerState:
    project_root: Path
    env: Mapping[str, str]
    exchanges: list[Exchange] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    server_version = "crack-git-http"
    protocol_version = "HTTP/1.0"
    state: _ServerState  # set on the subclass made per server

    def log_message(self, format: str, *args: object) -> None:
        pass  # every request is recorded as an Exchange instead

    def do_GET(self) -> None:
        self._serve(b"")

    def do_POST(self) -> None:
        try:
            body = self._read_body()
        except ValueError as exc:
            self._reply(400, "text/plain", f"bad request body: {exc}\n".encode(), b"")
            return
        self._serve(body)

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = bytearray()
            while True:
                size_line = self.rfile.readline(1024)
                if not size_line:
                    raise ValueError("the chunked body ended early")
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024).strip():
                        pass  # trailers
                    return bytes(chunks)
                chunks += self.rfile.read(size)
                self.rfile.readline(1024)
                if len(chunks) > MAX_BODY_BYTES:
                    raise ValueError("the body is too large")
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            raise ValueError("the body is too large")
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self, body: bytes) -> None:
        state = self.state
        url = urlsplit(self.path)
        protocol = self.headers.get("Git-Protocol", "")
        env = {
            **state.env,
            "GIT_PROJECT_ROOT": str(state.project_root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "GATEWAY_INTERFACE": "CGI/1.1",
            "SERVER_PROTOCOL": "HTTP/1.0",
            "SERVER_SOFTWARE": self.server_version,
            "REQUEST_METHOD": self.command,
            "PATH_INFO": url.path,
            "QUERY_STRING": url.query,
            "REMOTE_ADDR": self.client_address[0],
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
        }
        if self.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
        if protocol:
            env["GIT_PROTOCOL"] = protocol
        try:
            result = subprocess.run(
                ["git", "http-backend"],
                input=body,
                env=env,
                capture_output=True,
                timeout=BACKEND_TIMEOUT_S,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            self._reply(500, "text/plain", f"git http-backend failed: {exc}\n".encode(), body)
            return
        head, sep, payload = result.stdout.partition(b"\r\n\r\n")
        if not sep:
            head, sep, payload = result.stdout.partition(b"\n\n")
        status, content_type, headers = 200, "", []
        for raw in head.splitlines():
            name, _, value = raw.decode("latin-1").partition(":")
            value = value.strip()
            if name.lower() == "status":
                status = int(value.split()[0])
            elif name.lower() == "content-type":
                content_type = value
            elif name.lower() not in ("content-length", "connection"):
                headers.append((name, value))
        if not sep:
            status, content_type, payload = 500, "text/plain", result.stderr or b"no output\n"
        self._reply(status, content_type, payload, body, headers, protocol)

    def _reply(
        self,
        status: int,
        content_type: str,
        payload: bytes,
        request_body: bytes,
        headers: list[tuple[str, str]] | None = None,
        protocol: str = "",
    ) -> None:
        with self.state.lock:
            self.state.exchanges.append(
                Exchange(self.command, self.path, protocol, request_body, status, content_type, payload)
            )
        try:
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            for name, value in headers or []:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            pass  # the client went away; its side of the story is in the tester's checks


class SmartHttpServer:
    """Serves every repository under ``project_root`` at ``http://127.0.0.1:PORT/<name>``."""

    def __init__(self, project_root: Path, env: Mapping[str, str] | None = None, port: int = 0) -> None:
        """Listen on 127.0.0.1:``port`` (0: any free port) and serve in a thread."""
        state = _ServerState(project_root, dict(env if env is not None else os.environ))
        handler = type("Handler", (_Handler,), {"state": state})
        self._state = state
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._httpd.daemon_threads = True
        self.port: int = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="git-http", daemon=True)
        self._thread.start()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    @property
    def exchanges(self) -> list[Exchange]:
        with self._state.lock:
            return list(self._state.exchanges)

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(2.0)
