"""Tests of the bittorrent challenge beyond those every challenge gets (tests/test_challenges.py).

The tester's own pieces are checked against the real tools they stand beside: its info hash
against aria2c's reading of a torrent mktorrent made, its announces against what
opentracker accepts, and its seeders against the rules a stage page states (a request of
more than 16 KiB or past a piece's end is refused; outstanding requests are counted)."""

from __future__ import annotations

import random
import re
import shutil
import socket
import struct
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from crack.challenge import load_challenge
from crack.tester import load_tester

CHALLENGE = load_challenge("bittorrent")
load_tester(CHALLENGE)
PACKAGE = "crack_challenges.bittorrent.tester"
bencode: ModuleType = sys.modules[f"{PACKAGE}.bencode"]
torrents: ModuleType = sys.modules[f"{PACKAGE}.torrents"]
seeder_module: ModuleType = sys.modules[f"{PACKAGE}.seeder"]
tracker_module: ModuleType = sys.modules[f"{PACKAGE}.tracker"]

needs_tools = pytest.mark.skipif(
    not (shutil.which("mktorrent") and shutil.which("aria2c")),
    reason="mktorrent and aria2c are not installed",
)


def test_stage_slugs_in_order() -> None:
    assert [stage.slug for stage in CHALLENGE.stages] == [
        "bencode-strings",
        "bencode-collections",
        "torrent-info",
        "piece-hashes",
        "peers",
        "handshake",
        "download-piece",
        "download",
        "several-peers",
        "partial-seeders",
        "corrupt-piece",
        "magnet-info",
        "seed",
    ]


def test_bencode_round_trip_keeps_bytes() -> None:
    value = {b"pieces": bytes(range(256)), b"n": -(2**63), b"l": [b"", [], {}]}
    assert bencode.decode(bencode.encode(value)) == value


