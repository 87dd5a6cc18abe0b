"""Which TCP ports a process tree listens on, read from /proc (for the "wrong port" hint)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

_LISTEN = "0A"


def _listening_inodes() -> dict[str, int]:
    inodes: dict[str, int] = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
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
    inodes = _listening_inodes()
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
