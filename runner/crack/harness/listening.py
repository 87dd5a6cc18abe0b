"""Which TCP ports a process tree listens on, read from /proc.

The harness waits for the program's port this way rather than by connecting: a probe
connection would be the first connection the program accepts, and a beginner's server
that accepts exactly one client would serve the probe instead of the tester. It also
names the port a program listens on when it is the wrong one.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

PROC_AVAILABLE = Path("/proc/self/net/tcp").exists()

_LISTEN = "0A"


def _listening_inodes(net_dir: str) -> dict[str, int]:
    inodes: dict[str, int] = {}
    for table in (f"{net_dir}/tcp", f"{net_dir}/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and fields[3] == _LISTEN:
                inodes[fields[9]] = int(fields[1].rsplit(":", 1)[1], 16)
    return inodes


def listening_ports(pids: Iterable[int]) -> set[int]:
    """TCP ports in LISTEN state held by any of ``pids``."""
    pids = list(pids)
    # Read the socket tables of the processes' own network namespace.
    inodes: dict[str, int] = {}
    for pid in pids[:1] or [os.getpid()]:
        inodes = _listening_inodes(f"/proc/{pid}/net")
    ports: set[int] = set()
    for pid in pids:
        fd_dir = f"/proc/{pid}/fd"
        try:
            fds = os.listdir(fd_dir)
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(f"{fd_dir}/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                port = inodes.get(target[8:-1])
                if port is not None:
                    ports.add(port)
    return ports
