"""Crashes and damaged disks: what a tester does to a program that claims to keep data.

A store is only as good as what it holds after the worst moment to stop. These helpers
give any tester of a persistent program the moments and the damage real ones meet:

- :func:`kill_hard`: SIGKILL to the program and every process it started. No handler
  runs, no buffer is flushed, no file is closed: what an acknowledged write left in the
  program's memory is gone, as after a crash. (The kernel's page cache survives a
  SIGKILL, so a write that reached the kernel without an fsync survives too: a kill
  cannot show a missing fsync, only a missing write.)
- :class:`DirectoryWatch`: notices the first change to a folder's files (a size, a name,
  a modification time), so a tester can kill the program *during* an operation it
  started, at a point drawn from the seed, rather than before or after it.
- :func:`last_copy`, :func:`tear_at`, :func:`flip_byte`: find the bytes a program stored
  last and damage them as a torn write or a bad sector would, between two runs.
- :func:`folder_bytes`: how much a folder holds on disk, for "compaction shrinks it".
- :func:`bytes_read`: how many bytes a process tree has read so far (``rchar`` of
  ``/proc/PID/io``), for "a lookup reads one record, not the whole file".
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from crack.harness import proctree
from crack.harness.process import ProgramProcess

GONE_WAIT_S = 2.0
"""How long a killed tree may take to disappear (a SIGKILL is never ignored, but the kernel
frees a large process's memory before it is gone)."""


def kill_hard(process: ProgramProcess) -> None:
    """SIGKILL ``process`` and every process it started, and wait until they are gone.

    The program is marked as ended by the tester, so its exit is not reported as a crash.
    """
    try:  # the program's own process group first, at once: the tree walk below takes a while
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    tree = proctree.descendants({process.pid})
    for pid in tree:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    process.stop(grace=0.1)
    process.ended_by_us = True
    deadline = time.monotonic() + GONE_WAIT_S
    while time.monotonic() < deadline and any(_alive(pid) for pid in tree):
        time.sleep(0.01)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[-1].split()[0] != b"Z"
    except OSError:
        return False


def regular_files(folder: Path) -> list[Path]:
    """Every regular file under ``folder``, sorted; symbolic links are not followed."""
    found = []
    for root, _dirs, names in os.walk(folder):
        for name in names:
            path = Path(root) / name
            if path.is_file() and not path.is_symlink():
                found.append(path)
    return sorted(found)


def folder_bytes(folder: Path) -> int:
    """The sizes of every regular file under ``folder``, added up (files removed meanwhile
    count as empty)."""
    total = 0
    for path in regular_files(folder):
        try:
            total += path.stat().st_size
        except FileNotFoundError:
            continue
    return total


def _signature(folder: Path) -> frozenset[tuple[str, int, int]]:
    entries = set()
    for path in regular_files(folder):
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        entries.add((str(path.relative_to(folder)), stat.st_size, stat.st_mtime_ns))
    return frozenset(entries)


class DirectoryWatch:
    """The files of a folder as they were when the watch began; :meth:`changes` counts
    the distinct states seen since, so "the second change" is a point a seed can pick."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._last = _signature(folder)
        self.changes = 0

    def poll(self) -> bool:
        """Look once; True if the folder changed since the last look."""
        now = _signature(self.folder)
        if now == self._last:
            return False
        self._last = now
        self.changes += 1
        return True


@dataclass(frozen=True)
class Copy:
    """Where some bytes were found: a file and the offset of their last occurrence in it."""

    path: Path
    offset: int
    length: int


def last_copy(folder: Path, needle: bytes) -> Copy | None:
    """The last occurrence of ``needle`` in the most recently modified file under
    ``folder`` that holds it (the copy a program wrote last), or None."""
    best: tuple[int, Copy] | None = None
    for path in regular_files(folder):
        try:
            data = path.read_bytes()
            mtime = path.stat().st_mtime_ns
        except OSError:
            continue
        offset = data.rfind(needle)
        if offset >= 0 and (best is None or mtime >= best[0]):
            best = (mtime, Copy(path, offset, len(needle)))
    return None if best is None else best[1]


def tear_at(path: Path, offset: int) -> int:
    """Cut ``path`` at ``offset``, as a write cut short by a crash leaves it; returns how
    many bytes were cut off."""
    size = path.stat().st_size
    os.truncate(path, offset)
    return size - offset


def flip_byte(path: Path, offset: int) -> tuple[int, int]:
    """Change the byte at ``offset`` (to another printable byte, so the damage cannot be
    told by its look), as a bad sector would; returns the old and new byte."""
    with path.open("r+b") as handle:
        handle.seek(offset)
        old = handle.read(1)[0]
        new = old ^ 0x01 if 0x21 <= (old ^ 0x01) < 0x7F else 0x41 if old != 0x41 else 0x42
        handle.seek(offset)
        handle.write(bytes([new]))
    return old, new


def bytes_read(process: ProgramProcess) -> int | None:
    """Bytes the process and its descendants have read so far (files and sockets alike:
    ``rchar``), or None where ``/proc/PID/io`` cannot be read."""
    total, seen = 0, False
    for pid in proctree.descendants({process.pid}):
        try:
            with open(f"/proc/{pid}/io", encoding="ascii") as handle:
                for line in handle:
                    name, _, value = line.partition(":")
                    if name == "rchar":
                        total += int(value)
                        seen = True
        except (OSError, ValueError):
            continue
    return total if seen else None
