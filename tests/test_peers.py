"""The misbehaving peers a tester runs fail the way real upstreams and backends do."""

from __future__ import annotations

import random
import socket
import time

import pytest

from crack.harness.peers import GARBAGE, MisbehavingPeer, Misbehaviour, RefusingPort, later, pick


def _connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=2.0)


def test_a_refusing_port_refuses_and_stays_reserved() -> None:
    refusing = RefusingPort()
    try:
        with pytest.raises(ConnectionRefusedError):
            _connect(refusing.port)
        with socket.socket() as other, pytest.raises(OSError):
            other.bind(("127.0.0.1", refusing.port))
    finally:
        refusing.stop()


def test_a_hanging_peer_reads_and_never_answers() -> None:
    peer = MisbehavingPeer(Misbehaviour.HANG)
    try:
        with _connect(peer.port) as sock:
            sock.sendall(b"GET /health HTTP/1.1\r\n\r\n")
            sock.settimeout(0.3)
            with pytest.raises(TimeoutError):
                sock.recv(1)
            assert peer.accepted == 1
            assert peer.received == [b"GET /health HTTP/1.1\r\n\r\n"]
    finally:
        peer.stop()


def test_a_resetting_peer_resets_and_a_garbage_peer_talks_nonsense() -> None:
    resetting, garbage = MisbehavingPeer(Misbehaviour.RESET), MisbehavingPeer(Misbehaviour.GARBAGE)
    try:
        with pytest.raises(ConnectionResetError), _connect(resetting.port) as sock:
            time.sleep(0.1)  # the reset arrives (perhaps before connect() returns)
            sock.sendall(b"GET / HTTP/1.1\r\n\r\n")
            sock.recv(100)
        with _connect(garbage.port) as sock:
            data = b""
            while chunk := sock.recv(100):
                data += chunk
            assert data == GARBAGE
    finally:
        resetting.stop()
        garbage.stop()


def test_a_slow_reply_goes_out_after_its_delay() -> None:
    sent: list[float] = []
    start = time.monotonic()
    reply = later(0.2, lambda: sent.append(time.monotonic()))
    assert reply.sent_at is None
    time.sleep(0.4)
    assert sent and sent[0] - start >= 0.2
    assert reply.sent_at is not None and reply.sent_at <= sent[0]


def test_pick_is_seeded() -> None:
    options = list(Misbehaviour)
    assert [pick(random.Random(5), options) for _ in range(3)] == [
        pick(random.Random(5), options) for _ in range(3)
    ]
