"""The tester's own seeders: BitTorrent peers that hold a torrent's data and serve it,
each with the misbehaviours a stage asks for.

A real swarm is not polite. Peers answer late, write a message in several pieces, start
with only some pieces and announce more with ``have``, choke in the middle of a piece
(dropping the requests they had), hang up, and now and then send a block whose piece does
not match its hash. Each :class:`Seeder` does those things on purpose, decided by the
stage's seed, and records what the program asked for so a failure can say it."""

from __future__ import annotations

import contextlib
import random
import socket
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from .bencode import decode_at, encode
from .torrents import BLOCK, Torrent

PSTR = b"\x13BitTorrent protocol"
CHOKE, UNCHOKE, INTERESTED, NOT_INTERESTED, HAVE, BITFIELD, REQUEST, PIECE, CANCEL = range(9)
EXTENDED = 20
UT_METADATA = 3
"""The id this peer gives ut_metadata in its extension handshake: not 1, so a program that
sends its own id instead of the peer's is caught."""
METADATA_PIECE = 16 * 1024


@dataclass
class Behaviour:
    latency_s: float = 0.1
    """How long after a request its block is sent: a round trip on a real network. A
    program that waits for each block before asking for the next gets one block per
    round trip. Longer than a delayed ACK (40 ms on Linux), so requests written one by one
    and held back by Nagle's algorithm still arrive before the first block leaves."""
    split_writes: bool = True
    """Write each message in pieces (the handshake byte by byte)."""
    missing: frozenset[int] = frozenset()
    """Pieces left out of the bitfield, announced with ``have`` a moment after unchoking."""
    have_delay_s: float = 0.2
    """How long after unchoking the ``have`` messages come."""
    lacking: frozenset[int] = frozenset()
    """Pieces this peer never has."""
    choke_after_blocks: int | None = None
    """Choke once this many blocks are sent (its pending requests are dropped), unchoke later."""
    corrupt: frozenset[int] = frozenset()
    """Pieces whose blocks are sent with one byte changed, every time."""
    hang_up_after_blocks: int | None = None
    """Close the connection after this many blocks, in the middle of a piece."""
    extensions: bool = False
    """Speak the extension protocol (BEP 10) and share the metadata with ut_metadata (BEP 9)."""


@dataclass
class Seen:
    """What one connection's program did."""

    handshake: bytes = b""
    requests: list[tuple[int, int, int]] = field(default_factory=list)
    max_outstanding: int = 0
    violations: list[str] = field(default_factory=list)
    blocks_sent: int = 0
    waits: list[tuple[float, float]] = field(default_factory=list)
    """For each block sent: when it was asked for and when it went out."""


class Seeder:
    def __init__(
        self, torrent: Torrent, rng: random.Random, behaviour: Behaviour | None = None, port: int = 0
    ) -> None:
        """``port``: one the stage handed out (its goldens show it normalised); 0 for any."""
        self.torrent = torrent
        self.behaviour = behaviour or Behaviour()
        self.rng = random.Random(rng.random())
        self.peer_id = b"-CT0001-" + bytes(self.rng.choice(b"0123456789abcdef") for _ in range(12))
        self.connections: list[Seen] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sockets: list[socket.socket] = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", port))
        self._listener.listen(16)
        self.port = int(self._listener.getsockname()[1])
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    # --- serving ---------------------------------------------------------------------------
    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            seen = Seen()
            with self._lock:
                self._sockets.append(sock)
                self.connections.append(seen)
            threading.Thread(target=self._serve, args=(sock, seen), daemon=True).start()

    def _serve(self, sock: socket.socket, seen: Seen) -> None:
        with contextlib.suppress(OSError, ConnectionError):
            _Connection(self, sock, seen).run()
        with contextlib.suppress(OSError):
            sock.close()

    def has(self, index: int) -> bool:
        return index not in self.behaviour.lacking


