"""How every run of a learner's program is contained, whatever the isolation mode.

A program gets, per start: its own session (so its group can be signalled), a cgroup for
memory, processes and CPU share where the machine allows one (else a memory watch over its
tree), resource limits (CPU seconds, no core files, and a process count where no cgroup
counts them), an environment reduced to an allow-list, and — when crack runs as root — an
unprivileged user: ``RLIMIT_NPROC`` does nothing for root, and a root program could write
anywhere. That user keeps ``CAP_DAC_READ_SEARCH`` only, so it can read its working copy
wherever it lives (a CI checkout under a private home) but write nothing of root's.

The launcher is ``/bin/sh`` (it enters the cgroups and sets the limits, *then* execs) and
``setpriv`` for the change of user: two execs, a millisecond or two per start.
"""

from __future__ import annotations

import dataclasses
import os
import pwd
import shutil
import signal
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from crack.containment import cgroups
from crack.containment.memwatch import MemoryWatch

ENV_ALLOWED = (
    "PATH",
    "LANG",
    "LANGUAGE",
    "TERM",
    "TZ",
    "USER",
    "LOGNAME",
    "SHELL",
    "HOME",
    "TMPDIR",
    "NO_COLOR",
    # Toolchains a learner's run command may need.
    "JAVA_HOME",
    "GOROOT",
    "GOPATH",
    "GOCACHE",
    "GOFLAGS",
    "CARGO_HOME",
    "RUSTUP_HOME",
    "RUSTUP_TOOLCHAIN",
    "NODE_PATH",
    "PYENV_ROOT",
    "PYENV_VERSION",
    "VIRTUAL_ENV",
)
"""Variables passed through from crack's environment; every other one (tokens, keys,
CI secrets) is dropped. ``LC_*`` variables pass too."""

SANDBOX_USER = "nobody"
_LAUNCH_SCRIPT = (
    'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; '
    'ulimit -c 0; ulimit -S -t {cpu}; ulimit -H -t {cpu_hard}{nproc}; exec "$@"'
)


@dataclass(frozen=True)
class Limits:
    memory_mb: int = 2048
    pids: int = 512
    cpu_seconds: int = 120
    """CPU time per process: a busy loop that outlives its stage is still ended."""
    cpus: float | None = 1.0
    """CPU share of the whole tree (1.0 = one core); None leaves it unlimited. One core
    keeps a busy loop or a fork bomb from starving the tester that times it."""


@dataclass(frozen=True)
class Containment:
    """The containment a grading applies to each start of the learner's program."""

    limits: Limits = field(default_factory=Limits)
    user: str | None = None
    """Run the program as this user (only possible as root). See :func:`default_user`."""
    use_cgroups: bool = True

    def start(self, argv: Sequence[str], path: str | None = None) -> Confinement:
        """Prepare one start of ``argv``. Raises FileNotFoundError or PermissionError as
        starting it directly would (the launcher would only report them as exit codes)."""
        check_executable(argv[0], path if path is not None else os.environ.get("PATH", os.defpath))
        layout = cgroups.detect() if self.use_cgroups else None
        return Confinement(self, list(argv), layout)

    def warm_starts(self) -> AbstractContextManager[object]:
        """For the time of a grading: keep what the kernel makes each start wait for warm
        (see :class:`crack.containment.cgroups.WarmMigrations`)."""
        layout = cgroups.detect() if self.use_cgroups else None
        return cgroups.WarmMigrations(layout) if layout is not None else nullcontext()

    def environment(self, base: Mapping[str, str], home: Path | None) -> dict[str, str]:
        env = {k: v for k, v in base.items() if k in ENV_ALLOWED or k.startswith("LC_")}
        if self.user is not None and home is not None:
            # Root's home and temp dir are not the program's to write in.
            env["HOME"] = env["TMPDIR"] = str(home)
            env["USER"] = env["LOGNAME"] = self.user
            # Nor its working copy: Python writes no bytecode there. It still reads what is
            # compiled already, the interpreter's standard library above all; a cache
            # directory of the run's (PYTHONPYCACHEPREFIX) would hide those files and make
            # the first start of every grading compile the whole standard library the
            # program imports (a third of a second), to save the few milliseconds the
            # learner's own modules take to compile at each start.
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        return env

    def grant(self, directory: Path) -> None:
        """Give the program's user what the tester put in ``directory`` (the stage's scratch).

        By ownership, never by loosening modes: the program must see the 0644 files and
        0755 folders it would see were crack not root (a write-tree that copies st_mode
        would store 100666 otherwise). Tools the tester runs there trust those files
        (git: ``safe.directory``); root reads and writes them regardless."""
        if self.user is None:
            return
        record = pwd.getpwnam(self.user)
        _give(directory, record.pw_uid, record.pw_gid)
        for root, dirs, files in os.walk(directory):
            for name in (*dirs, *files):
                _give(Path(root) / name, record.pw_uid, record.pw_gid)


def check_executable(program: str, path: str) -> None:
    if "/" not in program:
        if shutil.which(program, path=path) is None:
            raise FileNotFoundError(program)
        return
    if not os.path.exists(program):
        raise FileNotFoundError(program)
    if os.path.isdir(program) or not os.access(program, os.X_OK):
        raise PermissionError(program)


def _give(path: Path, uid: int, gid: int) -> None:
    try:
        os.lchown(path, uid, gid)  # a symlink itself, never what it points to
    except OSError:
        pass


