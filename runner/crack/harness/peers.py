"""Peers that misbehave: the upstreams and backends a tester runs, failing as real ones do.

A proxy, a load balancer or a forwarding resolver is only as good as what it does when the
server behind it fails. A tester whose backends always answer at once never sees the
learner's program wait forever on a backend that accepted and went silent, or hand a
client a closed connection when a backend refused. These peers fail on purpose, each in
one of the ways real ones do:

- :attr:`Misbehaviour.REFUSE`: nothing listens on the port (connect gets ECONNREFUSED);
- :attr:`Misbehaviour.HANG`: accepts, reads, never answers, never closes;
- :attr:`Misbehaviour.RESET`: accepts, then resets the connection (RST, not FIN);
- :attr:`Misbehaviour.GARBAGE`: accepts, answers bytes that are no protocol, closes;
- slow answers: :func:`later` sends a reply after a delay, from a timer thread.

Which misbehaviour a stage meets can come from the seed (:func:`pick`), so ``--seed``
replays it. Every peer listens on 127.0.0.1 only and is ended at the stage's teardown.
"""

from __future__ import annotations

import contextlib
import random
import socket
import struct
import threading
import time
from collections.abc import Callable, Sequence
from enum import StrEnum


class Misbehaviour(StrEnum):
    REFUSE = "refuse"
    HANG = "hang"
    RESET = "reset"
    GARBAGE = "garbage"


GARBAGE = b"\x00\xff garbage \x7f\r\n\r\n"
"""What a :attr:`Misbehaviour.GARBAGE` peer answers: no protocol's message."""


def pick(rng: random.Random, options: Sequence[Misbehaviour]) -> Misbehaviour:
    """One of ``options``, drawn from the stage's seeded generator."""
    return rng.choice(list(options))


class RefusingPort:
    """A port on which every connection is refused, reserved for the stage.

    The socket is bound but never listens: the kernel answers each SYN with a reset, and no
    other process can take the port while the stage runs (a port merely found free could be
    taken by anyone, and then answer)."""

    def __init__(self, port: int = 0, host: str = "127.0.0.1") -> None:
        """Reserve ``port`` (default: one the kernel picks); a port a server has just closed
        can be reserved at once."""
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self.port = int(self._sock.getsockname()[1])

    def stop(self) -> None:
        self._sock.close()


class LoopbackListener:
    """A TCP listener on 127.0.0.1 (a port the kernel picks) that hands each connection to
    :meth:`handle` from an accept thread of its own, until :meth:`stop`. A subclass sets up
    its own state before calling ``__init__``: the thread starts there."""

    def __init__(self, name: str) -> None:
        self._stop = threading.Event()
        self._open: list[socket.socket] = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._listener.settimeout(0.05)
        self.port = int(self._listener.getsockname()[1])
        self._thread = threading.Thread(target=self._accept_loop, name=name, daemon=True)
        self._thread.start()

    def handle(self, conn: socket.socket) -> None:
        raise NotImplementedError

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.handle(conn)

    def stop(self) -> None:
        """Stop accepting, and close the connections a subclass kept open."""
        self._stop.set()
        self._listener.close()
        self._thread.join(1.0)
        for conn in self._open:
            with contextlib.suppress(OSError):
                conn.close()


class MisbehavingPeer(LoopbackListener):
    """A TCP listener whose every connection meets ``behaviour`` (not REFUSE: use
    :class:`RefusingPort`). ``accepted`` counts connections; ``received`` holds what each
    hanging connection sent, so a tester can say what the program asked."""

    def __init__(self, behaviour: Misbehaviour) -> None:
        if behaviour is Misbehaviour.REFUSE:
            raise ValueError("a refusing peer is a RefusingPort")
        self.behaviour = behaviour
        self.accepted = 0
        self.received: list[bytes] = []
        self._lock = threading.Lock()
        super().__init__(f"peer-{behaviour}")

    def handle(self, conn: socket.socket) -> None:
        with self._lock:
            self.accepted += 1
            index = len(self.received)
            self.received.append(b"")
        if self.behaviour is Misbehaviour.HANG:
            self._open.append(conn)
            threading.Thread(target=self._drain, args=(conn, index), daemon=True).start()
        elif self.behaviour is Misbehaviour.RESET:
            reset(conn)
        else:
            with contextlib.suppress(OSError):
                conn.sendall(GARBAGE)
            conn.close()

    def _drain(self, conn: socket.socket, index: int) -> None:
        """Read what the program sends (so its writes never block) and answer nothing."""
        conn.settimeout(0.1)
        while not self._stop.is_set():
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not chunk:
                return
            with self._lock:
                self.received[index] += chunk


def reset(conn: socket.socket) -> None:
    """Close with SO_LINGER 0: the peer gets RST, as from a crashed or overloaded server."""
    with contextlib.suppress(OSError):
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


class Later:
    """A reply held back for ``delay`` seconds (a slow upstream); ``sent_at`` is when it
    went out (``time.monotonic()``), or None while it is still held."""

    def __init__(self, delay: float, send: Callable[[], object]) -> None:
        self.sent_at: float | None = None
        self._send = send
        self._timer = threading.Timer(delay, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.sent_at = time.monotonic()
        with contextlib.suppress(OSError):
            self._send()

    def cancel(self) -> None:
        self._timer.cancel()


def later(delay: float, send: Callable[[], object]) -> Later:
    """Call ``send`` after ``delay`` seconds, from a timer thread."""
    return Later(delay, send)