class _Connection:
    def __init__(self, seeder: Seeder, sock: socket.socket, seen: Seen) -> None:
        self.seeder = seeder
        self.sock = sock
        self.seen = seen
        self.behaviour = seeder.behaviour
        self.torrent = seeder.torrent
        self.write_lock = threading.Lock()
        self.queue: deque[tuple[float, int, int, int]] = deque()
        self.queue_changed = threading.Condition()
        self.choked = True
        self.announced = {i for i in range(self.torrent.pieces) if self.seeder.has(i)} - set(
            self.behaviour.missing
        )
        self.closed = False
        self.their_metadata_id: int | None = None

    def run(self) -> None:
        while len(self.seen.handshake) < 68:  # kept as it comes: a short one is shown whole
            chunk = self.sock.recv(68 - len(self.seen.handshake))
            if not chunk:
                raise ConnectionError("closed")
            self.seen.handshake += chunk
        handshake = self.seen.handshake
        if handshake[:20] != PSTR or handshake[28:48] != self.torrent.info_hash:
            # Not a handshake for this torrent: perhaps an encrypted one (aria2c tries that
            # first, then connects again in the clear). The handshake stage shows the bytes.
            return
        reserved = bytes(5) + b"\x10" + bytes(2) if self.behaviour.extensions else bytes(8)
        self._send(PSTR + reserved + self.torrent.info_hash + self.seeder.peer_id, bytewise=True)
        bits = bytearray((self.torrent.pieces + 7) // 8)
        for index in self.announced:
            bits[index // 8] |= 0x80 >> (index % 8)
        self._send_message(BITFIELD, bytes(bits))
        if self.behaviour.extensions and handshake[25] & 0x10:
            declared = encode({b"m": {b"ut_metadata": UT_METADATA}, b"metadata_size": len(self.torrent.info)})
            self._send_message(EXTENDED, b"\x00" + declared)
        threading.Thread(target=self._writer, daemon=True).start()
        while not self.seeder._stop.is_set():
            length = struct.unpack(">I", self._read_exactly(4))[0]
            if length == 0:
                continue
            body = self._read_exactly(length)
            self._on_message(body[0], body[1:])

    def _on_extended(self, payload: bytes) -> None:
        if not self.behaviour.extensions or not payload:
            return
        if payload[0] == 0:
            try:
                declared = decode_at(payload, 1)[0]
                names = declared.get(b"m", {}) if isinstance(declared, dict) else {}
                their_id = names.get(b"ut_metadata") if isinstance(names, dict) else None
            except (ValueError, IndexError):
                their_id = None
            self.their_metadata_id = their_id if isinstance(their_id, int) else None
            return
        if payload[0] != UT_METADATA:
            self.seen.violations.append(
                f"sent an extension message with id {payload[0]}; this peer gave ut_metadata the id "
                f"{UT_METADATA} in its extension handshake"
            )
            return
        try:
            request = decode_at(payload, 1)[0]
        except (ValueError, IndexError):
            request = None
        if not isinstance(request, dict) or request.get(b"msg_type") != 0:
            self.seen.violations.append(f"sent a ut_metadata message that is no request: {payload[1:80]!r}")
            return
        if self.their_metadata_id is None:
            self.seen.violations.append(
                "asked for metadata without naming ut_metadata in its extension handshake"
            )
            return
        piece = request.get(b"piece")
        info = self.torrent.info
        if not isinstance(piece, int) or not 0 <= piece * METADATA_PIECE < len(info):
            self.seen.violations.append(
                f"asked for metadata piece {piece!r}; the metadata is {len(info)} bytes"
            )
            return
        header = encode({b"msg_type": 1, b"piece": piece, b"total_size": len(info)})
        chunk = info[piece * METADATA_PIECE : (piece + 1) * METADATA_PIECE]
        self._send_message(EXTENDED, bytes([self.their_metadata_id]) + header + chunk)

    def _on_message(self, kind: int, payload: bytes) -> None:
        if self.closed:  # hung up on a request it refused: what follows is not read
            return
        if kind == EXTENDED:
            self._on_extended(payload)
            return
        if kind == INTERESTED and self.choked:
            self.choked = False
            self._send_message(UNCHOKE)
            if self.behaviour.missing:
                threading.Timer(self.behaviour.have_delay_s, self._announce_missing).start()
        elif kind == REQUEST:
            index, begin, length = struct.unpack(">III", payload)
            self.seen.requests.append((index, begin, length))
            if self.choked:
                return
            if index >= self.torrent.pieces or index not in self.announced:
                # Which piece and which peer depend on how the program's connections raced:
                # the message names the mistake, which is the same every time.
                self.seen.violations.append(
                    "asked a peer for a piece it had not announced (bitfield or have)"
                )
                self._close()
                return
            piece_size = len(self.torrent.piece(index))
            if begin + length > piece_size:
                self.seen.violations.append(
                    f"asked for bytes {begin} to {begin + length} of piece {index}, "
                    f"which is {piece_size} bytes long"
                )
                self._close()
                return
            if length > BLOCK:
                self.seen.violations.append(f"asked for {length} bytes in one request (the limit is {BLOCK})")
                self._close()
                return
            with self.queue_changed:
                self.queue.append((time.monotonic() + self.behaviour.latency_s, index, begin, length))
                self.seen.max_outstanding = max(self.seen.max_outstanding, len(self.queue))
                self.queue_changed.notify()
        elif kind == CANCEL:
            index, begin, length = struct.unpack(">III", payload)
            with self.queue_changed:
                self.queue = deque(item for item in self.queue if item[1:] != (index, begin, length))

    def _announce_missing(self) -> None:
        with contextlib.suppress(OSError):
            for index in sorted(self.behaviour.missing - self.behaviour.lacking):
                self.announced.add(index)
                self._send_message(HAVE, struct.pack(">I", index))

    def _writer(self) -> None:
        while not self.seeder._stop.is_set() and not self.closed:
            with self.queue_changed:
                while not self.queue:
                    self.queue_changed.wait(0.1)
                    if self.seeder._stop.is_set() or self.closed:
                        return
                due, index, begin, length = self.queue[0]
            time.sleep(max(due - time.monotonic(), 0))
            with self.queue_changed:
                if not self.queue or self.queue[0] != (due, index, begin, length):
                    continue
                self.queue.popleft()
            block = self.torrent.piece(index)[begin : begin + length]
            if index in self.behaviour.corrupt and block:
                block = bytes([block[0] ^ 0xFF]) + block[1:]
            try:
                self._send_message(PIECE, struct.pack(">II", index, begin) + block)
            except OSError:
                return
            self.seen.blocks_sent += 1
            self.seen.waits.append((due - self.behaviour.latency_s, time.monotonic()))
            sent = self.seen.blocks_sent
            if self.behaviour.hang_up_after_blocks == sent:
                self._close()
                return
            if self.behaviour.choke_after_blocks == sent:
                self._choke_for_a_moment()

    def _choke_for_a_moment(self) -> None:
        with self.queue_changed:
            self.queue.clear()
            self.choked = True
        self._send_message(CHOKE)
        time.sleep(0.3)
        self.choked = False
        self._send_message(UNCHOKE)

    # --- bytes ------------------------------------------------------------------------------
    def _read_exactly(self, count: int) -> bytes:
        data = bytearray()
        while len(data) < count:
            chunk = self.sock.recv(count - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return bytes(data)

    def _send_message(self, kind: int, payload: bytes = b"") -> None:
        self._send(struct.pack(">IB", len(payload) + 1, kind) + payload)

    def _send(self, data: bytes, *, bytewise: bool = False) -> None:
        with self.write_lock:
            if not self.behaviour.split_writes or len(data) < 3:
                self.sock.sendall(data)
                return
            if bytewise:
                for byte in data:
                    self.sock.sendall(bytes([byte]))
                return
            cut = self.seeder.rng.randint(1, min(len(data) - 1, 9))
            self.sock.sendall(data[:cut])
            self.sock.sendall(data[cut:])

    def _close(self) -> None:
        self.closed = True
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
