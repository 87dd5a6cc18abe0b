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
from typing import NamedTuple


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

FIRST_GAP_WATCHED_S = 0.25
"""The same pause where the program's reads can be seen: it ends when the program has read
the piece, so it can afford to wait out a program that accepts late (one busy with another
client, or not scheduled for a while on a loaded machine) instead of handing it both pieces
at once. Only a program that never reads the connection waits it out in full."""


class Gap(NamedTuple):
    """The pause after a piece: ``blind`` where the program's reads cannot be seen, and the
    bound of a pause that ends at the program's read (``watched``)."""

    blind: float
    watched: float


NO_GAP = Gap(0.0, 0.0)


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

    def pieces(self, data: bytes, mode: WriteMode | None = None) -> Iterator[tuple[bytes, Gap]]:
        """Each piece of ``data`` with the pause to take before writing the next one."""
        cuts = self.cuts(data, mode)
        self.last_cuts = cuts
        first_write = self._writes == 0
        self._writes += 1
        bounds = [0, *cuts, len(data)]
        for index, (start, end) in enumerate(itertools.pairwise(bounds)):
            last = index == len(bounds) - 2
            if last:
                gap = NO_GAP
            elif first_write and index == 0:
                gap = Gap(FIRST_GAP_S, FIRST_GAP_WATCHED_S)
            else:
                gap = Gap(PIECE_GAP_S, PIECE_GAP_S)
            yield data[start:end], gap


def write_in_pieces(
    plan: WritePlan,
    data: bytes,
    write: Callable[[bytes], None],
    remaining: Callable[[], float],
    mode: WriteMode | None = None,
    pause: Callable[[Gap], None] = lambda gap: time.sleep(gap.blind),
) -> None:
    """Write ``data`` through ``write`` cut as ``plan`` says, never pausing past the deadline.

    ``pause(gap)`` waits between two pieces: by default the whole blind gap; a connection
    to a program on this machine ends it as soon as the program has read the piece
    (:class:`crack.harness.peer_reads.PeerReads`)."""
    for piece, gap in plan.pieces(data, mode):
        write(piece)
        if gap.blind:
            left = remaining()
            pause(Gap(min(gap.blind, left), min(gap.watched, left)))
