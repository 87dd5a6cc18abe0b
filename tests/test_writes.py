"""The harness cuts what a tester writes to a socket: seeded, replayable, and overridable."""

from __future__ import annotations

import random
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import grade_json, statuses, wait_until
from crack.harness.peer_reads import PeerReads
from crack.harness.writes import (
    BYTE_PIECES,
    FIRST_GAP_S,
    FIRST_GAP_WATCHED_S,
    Gap,
    WriteMode,
    WritePlan,
    choose_mode,
    write_in_pieces,
)

PROGRAMS = Path(__file__).parent / "programs"

MESSAGE = b"GET /echo/abc HTTP/1.1\r\nHost: localhost\r\nUser-Agent: crack\r\n\r\n"


def _pieces(plan: WritePlan, data: bytes) -> list[bytes]:
    return [piece for piece, _ in plan.pieces(data)]


def test_split_cuts_inside_the_first_line_and_keeps_every_byte() -> None:
    for seed in range(200):
        pieces = _pieces(WritePlan(WriteMode.SPLIT, random.Random(seed)), MESSAGE)
        assert b"".join(pieces) == MESSAGE
        assert 2 <= len(pieces) <= 3
        assert all(pieces)
        assert len(pieces[0]) <= MESSAGE.index(b"\n"), "the first cut splits the request line"


def test_bytes_mode_writes_the_first_bytes_singly_then_the_rest() -> None:
    pieces = _pieces(WritePlan(WriteMode.BYTES, random.Random(1)), MESSAGE)
    assert pieces[:BYTE_PIECES] == [bytes([b]) for b in MESSAGE[:BYTE_PIECES]]
    assert pieces[BYTE_PIECES:] == [MESSAGE[BYTE_PIECES:]]


def test_whole_and_one_byte_messages_are_not_cut() -> None:
    assert _pieces(WritePlan(WriteMode.WHOLE, random.Random(1)), MESSAGE) == [MESSAGE]
    assert _pieces(WritePlan(WriteMode.SPLIT, random.Random(1)), b"x") == [b"x"]
    assert _pieces(WritePlan(WriteMode.SPLIT, random.Random(1)), MESSAGE) != [MESSAGE]


def test_same_seed_same_cuts_and_both_modes_are_drawn() -> None:
    first = [_pieces(WritePlan(WriteMode.SPLIT, random.Random(f"7:{n}")), MESSAGE) for n in range(5)]
    again = [_pieces(WritePlan(WriteMode.SPLIT, random.Random(f"7:{n}")), MESSAGE) for n in range(5)]
    assert first == again
    drawn = {choose_mode(random.Random(n)) for n in range(50)}
    assert drawn == {WriteMode.SPLIT, WriteMode.BYTES}


ECHO_TESTER = """
from crack.harness import WriteMode
from crack.tester import Tester
tester = Tester("fake")
MESSAGE = b"PING a long enough message\\r\\n"

def exchange(h, writes):
    port = h.free_port()
    h.start_server(["--port", str(port)], port)
    conn = h.connect(port, writes=writes)
    conn.send(MESSAGE)
    got = conn.read_available(0.3)
    if got != MESSAGE:
        h.fail(f"got {got!r}")

@tester.stage("whole")
def whole(h):
    exchange(h, WriteMode.WHOLE)

@tester.stage("cut")
def cut(h):
    exchange(h, None)
"""


@pytest.mark.parametrize("seed", ["1", "2", "3"])
def test_a_program_that_reads_once_sees_a_piece(
    fake_challenges: Callable[..., Path], tmp_path: Path, seed: str
) -> None:
    fake_challenges("fake", [{"slug": "whole"}, {"slug": "cut"}], ECHO_TESTER)
    run = f"{sys.executable} {PROGRAMS / 'one_read_echo.py'}"
    code, report = grade_json(tmp_path, "--all", "--seed", seed, challenge="fake", run=run)
    assert statuses(report) == {"whole": "passed", "cut": "failed"}, report["stages"]
    assert code == 1


