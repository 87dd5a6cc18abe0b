"""The harness cuts what a tester writes to a socket: seeded, replayable, and overridable."""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import grade_json, statuses
from crack.harness.writes import BYTE_PIECES, WriteMode, WritePlan, choose_mode

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