def default_user() -> str | None:
    """The unprivileged user for the program when crack runs as root, else None."""
    if os.geteuid() != 0:
        return None
    wanted = os.environ.get("CRACK_SANDBOX_USER", SANDBOX_USER)
    if wanted in ("", "root"):
        return None
    try:
        pwd.getpwnam(wanted)
    except KeyError:
        return None
    return wanted if shutil.which("setpriv") else None


class Confinement:
    """One start of the program under a :class:`Containment`: its launcher command line,
    its cgroup or memory watch, and what they saw (for the verdict)."""

    def __init__(self, containment: Containment, argv: list[str], layout: cgroups.Layout | None) -> None:
        self.containment = containment
        limits = containment.limits
        self.memory_bytes = limits.memory_mb * 1024 * 1024
        self.cgroup: cgroups.Cgroup | None = None
        if layout is not None:
            try:
                self.cgroup = cgroups.Cgroup(
                    layout, memory_bytes=self.memory_bytes, pids=limits.pids, cpus=limits.cpus
                )
            except OSError:
                self.cgroup = None
            else:
                cgroups.note_move()
        self.watch: MemoryWatch | None = None
        nproc = ""
        if self.cgroup is None and os.geteuid() != 0:
            # No cgroup counts processes: the per-user limit does, on top of what runs already.
            nproc = f"; ulimit -p {_user_process_count() + limits.pids}"
        elif self.cgroup is None and containment.user is not None:
            nproc = f"; ulimit -p {limits.pids}"
        script = _LAUNCH_SCRIPT.format(cpu=limits.cpu_seconds, cpu_hard=limits.cpu_seconds + 2, nproc=nproc)
        procs = [str(p) for p in self.cgroup.procs_files] if self.cgroup else []
        prefix = ["/bin/sh", "-c", script, "crack-launch", *procs, "--"]
        if containment.user is not None:
            record = pwd.getpwnam(containment.user)
            prefix += [
                "setpriv",
                f"--reuid={record.pw_uid}",
                f"--regid={record.pw_gid}",
                "--clear-groups",
                "--no-new-privs",
                "--inh-caps=+dac_read_search",
                "--ambient-caps=+dac_read_search",
                "--",
            ]
        self.argv = prefix + argv

    _oom_kills: int | None = None
    _hit_pids: bool | None = None

    def _oom_killed(self) -> bool:
        if self._oom_kills is not None:
            return self._oom_kills > 0
        return self.cgroup is not None and self.cgroup.oom_kills() > 0

    def _pids_limited(self) -> bool:
        if self._hit_pids is not None:
            return self._hit_pids
        if self.watch is not None:  # no cgroup: judge by the most processes seen at once
            return self.watch.peak_processes >= self.containment.limits.pids * 9 // 10
        return self.cgroup is not None and self.cgroup.hit_pids_limit()

    def started(self, pid: int) -> None:
        if self.cgroup is None:
            self.watch = MemoryWatch(pid, self.memory_bytes)

    def explain(self, returncode: int | None) -> str | None:
        """Why the program ended, when containment ended it; None when it ended by itself."""
        limits = self.containment.limits
        if self._oom_killed():
            return f"was killed for using more than its memory limit of {limits.memory_mb} MB"
        if self.watch is not None and self.watch.killed_at is not None:
            used = self.watch.killed_at // (1024 * 1024)
            return f"was killed at {used} MB, over its memory limit of {limits.memory_mb} MB"
        if returncode == -signal.SIGXCPU:
            return f"was killed after {limits.cpu_seconds} s of CPU time (its limit)"
        return None

    def notes(self) -> list[str]:
        """Limits the program ran into without being killed for them."""
        if self._pids_limited():
            return [f"it tried to run more than {self.containment.limits.pids} processes at once (the limit)"]
        return []

    def left_nothing(self) -> bool:
        """Whether no process of the program's is left (its leader has exited): known only
        where it has a group, which every process it starts stays in."""
        return self.cgroup is not None and not self.cgroup.members()

    def end(self) -> None:
        """Kill whatever is left in the cgroup (a daemon that escaped every session) and
        remove it."""
        if self.watch is not None:
            self.watch.stop()
        if self.cgroup is not None:
            self.cgroup.kill_all()
            # Read what the group saw before it goes: verdicts are written after teardown.
            self._oom_kills, self._hit_pids = self.cgroup.oom_kills(), self.cgroup.hit_pids_limit()
            self.cgroup.remove()
            self.cgroup = None


def _user_process_count() -> int:
    uid = os.getuid()
    count = 0
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                if os.stat(f"/proc/{name}").st_uid == uid:
                    count += 1
            except OSError:
                pass
    return count


def for_challenge(containment: Containment, run_as: str, reason: str | None = None) -> Containment:
    """``containment`` as a challenge's ``containment.run_as`` wants it.

    ``root`` keeps crack's own user for the program (a container runtime makes namespaces,
    mounts and cgroups) and changes nothing else: the program still enters its cgroup
    before it execs, keeps its limits and reduced environment, and its whole tree is killed
    after each stage. It needs crack itself to be root; otherwise the grading stops with
    the challenge's ``reason``, since every stage would fail for a cause the learner
    cannot fix in their code.
    """
    if run_as != "root":
        return containment
    if os.geteuid() != 0:
        from crack.errors import CrackUsageError

        raise CrackUsageError(
            f"this challenge runs your program as root ({reason or 'it needs privileges'}), "
            "and crack is not running as root: run crack test with sudo, or in a root container"
        )
    return dataclasses.replace(containment, user=None)


def standard(limits: Limits | None = None) -> Containment:
    """The containment every grading uses unless told otherwise: default limits, and an
    unprivileged user when crack runs as root."""
    return Containment(limits or Limits(), user=default_user())
