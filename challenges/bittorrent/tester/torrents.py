"""Files with seeded content and the torrents real ``mktorrent`` makes of them.

Sizes are drawn to hit the edges the pages name: a last piece shorter than the others
and not a whole number of blocks, a file of exactly one piece, a file that ends on a
block boundary."""

from __future__ import annotations

import hashlib
import random
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .bencode import decode, raw_value

BLOCK = 16 * 1024
PIECE_POWER = 17
PIECE_LENGTH = 1 << PIECE_POWER
"""128 KiB: eight blocks a piece, so a piece cannot be fetched in one request."""


@dataclass(frozen=True)
class Torrent:
    path: Path
    """The .torrent file."""
    data: bytes
    """The whole content it describes."""
    name: str
    tracker: str
    piece_length: int
    info_hash: bytes
    piece_hashes: list[bytes]
    info: bytes = b""
    """The info dictionary's bytes, as in the file: the metadata a magnet link's peers share."""

    @property
    def pieces(self) -> int:
        return len(self.piece_hashes)

    def piece(self, index: int) -> bytes:
        return self.data[index * self.piece_length : (index + 1) * self.piece_length]


def sizes(rng: random.Random) -> dict[str, int]:
    """Named file sizes, one per edge."""
    pieces = rng.randint(3, 6)
    return {
        "a last piece that is not a whole number of blocks": pieces * PIECE_LENGTH
        + rng.randint(1, BLOCK - 1)
        + BLOCK * rng.randint(0, 6),
        "exactly one piece": PIECE_LENGTH,
        "a last piece that ends on a block boundary": (pieces - 1) * PIECE_LENGTH + BLOCK * rng.randint(1, 7),
        "less than one block": rng.randint(1, BLOCK - 1),
    }


def content(rng: random.Random, size: int) -> bytes:
    return rng.randbytes(size)


WORDS = ["lichen", "harbor", "quartz", "meadow", "ember", "tundra", "saffron", "basalt"]


def make(folder: Path, rng: random.Random, size: int, tracker: str) -> Torrent:
    """A file of ``size`` seeded bytes in ``folder`` and its torrent, made by mktorrent."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{rng.choice(WORDS)}-{rng.randint(100, 999)}.bin"
    data = content(rng, size)
    (folder / name).write_bytes(data)
    path = folder / f"{name}.torrent"
    subprocess.run(
        ["mktorrent", "-d", "-l", str(PIECE_POWER), "-a", tracker, "-o", str(path), name],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    return load(path, data)


def load(path: Path, data: bytes) -> Torrent:
    raw = path.read_bytes()
    meta = decode(raw)
    assert isinstance(meta, dict)
    info = meta[b"info"]
    assert isinstance(info, dict)
    pieces = info[b"pieces"]
    assert isinstance(pieces, bytes)
    tracker = meta[b"announce"]
    assert isinstance(tracker, bytes)
    name = info[b"name"]
    assert isinstance(name, bytes)
    length = info[b"piece length"]
    assert isinstance(length, int)
    info_bytes = raw_value(raw, b"info")
    return Torrent(
        path=path,
        data=data,
        name=name.decode(),
        tracker=tracker.decode(),
        piece_length=length,
        info_hash=hashlib.sha1(info_bytes).digest(),
        piece_hashes=[pieces[at : at + 20] for at in range(0, len(pieces), 20)],
        info=info_bytes,
    )