# --- the pauses end when the program has read the piece ---------------------------------
@pytest.fixture
def loopback() -> Iterator[tuple[socket.socket, socket.socket]]:
    """A connection of the tester's (first) and the program's end of it (second)."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        ours = socket.create_connection(server.getsockname())
        theirs, _ = server.accept()
        with ours, theirs:
            yield ours, theirs


def test_peer_reads_counts_what_the_other_end_has_not_read(
    loopback: tuple[socket.socket, socket.socket],
) -> None:
    ours, theirs = loopback
    peer = PeerReads(ours)
    assert peer.unread() == 0
    ours.sendall(b"PING\r\n")
    wait_until(lambda: peer.unread() == 6)
    assert theirs.recv(2) == b"PI"
    assert peer.unread() == 4
    theirs.recv(10)
    assert peer.unread() == 0
    peer.close()


def test_without_the_kernel_s_answer_the_pause_is_whole() -> None:
    """No other end to look up (here: a socket never connected; in practice a program in
    another network): the fixed pause, as before the kernel was asked."""
    with socket.socket() as lone:
        peer = PeerReads(lone)
        assert peer.unread() is None
        started = time.monotonic()
        peer.wait_taken(0.05)
        assert time.monotonic() - started >= 0.05


def test_a_pause_ends_when_the_piece_is_read_not_at_its_longest(
    loopback: tuple[socket.socket, socket.socket],
) -> None:
    ours, theirs = loopback
    peer = PeerReads(ours)
    ours.sendall(b"x")
    reader = threading.Timer(0.05, theirs.recv, args=(10,))
    reader.start()
    started = time.monotonic()
    peer.wait_taken(30.0)
    assert time.monotonic() - started < 30.0
    assert peer.unread() == 0
    reader.join()


def test_with_reads_awaited_every_piece_arrives_in_a_read_of_its_own(
    loopback: tuple[socket.socket, socket.socket],
) -> None:
    """Each piece is written only once the reader took the one before, however late it
    runs: a long pause bound makes the test independent of the machine's load."""
    ours, theirs = loopback
    peer = PeerReads(ours)
    reads: list[bytes] = []

    def read_all() -> None:
        while len(b"".join(reads)) < len(MESSAGE):
            reads.append(theirs.recv(65536))

    reader = threading.Thread(target=read_all)
    reader.start()
    plan = WritePlan(WriteMode.BYTES, random.Random(1))
    write_in_pieces(plan, MESSAGE, ours.sendall, lambda: 60.0, pause=lambda _: peer.wait_taken(30.0))
    reader.join(30)
    assert reads == _pieces(WritePlan(WriteMode.BYTES, random.Random(1)), MESSAGE)


def test_a_program_that_reads_late_still_gets_the_first_piece_alone(
    loopback: tuple[socket.socket, socket.socket],
) -> None:
    """A program that reads its new connection later than the blind first pause (busy, or
    not scheduled on a loaded machine) is still handed the first piece alone: where its reads
    can be seen, the first pause waits for them."""
    ours, theirs = loopback
    peer = PeerReads(ours)
    late = FIRST_GAP_S * 3
    assert late < FIRST_GAP_WATCHED_S
    reads: list[bytes] = []

    def read_late() -> None:
        time.sleep(late)
        while len(b"".join(reads)) < len(MESSAGE):
            reads.append(theirs.recv(65536))

    reader = threading.Thread(target=read_late)
    reader.start()
    plan = WritePlan(WriteMode.SPLIT, random.Random(1))
    write_in_pieces(plan, MESSAGE, ours.sendall, lambda: 60.0, pause=peer.pause)
    reader.join(30)
    first = _pieces(WritePlan(WriteMode.SPLIT, random.Random(1)), MESSAGE)[0]
    assert reads[0] == first


def test_where_reads_cannot_be_seen_the_first_pause_is_the_blind_one() -> None:
    with socket.socket() as lone:
        peer = PeerReads(lone)
        started = time.monotonic()
        peer.pause(Gap(FIRST_GAP_S, FIRST_GAP_WATCHED_S))
        took = time.monotonic() - started
    assert FIRST_GAP_S <= took < FIRST_GAP_WATCHED_S
