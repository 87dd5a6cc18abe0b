"""Sockets to the learner's program that log what crosses them and fail in plain words."""

from __future__ import annotations

import errno
import random
import socket
import time
from collections.abc import Callable
from pathlib import Path

from crack.harness.bytes_display import show
from crack.harness.failure import ConnectionClosed, ProgramIOError, ReadTimeout, StageFailure
from crack.harness.log import SessionLog
from crack.harness.peer_reads import PeerReads
from crack.harness.writes import WriteMode, WritePlan, write_in_pieces

HINT_REFUSED = (
    "nothing accepts connections on that port: does your program read the port from its "
    "arguments (--port N) and listen on it?"
)


EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
QUIET_LOW = 20000
"""The lowest port handed out when the kernel's ephemeral range leaves room below it."""
_pick = random.SystemRandom()


def _ephemeral_low() -> int | None:
    try:
        return int(EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def free_port(host: str = "127.0.0.1", *, udp: bool = False) -> int:
    """A TCP port nobody uses right now; with ``udp``, one that is free for UDP too.

    Picked below the kernel's ephemeral range where it leaves room: a port from that range
    (what bind to port 0 gives) can be taken by any outgoing connection on the machine
    between this pick and the program's own bind, and the program then fails with "Address
    already in use"; a port below it can only be taken by another bind."""
    low = _ephemeral_low()
    quiet = low is not None and low - QUIET_LOW >= 1000
    for _ in range(100):
        wanted = _pick.randrange(QUIET_LOW, low) if quiet and low is not None else 0
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((host, wanted))
            except OSError:
                continue
            port = int(sock.getsockname()[1])
            if not udp:
                return port
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as datagram:
                try:
                    datagram.bind((host, port))
                except OSError:
                    continue
                return port
    raise OSError("no port is free for both TCP and UDP" if udp else "no TCP port is free")


def try_connect(host: str, port: int, timeout: float = 0.5) -> socket.socket | None:
    try:
        return socket.create_connection((host, port), timeout=timeout)
    except OSError:
        return None


class Connection:
    """A TCP connection to the learner's program with a read buffer.

    Every read takes a timeout, cut short by the stage's deadline (``remaining``). Writes
    go out as ``writes`` cuts them (see :mod:`crack.harness.writes`); without a plan, whole.
    """

    def __init__(
        self,
        sock: socket.socket,
        name: str,
        log: SessionLog,
        remaining: Callable[[], float],
        *,
        show_bytes: bool = True,
        writes: WritePlan | None = None,
    ) -> None:
        self.sock = sock
        self.writes = writes or WritePlan(WriteMode.WHOLE, random.Random(0))
        self.name = name
        self.log = log
        self.show_bytes = show_bytes
        self._remaining = remaining
        self._buffer = b""
        self._peer: PeerReads | None = None
        """Ends the pauses of cut writes once the program has read a piece."""
        self.closed = False
        self.received_bytes = 0
        """Every byte the program sent on this connection (a silent one may be unflushed)."""

    # --- sending -------------------------------------------------------------------------
    def send(self, data: bytes, *, describe: str | None = None, mode: WriteMode | None = None) -> None:
        """Send ``data``, cut as this connection's plan says (``mode`` overrides it for this
        message: ``WriteMode.WHOLE`` keeps several pipelined messages in one write)."""
        if self.show_bytes:
            what = f"{describe} " if describe else ""
            self.log.tester(f"{self.name}: sending {what}{show(data)}")
        try:
            if self._peer is None:
                self._peer = PeerReads(self.sock)
            write_in_pieces(self.writes, data, self.sock.sendall, self._remaining, mode, self._peer.pause)
        except (BrokenPipeError, ConnectionResetError):
            # The program has closed the connection. Whether that shows at this send or at
            # the next read is a race; the next read reports it, so the verdict is the same.
            pass
        except OSError:
            if not self.closed:  # closed by the harness when time is up: the stage ends anyway
                raise

    # --- receiving -----------------------------------------------------------------------
    def _fill(self, timeout: float, waiting_for: str) -> None:
        """Read at least one more byte into the buffer or raise a ProgramIOError."""
        timeout = min(timeout, self._remaining())
        self.sock.settimeout(max(timeout, 0.001))
        try:
            chunk = self.sock.recv(65536)
        except TimeoutError:
            got = f"got {show(self._buffer)} and then nothing" if self._buffer else "got nothing"
            raise ReadTimeout(
                f"{self.name}: expected {waiting_for} within {timeout:.1f} s, {got}",
                received=self._buffer,
            ) from None
        except ConnectionResetError:
            # A reset is how a close looks when unread bytes were still in flight: which
            # of the two a learner gets is a race, so both read the same.
            chunk = b""
        if not chunk:
            self.closed = True
            got = f" after sending {show(self._buffer)}" if self._buffer else ""
            raise ConnectionClosed(
                f"{self.name}: your program closed the connection{got} while crack waited for {waiting_for}",
                hint="a server keeps each connection open and answers every command on it",
                received=self._buffer,
            )
        if self.show_bytes:
            self.log.tester(f"{self.name}: received {show(chunk)}")
        self.received_bytes += len(chunk)
        self._buffer += chunk

    def peek(self) -> bytes:
        return self._buffer

    def read_exactly(self, n: int, timeout: float = 2.0, waiting_for: str = "a reply") -> bytes:
        deadline = time.monotonic() + timeout
        while len(self._buffer) < n:
            self._fill(max(deadline - time.monotonic(), 0.001), waiting_for)
        data, self._buffer = self._buffer[:n], self._buffer[n:]
        return data

    def read_until(
        self, delimiter: bytes, timeout: float = 2.0, waiting_for: str = "a reply", limit: int = 1 << 20
    ) -> bytes:
        """Bytes up to and including ``delimiter``."""
        deadline = time.monotonic() + timeout
        while (index := self._buffer.find(delimiter)) < 0:
            if len(self._buffer) > limit:
                raise StageFailure(
                    f"{self.name}: expected {waiting_for}, got {len(self._buffer)} bytes without "
                    f"{show(delimiter)}: {show(self._buffer)}"
                )
            self._fill(max(deadline - time.monotonic(), 0.001), waiting_for)
        end = index + len(delimiter)
        data, self._buffer = self._buffer[:end], self._buffer[end:]
        return data

    def read_available(self, quiet_for: float = 0.1) -> bytes:
        """Whatever arrives until the program is silent for ``quiet_for`` seconds."""
        try:
            while True:
                self._fill(quiet_for, "more bytes")
        except ReadTimeout:
            pass
        data, self._buffer = self._buffer, b""
        return data

    def expect_silence(self, quiet_for: float, why: str) -> None:
        """Fail if the program sends anything within ``quiet_for`` seconds."""
        try:
            self._fill(quiet_for, "nothing")
        except ReadTimeout:
            return
        except ConnectionClosed:
            return
        raise StageFailure(f"{self.name}: expected no reply {why}, got {show(self._buffer)}")

    def close(self) -> None:
        if self._peer is not None:
            self._peer.close()
        if not self.closed:
            self.closed = True
            try:
                self.sock.close()
            except OSError:
                pass


class UdpEndpoint:
    """A UDP socket talking to the learner's program, datagram by datagram."""

    def __init__(
        self, host: str, port: int, name: str, log: SessionLog, remaining: Callable[[], float]
    ) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        self.sock.connect((host, port))
        self.name = name
        self.log = log
        self._remaining = remaining

    def send(self, data: bytes) -> None:
        self.log.tester(f"{self.name}: sending datagram {show(data)}")
        self.sock.send(data)

    def receive(self, timeout: float = 2.0, waiting_for: str = "a reply datagram") -> bytes:
        timeout = min(timeout, self._remaining())
        self.sock.settimeout(max(timeout, 0.001))
        try:
            data = self.sock.recv(65535)
        except TimeoutError:
            raise ReadTimeout(
                f"{self.name}: expected {waiting_for} within {timeout:.1f} s, got nothing"
            ) from None
        except ConnectionRefusedError:
            raise ProgramIOError(
                f"{self.name}: nothing listens on that UDP port (the datagram was refused)",
                hint="does your program bind a UDP socket on the port it was given?",
            ) from None
        self.log.tester(f"{self.name}: received datagram {show(data)}")
        return data

    def close(self) -> None:
        self.sock.close()


def describe_connect_error(exc: OSError, port: int) -> StageFailure:
    if exc.errno == errno.ECONNREFUSED:
        return StageFailure(f"could not connect to port {port}: connection refused", HINT_REFUSED)
    return StageFailure(f"could not connect to port {port}: {exc.strerror or exc}")
