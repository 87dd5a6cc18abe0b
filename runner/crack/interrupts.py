"""Ctrl-C, however many times and whenever: exit 130, no traceback, nothing left running.

Python turns SIGINT into a KeyboardInterrupt wherever the main thread is: in an import, in
the middle of the cleanup a first Ctrl-C started, in the last flush before exit. A second
Ctrl-C (an impatient learner, ``timeout -s INT`` sent twice) then cut the cleanup short
and left the learner's program running. So crack takes SIGINT itself: the first one,
once the command runs, raises KeyboardInterrupt (the grading stops and ends the program);
any other, or one during start-up, is only counted. Once the command returns,
:func:`end_leftovers` ends whatever crack started that is still alive.
"""

from __future__ import annotations

import os
import signal
from types import FrameType

_received = 0
_armed = False
_raised = False


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    global _received, _raised
    _received += 1
    if _armed and not _raised:
        _raised = True
        raise KeyboardInterrupt


def install() -> None:
    """Take SIGINT (in the main thread; elsewhere it cannot be done, and nothing changes)."""
    try:
        signal.signal(signal.SIGINT, _on_sigint)
    except ValueError:
        pass


def arm() -> None:
    """From now on the first SIGINT raises KeyboardInterrupt (at once if one came already)."""
    global _armed, _raised
    _armed = True
    if _received and not _raised:
        _raised = True
        raise KeyboardInterrupt


def disarm() -> None:
    global _armed
    _armed = False


def received() -> bool:
    return _received > 0


def end_leftovers() -> None:
    """End every process crack started that is still running (after a Ctrl-C)."""
    from crack.harness import proctree

    me = os.getpid()
    for _ in range(3):
        procs = proctree.snapshot()
        mine = proctree.descendants({me}, procs) - {me}
        if not mine:
            return
        ended = proctree.kill_tree(mine, grace=0.5, procs=procs)
        proctree.reap(ended)
