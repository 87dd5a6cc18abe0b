"""A memory watch over a process tree, for machines where no cgroup can be made.

Every 100 ms the memory of the program and all its descendants is summed from ``/proc``
(proportional shares, so a forked tree's shared pages count once); past the limit the whole
tree is killed and the size it reached is kept for the verdict. Coarser than a cgroup (a
fast allocator can overshoot between two looks), but it works unprivileged and inside
containers.
"""

from __future__ import annotations

import os
import signal
import threading

from crack.harness import proctree

POLL_S = 0.1
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _proportional_bytes(pid: int) -> int | None:
    """The process's proportional share of memory (Pss): pages it shares with its forks
    count once across them, not once per process as resident memory would."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        return None
    return None


def _resident_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def tree_resident_bytes(tree: set[int]) -> int:
    """The memory of a process tree: the sum of proportional shares where the kernel gives
    them (a forked tree is not counted many times over), else of resident sizes."""
    total = 0
    for pid in tree:
        share = _proportional_bytes(pid)
        total += share if share is not None else _resident_bytes(pid)
    return total


class MemoryWatch:
    def __init__(self, root: int, limit_bytes: int) -> None:
        self.root = root
        self.limit_bytes = limit_bytes
        self.killed_at: int | None = None
        """Resident bytes of the tree when it was killed for going over the limit."""
        self.peak_processes = 0
        """The most processes seen in the tree at once (no cgroup counts them here)."""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name=f"memwatch-{root}", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.wait(POLL_S):
            tree = proctree.descendants({self.root})
            self.peak_processes = max(self.peak_processes, len(tree))
            used = tree_resident_bytes(tree)
            if used == 0:
                return
            if used > self.limit_bytes:
                self.killed_at = used
                for pid in tree:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass
                return

    def stop(self) -> None:
        self._stop.set()