@needs_tools
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_info_hash_agrees_with_aria2c(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    for label, size in torrents.sizes(rng).items():
        torrent = torrents.make(tmp_path / str(size), rng, size, "http://127.0.0.1:6969/announce")
        shown = subprocess.run(
            ["aria2c", "--show-files", str(torrent.path)], capture_output=True, text=True
        ).stdout
        match = re.search(r"^Info Hash: ([0-9a-f]{40})", shown, re.M)
        assert match is not None, shown
        assert match[1] == torrent.info_hash.hex(), label
        assert torrent.pieces == -(-size // torrents.PIECE_LENGTH), label


def test_announce_encodes_a_space_byte_as_percent_20() -> None:
    query = tracker_module.announce_query(b"\x20" * 20, b"-CT0001-abcdefabcdef", 6881, 0)
    info_hash = urllib.parse.parse_qs(query)["info_hash"][0]
    assert "+" not in query.split("&")[0]
    assert query.startswith("info_hash=" + "%20" * 20)
    assert info_hash == " " * 20


def _torrent(tmp_path: Path, size: int) -> Any:
    return torrents.Torrent(
        path=tmp_path / "x.torrent",
        data=random.Random(size).randbytes(size),
        name="x",
        tracker="",
        piece_length=torrents.PIECE_LENGTH,
        info_hash=b"\x01" * 20,
        piece_hashes=[b"\x00" * 20] * (-(-size // torrents.PIECE_LENGTH)),
    )


def _connect(seeder: Any) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", seeder.port), timeout=5)
    sock.sendall(seeder_module.PSTR + bytes(8) + b"\x01" * 20 + b"-TT0001-000000000000")
    got = b""
    while len(got) < 68:
        got += sock.recv(68 - len(got))
    return sock


def _message(sock: socket.socket) -> tuple[int, bytes]:
    def exactly(count: int) -> bytes:
        data = b""
        while len(data) < count:
            chunk = sock.recv(count - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return data

    length = struct.unpack(">I", exactly(4))[0]
    body = exactly(length)
    return body[0], body[1:]


def _unchoked(sock: socket.socket) -> None:
    assert _message(sock)[0] == seeder_module.BITFIELD
    sock.sendall(struct.pack(">IB", 1, seeder_module.INTERESTED))
    assert _message(sock)[0] == seeder_module.UNCHOKE


def _request(sock: socket.socket, index: int, begin: int, length: int) -> None:
    sock.sendall(struct.pack(">IBIII", 13, seeder_module.REQUEST, index, begin, length))


@pytest.mark.parametrize(
    ("size", "begin", "length", "said"),
    [
        (torrents.PIECE_LENGTH, 0, 32 * 1024, "bytes in one request"),
        (20 * 1024, 16 * 1024, 16 * 1024, "bytes long"),  # the second block of a 20 KiB piece is 4 KiB
    ],
)
def test_seeder_hangs_up_on_a_request_it_must_refuse(
    tmp_path: Path, size: int, begin: int, length: int, said: str
) -> None:
    torrent = _torrent(tmp_path, size)
    seeder = seeder_module.Seeder(torrent, random.Random(1), seeder_module.Behaviour(latency_s=0.0))
    try:
        sock = _connect(seeder)
        _unchoked(sock)
        _request(sock, 0, begin, length)
        with pytest.raises(ConnectionError):
            _message(sock)
        [seen] = seeder.connections
        assert any(said in violation for violation in seen.violations), seen.violations
    finally:
        seeder.stop()


def test_seeder_counts_outstanding_requests(tmp_path: Path) -> None:
    torrent = _torrent(tmp_path, torrents.PIECE_LENGTH)
    seeder = seeder_module.Seeder(torrent, random.Random(2), seeder_module.Behaviour(latency_s=0.2))
    try:
        sock = _connect(seeder)
        _unchoked(sock)
        for block in range(6):
            _request(sock, 0, block * torrents.BLOCK, torrents.BLOCK)
        blocks = [_message(sock) for _ in range(6)]
        assert [kind for kind, _ in blocks] == [seeder_module.PIECE] * 6
        assert b"".join(payload[8:] for _, payload in blocks) == torrent.data[: 6 * torrents.BLOCK]
        [seen] = seeder.connections
        assert seen.max_outstanding == 6
    finally:
        seeder.stop()


def test_seeder_drops_requests_on_choke_and_serves_them_again_after_unchoke(tmp_path: Path) -> None:
    torrent = _torrent(tmp_path, torrents.PIECE_LENGTH)
    behaviour = seeder_module.Behaviour(latency_s=0.05, choke_after_blocks=1)
    seeder = seeder_module.Seeder(torrent, random.Random(3), behaviour)
    try:
        sock = _connect(seeder)
        _unchoked(sock)
        for block in range(3):
            _request(sock, 0, block * torrents.BLOCK, torrents.BLOCK)
        kinds = [_message(sock)[0] for _ in range(3)]
        assert kinds == [seeder_module.PIECE, seeder_module.CHOKE, seeder_module.UNCHOKE]
        started = time.monotonic()
        _request(sock, 0, torrents.BLOCK, torrents.BLOCK)
        kind, payload = _message(sock)
        assert kind == seeder_module.PIECE and struct.unpack(">II", payload[:8]) == (0, torrents.BLOCK)
        assert time.monotonic() - started < 2
    finally:
        seeder.stop()


def _extended(sock: socket.socket, ext_id: int, body: bytes) -> None:
    sock.sendall(struct.pack(">IBB", len(body) + 2, seeder_module.EXTENDED, ext_id) + body)


@pytest.mark.parametrize("request_id", [seeder_module.UT_METADATA, 1])
def test_seeder_shares_metadata_only_under_its_own_ut_metadata_id(tmp_path: Path, request_id: int) -> None:
    torrent = _torrent(tmp_path, torrents.PIECE_LENGTH)
    info = bencode.encode(
        {b"length": torrents.PIECE_LENGTH, b"name": b"x", b"piece length": torrents.PIECE_LENGTH}
    )
    torrent = torrents.Torrent(**{**torrent.__dict__, "info": info})
    seeder = seeder_module.Seeder(torrent, random.Random(4), seeder_module.Behaviour(extensions=True))
    try:
        sock = socket.create_connection(("127.0.0.1", seeder.port), timeout=5)
        sock.sendall(
            seeder_module.PSTR + bytes(5) + b"\x10" + bytes(2) + b"\x01" * 20 + b"-TT0001-000000000000"
        )
        reply = b""
        while len(reply) < 68:
            reply += sock.recv(68 - len(reply))
        assert reply[25] & 0x10
        assert _message(sock)[0] == seeder_module.BITFIELD
        kind, payload = _message(sock)
        assert kind == seeder_module.EXTENDED and payload[0] == 0
        declared = bencode.decode(payload[1:])
        assert declared == {b"m": {b"ut_metadata": seeder_module.UT_METADATA}, b"metadata_size": len(info)}
        _extended(sock, 0, b"d1:md11:ut_metadatai7eee")
        _extended(sock, request_id, b"d8:msg_typei0e5:piecei0ee")
        if request_id == seeder_module.UT_METADATA:
            kind, payload = _message(sock)
            assert kind == seeder_module.EXTENDED and payload[0] == 7
            header, end = bencode.decode_at(payload, 1)
            assert header == {b"msg_type": 1, b"piece": 0, b"total_size": len(info)}
            assert payload[end:] == info
        else:
            deadline = time.monotonic() + 5
            while not seeder.connections[0].violations and time.monotonic() < deadline:
                time.sleep(0.02)
            assert "id 1" in seeder.connections[0].violations[0]
    finally:
        seeder.stop()
