"""Which TCP ports a process tree listens on, read from /proc.

The harness waits for the program's port this way rather than by connecting: a probe
connection would be the first connection the program accepts, and a beginner's server
that accepts exactly one client would serve the probe instead of the tester. It also
names the port a program listens on when it is the wrong one.
"""

from __future__ import annotations

import errno
import os
import socket
import struct
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


_SOCK_DIAG_BY_FAMILY = 20
_NLM_F_REQUEST_DUMP = 0x301
_NLMSG_DONE, _NLMSG_ERROR = 3, 2
_TCP_LISTEN_BIT = 1 << 10


def _listening_inodes_netlink() -> dict[str, int] | None:
    """LISTEN sockets from the kernel's sock_diag interface, filtered in the kernel.

    /proc/net/tcp lists every socket, TIME_WAIT included: on a busy machine that is tens of
    thousands of lines per read. sock_diag is asked for listening sockets only. None when
    the interface is not available (then the /proc tables are read instead).
    """
    inodes: dict[str, int] = {}
    try:
        with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 4) as nl:  # NETLINK_SOCK_DIAG
            nl.settimeout(1.0)
            for family in (socket.AF_INET, socket.AF_INET6):
                request = struct.pack("=BBBBI", family, socket.IPPROTO_TCP, 0, 0, _TCP_LISTEN_BIT) + bytes(48)
                header = struct.pack(
                    "=IHHII", 16 + len(request), _SOCK_DIAG_BY_FAMILY, _NLM_F_REQUEST_DUMP, 1, 0
                )
                nl.send(header + request)
                done = False
                while not done:
                    data = nl.recv(1 << 16)
                    offset = 0
                    while offset + 16 <= len(data):
                        length, kind = struct.unpack_from("=IH", data, offset)
                        if kind in (_NLMSG_DONE, _NLMSG_ERROR) or length < 16:
                            done = True
                            break
                        body = offset + 16
                        sport = struct.unpack_from("!H", data, body + 4)[0]
                        inode = struct.unpack_from("=I", data, body + 68)[0]
                        inodes[str(inode)] = sport
                        offset += (length + 3) & ~3
    except OSError:
        return None
    return inodes


def listening_ports(pids: Iterable[int]) -> set[int]:
    """TCP ports in LISTEN state held by any of ``pids`` (in crack's network namespace)."""
    pids = list(pids)
    inodes = _listening_inodes_netlink()
    if inodes is None:
        inodes = _listening_inodes(f"/proc/{pids[0] if pids else os.getpid()}/net")
    return _ports_of(pids, inodes)


def _ports_of(pids: Iterable[int], inodes: dict[str, int]) -> set[int]:
    """Ports of the sockets (by inode) that any of ``pids`` holds open."""
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


def port_taken(host: str, port: int) -> bool:
    """Whether something holds ``host:port`` for listening: a cheap bind, no connection.

    With SO_REUSEADDR a bind only fails on Linux when a socket is bound there in a live
    state (TIME_WAIT leftovers do not count), so this is a fast first gate; who holds the
    port, and whether it listens yet, is then confirmed from /proc.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            return exc.errno == errno.EADDRINUSE
    return False


def udp_ports(pids: Iterable[int]) -> set[int]:
    """UDP ports bound by any of ``pids`` (UDP tables are short: /proc is read directly)."""
    pids = list(pids)
    if not pids:
        return set()
    inodes: dict[str, int] = {}
    for table in ("udp", "udp6"):
        try:
            lines = Path(f"/proc/{pids[0]}/net/{table}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9:
                inodes[fields[9]] = int(fields[1].rsplit(":", 1)[1], 16)
    return _ports_of(pids, inodes)


def unread_by_peer(sock: socket.socket) -> int | None:
    """Bytes sent on ``sock`` that the other end, a process on this machine, has not read
    yet: that socket's receive queue in the kernel's table. None when it is not found.

    It tells a program that read the request and kept its reply (an unflushed buffer) from
    one that never read it (busy with another client, or not reading at all)."""
    try:
        ours, theirs = sock.getsockname()[1], sock.getpeername()[1]
    except OSError:
        return None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) < 5:
                continue
            local, remote = fields[1].rsplit(":", 1)[1], fields[2].rsplit(":", 1)[1]
            if int(local, 16) == theirs and int(remote, 16) == ours:
                return int(fields[4].split(":")[1], 16)
    return None
