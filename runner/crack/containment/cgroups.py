"""Control groups for one run of the learner's program: memory, processes, CPU share.

The layout differs between machines and is detected at run time, never assumed:

- **v2** (unified): one directory; the controllers must be listed in ``cgroup.controllers``
  and enabled in the parent's ``cgroup.subtree_control``.
- **v1** (and the v1/v2 hybrid where cgroup2 carries no controller): one hierarchy per
  controller, ``/sys/fs/cgroup/{memory,pids,cpu,freezer}/…``. v1 has no ``cgroup.kill``:
  freeze, SIGKILL every member, thaw.

New groups are made under the group crack itself runs in (a container or a systemd unit
may have put it somewhere other than the root). The program must enter its group *before*
it forks, so the launcher writes its own pid into each ``cgroup.procs`` and only then execs
the program (see :mod:`crack.containment.sandbox`).
"""

from __future__ import annotations

import itertools
import os
import secrets
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
_counter = itertools.count(1)


@dataclass(frozen=True)
class Layout:
    version: int
    """1 or 2."""
    dirs: dict[str, Path]
    """Where new groups go, per controller (v2: the same directory for every controller)."""

    def describe(self) -> str:
        return f"cgroup v{self.version} ({', '.join(sorted(self.dirs))})"


def _own_paths() -> dict[str, str]:
    """The cgroup crack runs in, per v1 controller, and under "" for v2."""
    paths: dict[str, str] = {}
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return paths
    for line in lines:
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            paths[controller] = path
    return paths


def _writable(directory: Path) -> bool:
    return directory.is_dir() and os.access(directory, os.W_OK)


def _unified_root() -> Path:
    """The cgroup2 mount: /sys/fs/cgroup itself, or its "unified" folder in a hybrid layout."""
    return ROOT if (ROOT / "cgroup.controllers").exists() else ROOT / "unified"


PARENT_ENV = "CRACK_CGROUP_PARENT"
"""Set by a namespace grading's parent: the group to make the program's groups under."""


_detected: dict[tuple[int, str | None], Layout | None] = {}


def detect() -> Layout | None:
    """The usable cgroup layout, or None (not root, read-only in a container, no controllers).
    Looked up once per process (for each user and parent group it may be asked with): every
    start of the program asks, a one-shot grading a hundred times."""
    key = (os.geteuid(), os.environ.get(PARENT_ENV))
    if key not in _detected:
        _detected[key] = _detect()
    return _detected[key]


def _detect() -> Layout | None:
    if os.geteuid() != 0:
        return None
    if given := os.environ.get(PARENT_ENV):
        version, _, rest = given.partition(":")
        dirs = dict(item.split("=", 1) for item in rest.split(","))
        return Layout(int(version), {c: Path(d) for c, d in dirs.items()})
    own = _own_paths()
    v1 = {}
    for controller in ("memory", "pids", "cpu"):
        base = ROOT / controller
        if (base / "cgroup.procs").exists():
            directory = base / own.get(controller, "/").lstrip("/")
            if _writable(directory):
                v1[controller] = directory
    if "memory" in v1 and "pids" in v1:
        freezer = ROOT / "freezer" / own.get("freezer", "/").lstrip("/")
        if _writable(freezer):
            v1["freezer"] = freezer
        return _swept(Layout(1, v1))
    unified = _unified_root()
    try:
        available = set((unified / "cgroup.controllers").read_text().split())
    except OSError:
        return None
    # Only the root group may hold processes and delegate controllers at once.
    if {"memory", "pids"} <= available and _writable(unified) and own.get("", "/") == "/":
        return _swept(Layout(2, {c: unified for c in ("memory", "pids", "cpu") if c in available}))
    return None


_swept_once = False


def _swept(layout: Layout) -> Layout:
    """Once per process: remove the empty groups of cracks that died without removing them
    (killed mid-stage). A group's name carries its maker's pid; a live maker is left alone."""
    global _swept_once
    if not _swept_once:
        _swept_once = True
        for directory in dict.fromkeys(layout.dirs.values()):
            for group in directory.glob("crack-*"):
                words = group.name.split("-")
                maker = words[2] if words[1] == "run" else words[1]
                if maker.isdigit() and maker != "1" and not Path(f"/proc/{maker}").exists():
                    try:
                        group.rmdir()  # fails, harmlessly, while anything is still inside
                    except OSError:
                        pass
    return layout


