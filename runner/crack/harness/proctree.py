"""Finding and ending every process a learner's program started.

A program's process group is not enough: a child may call ``setsid()`` or double-fork into
a daemon. crack makes itself a *child subreaper* (Linux ``prctl``), so such orphans are
re-parented to crack instead of init, and are found here by walking parent links in
``/proc`` from the processes crack started.
"""

from __future__ import annotations

import ctypes
import os
import select
import signal
import subprocess
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

_PR_SET_CHILD_SUBREAPER = 36
_subreaper_set = False


def become_subreaper() -> bool:
    """Make orphaned descendants re-parent to this process. False where unsupported."""
    global _subreaper_set
    if _subreaper_set:
        return True
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        _subreaper_set = libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        _subreaper_set = False
    return _subreaper_set


@dataclass(frozen=True)
class ProcInfo:
    pid: int
    ppid: int
    pgid: int
    sid: int
    state: str


def _read_small(path: str) -> bytes | None:
    """A /proc file of a few hundred bytes, read with bare system calls: a snapshot reads
    one per process on the machine, and a buffered file object costs twice the time."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        return os.read(fd, 4096)
    except OSError:
        return None
    finally:
        os.close(fd)


def _read_stat(pid: int | str) -> ProcInfo | None:
    raw = _read_small(f"/proc/{pid}/stat")
    if not raw:
        return None
    # The command name may hold spaces and parentheses: split after the last ")".
    fields = raw[raw.rfind(b")") + 2 :].split()
    return ProcInfo(int(pid), int(fields[1]), int(fields[2]), int(fields[3]), fields[0].decode())


def snapshot() -> dict[int, ProcInfo]:
    """Every process visible in /proc, by pid."""
    procs: dict[int, ProcInfo] = {}
    for name in os.listdir("/proc"):
        if name.isdigit() and (info := _read_stat(name)) is not None:
            procs[info.pid] = info
    return procs


def descendants(roots: Iterable[int], procs: dict[int, ProcInfo] | None = None) -> set[int]:
    """``roots`` and everything below them, plus every member of their sessions."""
    procs = procs if procs is not None else snapshot()
    roots = set(roots)
    sessions = {procs[r].sid for r in roots if r in procs and procs[r].sid == r}
    found = {r for r in roots if r in procs}
    found |= {p.pid for p in procs.values() if p.sid in sessions}
    children: dict[int, list[int]] = {}
    for p in procs.values():
        children.setdefault(p.ppid, []).append(p.pid)
    stack = list(found)
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


_started: set[int] = set()
"""Pids of the processes crack started and still waits for: never mistaken for orphans."""

_spawn_lock = threading.RLock()


@contextmanager
def spawning() -> Iterator[None]:
    """Hold around starting a child and tracking its pid.

    Between the fork and :func:`track`, a child of ours looks exactly like an orphan; when
    runs happen in several threads at once (concurrent one-shot cases), another run's
    clean-up would end it. :func:`orphans_of_ours` waits for this lock, so it never sees
    a child that is started but not yet tracked."""
    with _spawn_lock:
        yield


def track(pid: int) -> None:
    _started.add(pid)


def untrack(pid: int) -> None:
    _started.discard(pid)


def orphans_of_ours(procs: dict[int, ProcInfo] | None = None) -> set[int]:
    """Processes re-parented to crack (as subreaper) that crack did not start itself."""
    procs = procs if procs is not None else snapshot()
    me = os.getpid()
    with _spawn_lock:  # a child being started is tracked before it is judged (see spawning)
        return {p.pid for p in procs.values() if p.ppid == me and p.pid not in _started}


def _signal_all(pids: Iterable[int], sig: signal.Signals) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def _alive(pids: Iterable[int]) -> set[int]:
    """The pids among ``pids`` that still run (not gone, not zombies)."""
    alive = set()
    for pid in pids:
        info = _read_stat(pid)
        if info is not None and info.state != "Z":
            alive.add(pid)
    return alive


def signal_tree(root: int, sig: signal.Signals) -> set[int]:
    """Send ``sig`` to ``root`` and everything below it at once (a crash is SIGKILL of the
    whole tree, a pause SIGSTOP of it); returns the pids signalled."""
    targets = descendants({root})
    _signal_all(targets, sig)
    return targets


def _threads_stopped(pid: int) -> bool:
    """Whether every thread of ``pid`` is stopped (or the process is gone)."""
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return True
    for tid in tids:
        raw = _read_small(f"/proc/{pid}/task/{tid}/stat")
        if not raw:
            continue
        if raw[raw.rfind(b")") + 2 :].split()[0] not in (b"T", b"t", b"Z", b"X"):
            return False
    return True


def wait_stopped(pids: Iterable[int], timeout: float = 1.0) -> bool:
    """Wait until every thread of ``pids`` has stopped: SIGSTOP is delivered when each thread
    next enters the kernel, so a busy thread may still run for a moment after ``kill``
    returns. False if some thread still runs after ``timeout``."""
    deadline = time.monotonic() + timeout
    pending = set(pids)
    while pending:
        pending = {pid for pid in pending if not _threads_stopped(pid)}
        if not pending:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.001)
    return True


def reap(pids: Iterable[int]) -> None:
    """Collect exit statuses of our own dead children so no zombie is left."""
    for pid in pids:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass


class _Waitable(Protocol):
    @property
    def pid(self) -> int: ...

    def poll(self) -> int | None: ...

    def wait(self, timeout: float | None = None) -> int: ...


def wait_exit(child: _Waitable, timeout: float) -> bool:
    """Wait up to ``timeout`` seconds for ``child`` (a child of ours, not yet collected) to
    exit; True once it has, its status collected.

    ``Popen.wait(timeout)`` polls with a sleep that doubles up to 50 ms, so it notices an
    exit up to 50 ms late: a one-shot case that runs for 100 ms would wait a tenth of that
    again, on average. A pidfd (Linux 5.3) becomes readable the moment the child exits.
    Where there is none, ``Popen.wait`` as before."""
    if child.poll() is not None:
        return True
    try:
        pidfd = os.pidfd_open(child.pid)  # the pid is ours until collected: no reuse race
    except (AttributeError, OSError):
        try:
            child.wait(timeout=max(timeout, 0.0))
            return True
        except subprocess.TimeoutExpired:
            return False
    try:
        poller = select.poll()
        poller.register(pidfd, select.POLLIN)
        poller.poll(max(int(timeout * 1000), 0))
    finally:
        os.close(pidfd)
    return child.poll() is not None


def kill_tree(
    roots: Iterable[int],
    grace: float = 1.0,
    procs: dict[int, ProcInfo] | None = None,
    leader: _Waitable | None = None,
) -> set[int]:
    """SIGTERM every process of the trees under ``roots``, then SIGKILL what is left.

    ``leader``, a child of ours among the roots, is waited for directly (a blocking wait
    returns the moment it exits, where polling would add latency to every stage). Returns
    every pid that was part of the trees. The tree is walked again before the SIGKILL
    round, since a process may fork while it is being ended.
    """
    roots = set(roots)
    procs = procs if procs is not None else snapshot()
    targets = descendants(roots, procs)
    if all(procs[pid].state == "Z" for pid in targets):
        # Every one had exited already (a one-shot run that ended by itself): none can
        # fork any more, and what each forked before is in the walk or among the roots.
        return targets
    _signal_all(targets, signal.SIGTERM)
    deadline = time.monotonic() + grace
    if leader is not None:
        wait_exit(leader, grace)
    while _alive(targets) and time.monotonic() < deadline:
        time.sleep(0.005)
    for _ in range(50):
        targets |= descendants(roots | targets)
        alive = _alive(targets)
        if not alive:
            break
        _signal_all(alive, signal.SIGKILL)
        time.sleep(0.01)
    return targets
