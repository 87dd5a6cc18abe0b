"""When the program has read what the tester sent on a connection, asked of the kernel.

A cut write (see :mod:`crack.harness.writes`) pauses between its pieces so that the
program's read returns the first piece alone. A fixed pause is both too long and too short:
a program that is running reads a piece within a fraction of a millisecond, so most of the
pause is idle (a byte-by-byte write of 24 pieces spent 70 ms per message), and a program
that is not scheduled for longer than the pause gets two pieces in one read anyway.

The other end of a connection to a program on this machine is a socket in the kernel's
table, and its receive queue says how many bytes it has not read yet. The pause ends as soon
as that queue is empty, and never later than the fixed pause did. The socket is looked up
by its address through ``sock_diag`` (one exact lookup, no table dump). Where it cannot be
found (the program is elsewhere, or the interface is missing), the fixed pause is kept.
"""

from __future__ import annotations

import os
import socket
import struct
import time

from crack.harness.writes import Gap

_SOCK_DIAG_BY_FAMILY = 20
_NETLINK_SOCK_DIAG = 4
_NLM_F_REQUEST = 0x1
_ALL_STATES = 0xFFFFFFFF
_NO_COOKIE = 0xFFFFFFFF
_RQUEUE_OFFSET = 16 + 4 + 48 + 4
"""Where ``idiag_rqueue`` lies in a reply: netlink header, then ``inet_diag_msg``'s four
bytes of family/state/timer/retrans, its socket id and ``idiag_expires``."""

SPIN_S = 0.0005
"""How long the queue is asked again at once, giving up the core between two asks, before
the asks are spaced by :data:`POLL_S`. A running program reads a piece within tens of
microseconds; a sleep of even 0.2 ms comes back ten times later, and a byte-by-byte write
pays it for each of its 24 pieces (7.5 ms a message, against 1 ms when asking at once)."""

POLL_S = 0.0002
"""How often the queue is asked, after :data:`SPIN_S`, while the program has not read the
piece yet."""


def _address(family: int, host: str) -> bytes:
    packed = socket.inet_pton(family, host)
    return packed + bytes(16 - len(packed))


class PeerReads:
    """Watches the receive queue of the other end of one TCP connection of the tester's."""

    def __init__(self, sock: socket.socket) -> None:
        self._netlink: socket.socket | None = None
        self._request: bytes | None = None
        self._broken = False
        try:
            ours, theirs = sock.getsockname(), sock.getpeername()
            family = sock.family
            # The program's socket: local address is our peer's, remote address is ours.
            sockid = (
                struct.pack("!HH", theirs[1], ours[1])
                + _address(family, theirs[0])
                + _address(family, ours[0])
                + struct.pack("=III", 0, _NO_COOKIE, _NO_COOKIE)
            )
        except (OSError, ValueError, IndexError):
            self._broken = True
            return
        body = struct.pack("=BBBBI", family, socket.IPPROTO_TCP, 0, 0, _ALL_STATES) + sockid
        header = struct.pack("=IHHII", 16 + len(body), _SOCK_DIAG_BY_FAMILY, _NLM_F_REQUEST, 1, 0)
        self._request = header + body

    def unread(self) -> int | None:
        """Bytes the other end has not read yet; None when it cannot be told."""
        if self._broken or self._request is None:
            return None
        try:
            if self._netlink is None:
                self._netlink = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, _NETLINK_SOCK_DIAG)
                self._netlink.settimeout(1.0)
            self._netlink.send(self._request)
            reply = self._netlink.recv(8192)
        except OSError:
            self._stop()
            return None
        if len(reply) < _RQUEUE_OFFSET + 4:
            self._stop()
            return None
        _, kind = struct.unpack_from("=IH", reply)
        if kind != _SOCK_DIAG_BY_FAMILY:  # an error: no such socket here (another network)
            self._stop()
            return None
        return int(struct.unpack_from("=I", reply, _RQUEUE_OFFSET)[0])

    def wait_taken(self, longest: float, *, blind: float | None = None) -> None:
        """Return once the other end has read everything sent, or after ``longest``; where
        that cannot be told, after ``blind`` (by default ``longest``)."""
        start = time.monotonic()
        deadline, spin_until = start + longest, start + SPIN_S
        while True:
            now = time.monotonic()
            left = deadline - now
            if left <= 0:
                return
            unread = self.unread()
            if unread is None:  # cannot be told: the whole fixed pause
                fixed = longest if blind is None else blind
                time.sleep(max(start + fixed - now, 0.0))
                return
            if unread == 0:
                # Its read has copied the piece and returns within microseconds: give up
                # the core to it rather than sleep (a sleep costs a reschedule, milliseconds
                # on a loaded machine), so the next piece comes in a read of its own.
                os.sched_yield()
                return
            if now < spin_until:
                os.sched_yield()  # a program waiting for this core gets it at once
                continue
            time.sleep(min(POLL_S, left))

    def pause(self, gap: Gap) -> None:
        """The pause of a cut write (:func:`crack.harness.writes.write_in_pieces`)."""
        self.wait_taken(gap.watched, blind=gap.blind)

    def _stop(self) -> None:
        self._broken = True
        self.close()

    def close(self) -> None:
        if self._netlink is not None:
            self._netlink.close()
            self._netlink = None
