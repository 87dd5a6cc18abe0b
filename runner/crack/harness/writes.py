"""How the tester's bytes reach the program: whole, cut at seeded points, or byte by byte.

TCP is a byte stream: one ``send()`` on one side is not one ``recv()`` on the other. On
loopback, a message written in one piece almost always arrives in one read, so a program
that reads once per request passes a tester that always writes whole messages, and fails
the first real client whose request crosses a segment boundary. Cutting the tester's
writes makes that mistake visible at the stage where it is made.

Each connection draws its mode from the run's seed (``--seed`` replays the same cuts):
mostly :attr:`WriteMode.SPLIT` (two or three pieces, one cut inside the first line, so a
header is split), sometimes :attr:`WriteMode.BYTES` (the first bytes one at a time, then
the rest: a time cap, so large bodies do not take seconds). A stage whose lesson needs
whole writes (a pipelining stage must put several messages in one write; early stages come
before the lesson on partial reads) asks for :attr:`WriteMode.WHOLE`.

The log shows every message whole, as the tester meant it: the pieces are a transport
detail, kept in :attr:`WritePlan.last_cuts` for a tester that wants to mention them.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable, Iterator
from enum import StrEnum


class WriteMode(StrEnum):
    WHOLE = "whole"
    """Each ``send`` is one write (and several messages sent together stay together)."""
    SPLIT = "split"
    """Each ``send`` is cut into two or three pieces, one cut inside the first line."""
    BYTES = "bytes"
    """The first :data:`BYTE_PIECES` bytes one write each, then the rest in one write."""


SEEDED_MODES: tuple[tuple[WriteMode, float], ...] = ((WriteMode.SPLIT, 0.7), (WriteMode.BYTES, 0.3))
"""The modes a connection draws from when the stage asks for none, with their weights."""

BYTE_PIECES = 24
"""How many single bytes a byte-by-byte write sends before the rest (the time cap)."""

PIECE_GAP_S = 0.003
"""Longest pause between two pieces, so the program's read returns before the next piece
arrives; it ends as soon as the program has read the piece, where that can be seen."""

FIRST_GAP_S = 0.03
"""Pause after the first piece of a connection's first write: the program may not have
accepted the connection yet, and both pieces would wait in its buffer for one read."""


def choose_mode(rng: random.Random) -> WriteMode:
    modes = [mode for mode, _ in SEEDED_MODES]
    weights = [weight for _, weight in SEEDED_MODES]
    return rng.choices(modes, weights)[0]


class WritePlan:
    """The cuts of one connection's writes, drawn from its own seeded generator."""

    def __init__(self, mode: WriteMode, rng: random.Random) -> None:
        self.mode = mode
        self._rng = rng
        self._writes = 0
        self.last_cuts: list[int] = []
        """Offsets where the last message was cut (empty: written whole)."""

    def cuts(self, data: bytes, mode: WriteMode | None = None) -> list[int]:
        """Offsets (strictly inside ``data``, ascending) where ``data`` is cut."""
        mode = mode or self.mode
        if mode is WriteMode.WHOLE or len(data) < 2:
            return []
        if mode is WriteMode.BYTES:
            return list(range(1, min(len(data), BYTE_PIECES + 1)))
        line_end = data.find(b"\n")
        first_line = line_end if 0 < line_end < len(data) else len(data) - 1
        cuts = {self._rng.randint(1, max(first_line, 1))}
        if len(data) > 8 and self._rng.random() < 0.5:
            cuts.add(self._rng.randint(1, len(data) - 1))
        return sorted(cuts)

    def pieces(self, data: bytes, mode: WriteMode | None = None) -> Iterator[tuple[bytes, float]]:
        """Each piece of ``data`` with the pause to take before writing the next one."""
        cuts = self.cuts(data, mode)
        self.last_cuts = cuts
        first_write = self._writes == 0
        self._writes += 1
        bounds = [0, *cuts, len(data)]
        for index, (start, end) in enumerate(itertools.pairwise(bounds)):
            last = index == len(bounds) - 2
            gap = 0.0 if last else FIRST_GAP_S if first_write and index == 0 else PIECE_GAP_S
            yield data[start:end], gap


def write_in_pieces(
    plan: WritePlan,
    data: bytes,
    write: Callable[[bytes], None],
    remaining: Callable[[], float],
    mode: WriteMode | None = None,
    pause: Callable[[float], None] = time.sleep,
) -> None:
    """Write ``data`` through ``write`` cut as ``plan`` says, never pausing past the deadline.

    ``pause(longest)`` waits between two pieces: by default the whole gap; a connection
    to a program on this machine ends it as soon as the program has read the piece
    (:class:`crack.harness.peer_reads.PeerReads`)."""
    for piece, gap in plan.pieces(data, mode):
        write(piece)
        if gap:
            pause(min(gap, remaining()))
