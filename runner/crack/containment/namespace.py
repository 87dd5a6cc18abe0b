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
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from crack.containment import cgroups
from crack.containment.remote import InsideSpec, environment_inside, inside_command
from crack.harness import proctree

UNSHARE = ["unshare", "--net", "--pid", "--mount", "--ipc", "--uts", "--fork", "--mount-proc", "--kill-child"]
KEEP_WRITABLE_PREFIXES = ("/proc", "/sys", "/dev")
"""Kernel filesystems: /sys/fs/cgroup must stay writable for the program's limits."""


KILL_WAIT_S = 10.0
"""After SIGKILL of the namespace's PID 1: how long its end may take on a loaded machine."""


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
        self.umbrella: cgroups.Umbrella | None = None
        self._removing = threading.Lock()

    def start(self, spec: InsideSpec) -> Iterator[str]:
        spec.writable = [spec.cwd, str(self.scratch)]
        extra = {"TMPDIR": str(self.scratch), "CRACK_INSIDE": "namespace"}
        layout = cgroups.detect()
        self.umbrella = umbrella = cgroups.Umbrella(layout) if layout is not None else None
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
            self._remove_what_it_made()

    def _remove_what_it_made(self) -> None:
        """The run's cgroups and scratch folder. Safe to call twice, from two threads: the
        reader calls it when the stream ends, :meth:`kill` so that crack never exits first."""
        with self._removing:
            if self.umbrella is not None:
                self.umbrella.remove()
            shutil.rmtree(self.scratch, ignore_errors=True)

    def interrupt(self) -> None:
        """Ctrl-C reaches the grader (PID 1 of its namespace, where Python handles SIGINT),
        and the grader alone: the learner's program, as in a grading without isolation, is
        ended by the grader's teardown, not by the signal (a program killed by SIGINT first
        would fail its stage before the grader heard of the Ctrl-C)."""
        if self.popen is not None and self.popen.poll() is None:
            procs = proctree.snapshot()
            for pid in [p.pid for p in procs.values() if p.ppid == self.popen.pid]:
                try:
                    os.kill(pid, signal.SIGINT)
                except ProcessLookupError:
                    pass

    def kill(self) -> None:
        """SIGKILL ends PID 1 of the namespace, and with it every process inside; then what
        the run made is removed here, in the caller's thread. Leaving that to the reader
        thread let crack exit first under load, with the run's cgroups left behind."""
        if self.popen is not None:
            proctree.kill_tree({self.popen.pid}, grace=0.0)
            try:
                self.popen.wait(timeout=KILL_WAIT_S)
            except subprocess.TimeoutExpired:
                pass  # removal below still kills whatever is left in the groups
        self._remove_what_it_made()

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
