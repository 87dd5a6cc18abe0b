"""The flaky upstream of the retry and circuit-breaker stages, run by the tester.

Each connection is one request: the program sends a line, and the upstream answers as the
next entry of its script says: ``ok`` (``OK <token>``), an HTTP-like error code
(``ERROR 503``), ``reset`` (a TCP reset after reading the request, as a crashed server
gives; see :func:`crack.harness.peers`) or ``close`` (closed without a reply). The tester
scripts the outcomes of the next attempts before each call and counts the connections, so
it knows whether the program called the upstream at all (a breaker that is open must not).
A connection past the end of the script answers ``ERROR 500`` and is counted as
unexpected.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections import deque
from collections.abc import Iterable

from crack.harness.peers import LoopbackListener, reset

TRANSIENT = ("503", "502", "reset", "close")
PERMANENT = ("400", "404")


class ScriptedUpstream(LoopbackListener):
    def __init__(self) -> None:
        self.connections = 0
        self.tokens = 0
        self._script: deque[str] = deque()
        self._lock = threading.Lock()
        super().__init__("upstream")

    def script(self, outcomes: Iterable[str]) -> None:
        """The outcomes of the next connections, in order (replacing what is left)."""
        with self._lock:
            self._script = deque(outcomes)

    def token(self) -> str:
        """The body the next ``ok`` will answer (so the tester can expect it)."""
        return f"token-{self.tokens + 1}"

    def handle(self, conn: socket.socket) -> None:
        with self._lock:
            self.connections += 1
            outcome = self._script.popleft() if self._script else "500"
        self._answer(conn, outcome)

    def _answer(self, conn: socket.socket, outcome: str) -> None:
        conn.settimeout(2.0)
        with contextlib.suppress(OSError):
            data = b""
            while b"\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
            if outcome == "reset":
                reset(conn)
                return
            if outcome == "ok":
                self.tokens += 1
                conn.sendall(f"OK token-{self.tokens}\n".encode())
            elif outcome != "close":
                conn.sendall(f"ERROR {outcome}\n".encode())
        conn.close()
