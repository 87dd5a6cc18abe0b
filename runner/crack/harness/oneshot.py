"""One-shot runs of the learner's program: argv and stdin in, exit code and output out."""

from __future__ import annotations

import subprocess
import threading
import time
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from crack.harness import proctree
from crack.harness.pipes import chunks

if TYPE_CHECKING:
    from crack.containment.sandbox import Containment

ONESHOT_CAP_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class RunResult:
    returncode: int | None
    stdout: bytes
    stderr: bytes
    duration_s: float
    timed_out: bool
    stdout_truncated: bool
    stderr_truncated: bool
    ended_by_limit: str | None = None
    """Why containment ended it ("was killed for using more than … MB"), if it did."""


def _drain(pipe: IO[bytes], out: bytearray, cap: int, flags: list[bool]) -> None:
    for chunk in chunks(pipe):
        room = cap - len(out)
        if room > 0:
            out += chunk[:room]
        if len(chunk) > room:
            flags[0] = True


CANCEL_POLL_S = 0.05
"""How often a cancellable run looks at its cancel flag (it returns at once when it exits)."""


def _wait(popen: subprocess.Popen[bytes], deadline: float, cancel: threading.Event | None) -> bool:
    """Wait until the run exits (True), or until ``deadline`` or ``cancel`` (False)."""
    while True:
        left = deadline - time.monotonic()
        if cancel is not None:
            if cancel.is_set():
                return False
            left = min(left, CANCEL_POLL_S)
        if proctree.wait_exit(popen, left):
            return True
        if time.monotonic() >= deadline:
            return False


def run_capped(
    argv: list[str],
    *,
    cwd: str,
    env: dict[str, str],
    stdin: bytes,
    timeout: float,
    cap: int = ONESHOT_CAP_BYTES,
    containment: Containment | None = None,
    cancel: threading.Event | None = None,
) -> RunResult:
    """Run to completion or ``timeout``; the whole tree is ended either way.

    With ``containment`` the run is confined like a started program (limits, user,
    cgroup); ``env`` is used as given (reduce it with ``Containment.environment`` first).
    Setting ``cancel`` ends the run at once, as a timeout would (the stage was stopped, or
    an earlier case already failed)."""
    proctree.become_subreaper()
    start = time.monotonic()
    confinement = None
    if containment is not None:
        confinement = containment.start(argv, env.get("PATH"))
        argv = confinement.argv
    try:
        with proctree.spawning():
            popen = subprocess.Popen(
                argv,
                cwd=cwd,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
            proctree.track(popen.pid)
    except OSError:
        if confinement is not None:
            confinement.end()
        raise
    if confinement is not None:
        confinement.started(popen.pid)
    out, err = bytearray(), bytearray()
    out_flag, err_flag = [False], [False]
    readers = [
        threading.Thread(target=_drain, args=(popen.stdout, out, cap, out_flag), daemon=True),
        threading.Thread(target=_drain, args=(popen.stderr, err, cap, err_flag), daemon=True),
    ]
    for reader in readers:
        reader.start()

    def feed() -> None:
        try:
            assert popen.stdin is not None
            popen.stdin.write(stdin)
            popen.stdin.close()
        except (BrokenPipeError, OSError):
            pass

    threading.Thread(target=feed, daemon=True).start()
    timed_out = not _wait(popen, time.monotonic() + timeout, cancel)
    if not timed_out and confinement is not None and confinement.left_nothing():
        ended = {popen.pid}  # its group is empty: nothing to walk /proc for
    else:
        procs = proctree.snapshot()  # one walk of /proc finds both the orphans and the tree
        roots = {popen.pid} | proctree.orphans_of_ours(procs)
        ended = proctree.kill_tree(roots, grace=0.5, procs=procs, leader=popen)
    popen.wait()
    proctree.untrack(popen.pid)
    limit = None
    if confinement is not None:
        limit = confinement.explain(popen.returncode)
        confinement.end()
    proctree.reap(ended - {popen.pid})
    for reader in readers:
        reader.join(2.0)
    return RunResult(
        None if timed_out else popen.returncode,
        bytes(out),
        bytes(err),
        time.monotonic() - start,
        timed_out,
        out_flag[0],
        err_flag[0],
        limit,
    )
