"""The namespace mode: the grading in fresh Linux namespaces, the filesystem read-only.

``unshare`` gives the child grader its own network (loopback only, brought up here: a new
network namespace starts with ``lo`` down), process IDs, mounts, IPC and hostname. Tester
and program share that network, nothing outside it is reachable, and two gradings can use
the same port. Inside, every mount is made read-only except the working copy and a scratch
directory (bind-mounted onto themselves first so they stay writable).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from crack.containment import cgroups
from crack.containment.remote import InsideSpec, environment_inside, inside_command
from crack.harness import proctree

UNSHARE = ["unshare", "--net", "--pid", "--mount", "--ipc", "--uts", "--fork", "--mount-proc", "--kill-child"]
KEEP_WRITABLE_PREFIXES = ("/proc", "/sys", "/dev")
"""Kernel filesystems: /sys/fs/cgroup must stay writable for the program's limits."""


class NamespaceUnavailable(Exception):
    pass


def check_available() -> None:
    """Raise with a plain explanation when this machine cannot make namespaces for us."""
    if shutil.which("unshare") is None:
        raise NamespaceUnavailable(
            "`unshare` (util-linux) is not installed: install util-linux, or use --isolation none"
        )
    probe = subprocess.run(
        ["unshare", "--net", "--pid", "--mount", "--fork", "true"], capture_output=True, text=True
    )
    if probe.returncode != 0:
        reason = probe.stderr.strip() or f"exit code {probe.returncode}"
        raise NamespaceUnavailable(
            f"this machine does not allow new namespaces ({reason}); they need root "
            "(or CAP_SYS_ADMIN). Use --isolation none, or --isolation docker"
        )


class NamespaceLauncher:
    mode = "namespace"

    def __init__(self) -> None:
        self.scratch = Path(tempfile.mkdtemp(prefix="crack-ns-"))
        os.chmod(self.scratch, 0o777)
        self.popen: subprocess.Popen[str] | None = None

    def start(self, spec: InsideSpec) -> Iterator[str]:
        spec.writable = [spec.cwd, str(self.scratch)]
        extra = {"TMPDIR": str(self.scratch), "CRACK_INSIDE": "namespace"}
        layout = cgroups.detect()
        umbrella = cgroups.Umbrella(layout) if layout is not None else None
        if umbrella is not None:
            extra[cgroups.PARENT_ENV] = umbrella.env_value()
        proctree.become_subreaper()
        self.popen = subprocess.Popen(
            [*UNSHARE, *inside_command(), spec.to_json()],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            env=environment_inside(extra),
            start_new_session=True,
        )
        proctree.track(self.popen.pid)
        assert self.popen.stdout is not None
        try:
            yield from self.popen.stdout
        finally:
            self.popen.wait()
            proctree.untrack(self.popen.pid)
            if umbrella is not None:
                umbrella.remove()
            shutil.rmtree(self.scratch, ignore_errors=True)

    def interrupt(self) -> None:
        """Ctrl-C reaches the grader (PID 1 of its namespace, where Python handles SIGINT)."""
        if self.popen is not None and self.popen.poll() is None:
            for pid in proctree.descendants({self.popen.pid}) - {self.popen.pid}:
                try:
                    os.kill(pid, 2)
                except ProcessLookupError:
                    pass

    def kill(self) -> None:
        """SIGKILL ends PID 1 of the namespace, and with it every process inside."""
        if self.popen is not None:
            proctree.kill_tree({self.popen.pid}, grace=0.0)

    def ended(self) -> str | None:
        if self.popen is None or self.popen.returncode is None:
            return None
        return f"exited with code {self.popen.returncode}"


# --- inside the namespaces ----------------------------------------------------------------
_SIOCGIFFLAGS = 0x8913
_SIOCSIFFLAGS = 0x8914
_IFF_UP = 0x1


def loopback_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH22x", b"lo", 0)
        flags = struct.unpack("16sH22x", fcntl.ioctl(sock, _SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock, _SIOCSIFFLAGS, struct.pack("16sH22x", b"lo", flags | _IFF_UP))


def _mount_points() -> list[str]:
    points = []
    with open("/proc/self/mountinfo") as handle:
        for line in handle:
            point = line.split()[4].encode().decode("unicode_escape")
            points.append(point)
    return points


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix.rstrip("/") + "/")


def read_only_except(writable: list[str]) -> None:
    """Make every mount read-only but ``writable`` (and the kernel filesystems)."""

    def mount(*args: str) -> None:
        subprocess.run(["mount", *args], check=True, capture_output=True)

    mount("--make-rprivate", "/")
    for directory in writable:
        mount("--bind", directory, directory)
    for point in _mount_points():
        if any(_under(point, p) for p in KEEP_WRITABLE_PREFIXES) or any(_under(point, w) for w in writable):
            continue
        try:
            mount("-o", "remount,ro,bind", point)
        except subprocess.CalledProcessError:
            pass  # a mount that cannot be remounted (already read-only, say)


def prepare_inside(spec: InsideSpec) -> None:
    loopback_up()
    read_only_except(spec.writable)
    socket.sethostname("crack-grading")
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