def _own_group(layout: Layout) -> Path | None:
    """The group crack itself is in, in one hierarchy of ``layout``."""
    own = _own_paths()
    if layout.version == 2:
        unified = _unified_root()
        return unified / own.get("", "/").lstrip("/")
    if "pids" not in own:
        return None
    return ROOT / "pids" / own["pids"].lstrip("/")


_last_move = 0.0
"""When a process last entered a group (monotonic clock): a launcher, or a warming write."""


def note_move() -> None:
    """A launcher is about to enter its group: that keeps the lock warm by itself."""
    global _last_move
    _last_move = time.monotonic()


class WarmMigrations:
    """Keeps moves into a group quick for as long as a grading runs.

    Moving a process into a group (the launcher's write to ``cgroup.procs``) takes a lock
    whose first writer after a quiet spell waits for an RCU grace period, about 10 ms here
    and up to 35 under load; writers that follow within a grace period do not wait. The
    starts of a server challenge are further apart than that, so each paid it before the
    program could run. While this runs, a write after every :data:`WARM_EVERY_S` without a
    move keeps the lock warm: the launcher's write then takes about 1.5 ms instead of 14
    (median of a Redis grading's 13 starts; ``bench/bench_containment.py`` has the cold and
    warm cost side by side). Each write puts this thread into the group it is in already
    (v1 ``tasks``; v2 has no per-thread file outside threaded groups, so crack's pid into
    ``cgroup.procs``), which moves nothing; where that is not allowed, nothing is done.
    Where starts come faster than that (one-shot cases), the launchers' own writes keep it
    warm and this one writes nothing."""

    def __init__(self, layout: Layout) -> None:
        self._layout = layout
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.writes = 0
        """How many warming writes were made."""

    def __enter__(self) -> WarmMigrations:
        self._thread = threading.Thread(target=self._run, name="cgroup-warm", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(1.0)

    def _run(self) -> None:
        global _last_move
        group = _own_group(self._layout)
        if group is None:
            return
        if self._layout.version == 2:
            path, me = group / "cgroup.procs", str(os.getpid())
        else:
            path, me = group / "tasks", str(threading.get_native_id())
        try:
            if me not in path.read_text().split():  # the writes must never move anything
                return
            fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
        except OSError:
            return
        try:
            while not self._stop.is_set():
                quiet = time.monotonic() - _last_move
                if quiet >= WARM_EVERY_S:
                    os.write(fd, me.encode())
                    self.writes += 1
                    _last_move = time.monotonic()
                    quiet = 0.0
                self._stop.wait(WARM_EVERY_S - quiet)
        except OSError:
            return
        finally:
            os.close(fd)


WARM_EVERY_S = 0.005
"""Shorter than a grace period, so the lock never cools between two moves."""


class Cgroup:
    """One group per start of the program, removed once it is empty.

    Per start rather than per grading: a start never sees what an earlier one left, and its
    counters (OOM kills, failed forks) are its own. Making and removing a group costs well
    under a millisecond (``bench/bench_containment.py``); what a start does pay, entering
    the group, it would pay with a shared group too.
    """

    def __init__(self, layout: Layout, *, memory_bytes: int, pids: int, cpus: float | None) -> None:
        self.layout = layout
        # Unique across PID namespaces: every namespace grading is PID 1 of its own.
        name = f"crack-{os.getpid()}-{next(_counter)}-{secrets.token_hex(4)}"
        self.dirs: dict[str, Path] = {}
        if layout.version == 2:
            parent = layout.dirs["memory"]
            wanted = " ".join(f"+{c}" for c in layout.dirs)
            _write(parent / "cgroup.subtree_control", wanted)
            group = parent / name
            group.mkdir()
            self.dirs = {c: group for c in layout.dirs}
            _write(group / "memory.max", str(memory_bytes))
            _try_write(group / "memory.swap.max", "0")
            _write(group / "pids.max", str(pids))
            if cpus is not None and "cpu" in layout.dirs:
                _write(group / "cpu.max", f"{int(cpus * 100_000)} 100000")
            return
        for controller, parent in layout.dirs.items():
            group = parent / name
            group.mkdir()
            self.dirs[controller] = group
        memory = self.dirs["memory"]
        _write(memory / "memory.limit_in_bytes", str(memory_bytes))
        # Without a swap limit too, a program could page its way past the memory limit.
        _try_write(memory / "memory.memsw.limit_in_bytes", str(memory_bytes))
        _write(self.dirs["pids"] / "pids.max", str(pids))
        if cpus is not None and "cpu" in self.dirs:
            _write(self.dirs["cpu"] / "cpu.cfs_period_us", "100000")
            _write(self.dirs["cpu"] / "cpu.cfs_quota_us", str(int(cpus * 100_000)))

    @property
    def procs_files(self) -> list[Path]:
        """Where the launcher writes its pid: one file per distinct group directory."""
        return [group / "cgroup.procs" for group in dict.fromkeys(self.dirs.values())]

    def members(self) -> set[int]:
        pids: set[int] = set()
        for procs in self.procs_files:
            try:
                pids.update(int(p) for p in procs.read_text().split())
            except OSError:
                pass
        return pids

    def oom_kills(self) -> int:
        """How many processes the kernel killed for going over the memory limit."""
        memory = self.dirs["memory"]
        name = "memory.events" if self.layout.version == 2 else "memory.oom_control"
        for line in _read(memory / name).splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
        return 0

    def hit_pids_limit(self) -> bool:
        """Whether a fork failed because the process limit was reached."""
        for line in _read(self.dirs["pids"] / "pids.events").splitlines():
            key, _, value = line.partition(" ")
            if key == "max":
                return int(value) > 0
        return False

    def peak_memory(self) -> int | None:
        name = "memory.peak" if self.layout.version == 2 else "memory.max_usage_in_bytes"
        text = _read(self.dirs["memory"] / name).strip()
        return int(text) if text.isdigit() else None

    def kill_all(self, timeout: float = 5.0) -> None:
        """SIGKILL every member, frozen first so nothing forks away while it is being killed."""
        deadline = time.monotonic() + timeout
        v2_kill = self.dirs["memory"] / "cgroup.kill"
        if self.layout.version == 2 and v2_kill.exists():
            _try_write(v2_kill, "1")
        freezer = self.dirs.get("freezer")
        while self.members() and time.monotonic() < deadline:
            if freezer is not None:
                _try_write(freezer / "freezer.state", "FROZEN")
            for procs in self.procs_files:
                _kill_members(procs.parent)
            if freezer is not None:
                _try_write(freezer / "freezer.state", "THAWED")
            time.sleep(0.005)

    def remove(self) -> None:
        """Delete the groups; members that are still exiting get a moment to go."""
        for group in dict.fromkeys(self.dirs.values()):
            _rmdir_patiently(group)


def _kill_members(group: Path) -> None:
    for pid in _read(group / "cgroup.procs").split():
        try:
            os.kill(int(pid), signal.SIGKILL)
        except ProcessLookupError:
            pass


RMDIR_PATIENCE_S = 5.0
"""rmdir fails while a killed member is still exiting, which takes long on a loaded
machine (a memory group gives its pages back first)."""


def _rmdir_patiently(group: Path) -> None:
    """rmdir, retried for up to RMDIR_PATIENCE_S while a killed member is still exiting."""
    deadline = time.monotonic() + RMDIR_PATIENCE_S
    while True:
        try:
            group.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            if time.monotonic() > deadline:
                return
            time.sleep(0.01)


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _write(path: Path, value: str) -> None:
    with open(path, "w") as handle:
        handle.write(value)


def _try_write(path: Path, value: str) -> None:
    try:
        _write(path, value)
    except OSError:
        pass


class Umbrella:
    """A group holding all the groups of one isolated grading, made by its parent.

    A namespace grading killed from outside (Ctrl-C, the run's time limit) cannot remove
    the groups it made; its parent removes them through this, with anything still in them.
    """

    def __init__(self, layout: Layout) -> None:
        name = f"crack-run-{os.getpid()}-{secrets.token_hex(4)}"
        self.layout = layout
        self.dirs = {c: d / name for c, d in layout.dirs.items()}
        for directory in dict.fromkeys(self.dirs.values()):
            directory.mkdir()
        if layout.version == 2:
            _write(layout.dirs["memory"] / "cgroup.subtree_control", " ".join(f"+{c}" for c in layout.dirs))

    def env_value(self) -> str:
        return f"{self.layout.version}:" + ",".join(f"{c}={d}" for c, d in self.dirs.items())

    def remove(self) -> None:
        """Kill what is left inside, then remove every group, innermost first."""
        for top in dict.fromkeys(self.dirs.values()):
            inner = [p for p in top.rglob("*") if p.is_dir()]
            groups = sorted(inner, key=lambda p: len(p.parts), reverse=True)
            for group in [*groups, top]:
                _kill_members(group)
                _rmdir_patiently(group)
