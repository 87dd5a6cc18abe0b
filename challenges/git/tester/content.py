"""Files the tester writes: random (seeded) but readable, so a learner can follow along."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from crack.harness import Harness

WORDS = [
    "apple", "banana", "cherry", "grape", "lemon", "mango", "orange", "peach", "pear", "plum",
    "kiwi", "melon", "fig", "lime", "quince", "papaya", "guava", "lychee", "walnut", "almond",
    "river", "stone", "cloud", "forest", "meadow", "harbor", "lantern", "compass", "anchor",
    "violet", "copper", "silver", "maple", "cedar", "willow", "thistle", "ember", "glacier",
]  # fmt: skip

REPO_NAMES = [
    "orchard", "lantern", "compass", "harbor", "meadow", "glacier", "thistle", "willow",
    "copper", "anchor", "ember", "cedar",
]  # fmt: skip


def word(h: Harness) -> str:
    return h.random.choice(WORDS)


def sentence(h: Harness, low: int = 4, high: int = 9) -> str:
    return " ".join(word(h) for _ in range(h.random.randint(low, high)))


def text(h: Harness, lines: int) -> str:
    """``lines`` lines of words, each ending in a newline."""
    return "".join(sentence(h) + "\n" for _ in range(lines))


def write(path: Path, data: bytes | str, executable: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    os.chmod(path, 0o755 if executable else 0o644)
    return path


def is_executable(path: Path) -> bool:
    return bool(path.stat().st_mode & stat.S_IXUSR)


def blob_sha(data: bytes) -> bytes:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).digest()


def text_with_nul_in_sha(h: Harness, lines: int) -> str:
    """Text whose blob SHA-1 contains the byte 0x00: a tree entry for it breaks any parser
    that splits a tree object on NUL bytes."""
    while True:
        candidate = text(h, lines)
        if 0 in blob_sha(candidate.encode()):
            return candidate


def files_under(root: Path) -> dict[str, Path]:
    """Every file below ``root`` (``.git`` left out), by its slash-separated path."""
    found: dict[str, Path] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        if Path(dirpath) == root and ".git" in dirnames:
            dirnames.remove(".git")
        for name in filenames:
            path = Path(dirpath) / name
            found[path.relative_to(root).as_posix()] = path
    return found
