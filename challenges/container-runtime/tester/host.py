"""What the host sees: its own namespaces, and what a container left behind.

A runtime that exits must leave nothing: no mount that refers to the tester's folder (a
/proc inside the root filesystem, an overlay over it), no process whose root is in it,
and no control group it made. Other programs share the machine (other gradings, Docker),
so the checks look only at what points into this stage's folder, and at new control
groups that are not crack's own (``crack-…``) or a container engine's.
"""

from __future__ import annotations

import os
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
OWN_CGROUP_FILE = "/proc/self/cgroup"
_FOREIGN = ("docker", "containerd", "libpod", "machine.slice", "system.slice", "user.slice", "init.scope")


def own_namespace(kind: str) -> str:
    """``mnt:[4026531840]``, as readlink shows the tester's own namespace of ``kind``."""
    return os.readlink(f"/proc/self/ns/{kind}")


SCRATCH_TMPFS = "crack-scratch"
"""The source name of the tmpfs the tester mounts in a stage's folder (:func:`mount_tmpfs`),
which tells it apart from what a runtime mounts there."""


def mount_tmpfs(folder: Path, size: str = "256m") -> None:
    """Mount a tmpfs on ``folder``: a filesystem an overlay's upper and work folders can be
    on wherever crack runs. Where /tmp is itself an overlay (a Docker container, some CI
    and WSL setups), the kernel refuses an upper folder there (EINVAL)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.mount(SCRATCH_TMPFS.encode(), str(folder).encode(), b"tmpfs", 0, f"size={size}".encode()) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"mount tmpfs on {folder}: {os.strerror(error)}")


def _is_tester_tmpfs(fields: list[str]) -> bool:
    dash = fields.index("-")
    return fields[dash + 1] == "tmpfs" and fields[dash + 2] == SCRATCH_TMPFS


def mounts_into(folder: Path, *, keep_tmpfs: bool = False) -> list[str]:
    """Mount points (and their filesystem types) whose line in the host's mount table names
    ``folder``: mounted on it, or an overlay whose layers are in it. ``keep_tmpfs``: leave
    out the tester's own tmpfs (:func:`mount_tmpfs`)."""
    found: list[str] = []
    needle = str(folder)
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        if needle in line:
            fields = line.split()
            if keep_tmpfs and _is_tester_tmpfs(fields):
                continue
            dash = fields.index("-")
            found.append(f"{_unescape(fields[4])} ({fields[dash + 1]})")
    return found


def unmount_into(folder: Path, *, keep_tmpfs: bool = False) -> None:
    """Detach every mount that :func:`mounts_into` finds, deepest first: the stage's folder
    is deleted afterwards, and deleting through a mount (a /proc, a bind mount of the
    host's /) would reach files that are not the tester's."""
    for _ in range(20):
        points = _mount_points_into(folder, keep_tmpfs)
        if not points:
            return
        for point in sorted(points, key=len, reverse=True):
            libc_umount(point)


def _mount_points_into(folder: Path, keep_tmpfs: bool) -> list[str]:
    points: list[str] = []
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return points
    for line in lines:
        if str(folder) in line and not (keep_tmpfs and _is_tester_tmpfs(line.split())):
            points.append(_unescape(line.split()[4]))
    return points


def libc_umount(point: str) -> None:
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.umount2(point.encode(), 2)  # MNT_DETACH


def remove_cgroups(paths: list[str]) -> None:
    """Kill what is in each leftover group and remove it, innermost first."""
    import signal
    import time

    for path in sorted(paths, key=len, reverse=True):
        group = Path(path)
        for _ in range(100):
            try:
                pids = (group / "cgroup.procs").read_text().split()
            except OSError:
                pids = []
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except OSError:
                    pass
            try:
                group.rmdir()
                break
            except FileNotFoundError:
                break
            except OSError:
                time.sleep(0.02)


def _unescape(text: str) -> str:
    return text.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\")


def processes_rooted_in(folder: Path) -> dict[int, str]:
    """Processes whose root or working directory is ``folder`` or below it (a chroot's),
    with their command lines."""
    found = {}
    target = os.path.realpath(folder)
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            root = os.readlink(f"/proc/{name}/root")
            cwd = os.readlink(f"/proc/{name}/cwd")
        except OSError:
            continue
        if root == target or root.startswith(target + "/") or cwd.startswith(target + "/"):
            found[int(name)] = command_line(int(name))
    return found


def command_line(pid: int) -> str:
    try:
        return (
            Path(f"/proc/{pid}/cmdline")
            .read_bytes()
            .replace(b"\0", b" ")
            .decode(errors="replace")
            .strip()[:80]
        )
    except OSError:
        return "?"


def kill(pids: list[int]) -> None:
    import signal

    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def processes_with(token: str) -> list[int]:
    """Processes whose command line holds ``token`` (the tester puts one in what it runs)."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                if token.encode() in Path(f"/proc/{name}/cmdline").read_bytes():
                    found.append(int(name))
            except OSError:
                continue
    return found


def cpu_limit_of(pid: int) -> tuple[float | None, str]:
    """The tightest CPU quota on the way from ``pid``'s cpu group up to the root, in CPUs
    (None: no quota), and the group that sets it. Read from the host's view of the group."""
    try:
        lines = Path(f"/proc/{pid}/cgroup").read_text().splitlines()
    except OSError:
        return None, ""
    hierarchy, path = None, None
    for line in lines:
        _, controllers, group = line.split(":", 2)
        if "cpu" in controllers.split(","):
            hierarchy, path = CGROUP_ROOT / controllers, group
    if hierarchy is None and (CGROUP_ROOT / "cgroup.controllers").exists():
        for line in lines:
            if line.startswith("0::"):
                hierarchy, path = CGROUP_ROOT, line[3:]
    if hierarchy is None or path is None:
        return None, ""
    tightest: tuple[float | None, str] = (None, "")
    folder = hierarchy / path.lstrip("/")
    while True:
        cpus = _quota(folder)
        if cpus is not None and (tightest[0] is None or cpus < tightest[0]):
            tightest = (cpus, str(folder))
        if folder == hierarchy or hierarchy not in folder.parents:
            return tightest
        folder = folder.parent


def _quota(folder: Path) -> float | None:
    try:
        if (folder / "cpu.max").exists():
            quota, period = (folder / "cpu.max").read_text().split()
        else:
            quota = (folder / "cpu.cfs_quota_us").read_text().strip()
            period = (folder / "cpu.cfs_period_us").read_text().strip()
    except (OSError, ValueError):
        return None
    if quota in ("max", "-1"):
        return None
    return int(quota) / int(period)


def cgroups() -> set[str]:
    """Every control group folder on the host, as paths below /sys/fs/cgroup.

    Other managers' trees (Docker's, systemd's slices) are left out, being busy with groups
    that come and go, except on the way to the tester's own groups: where the tester runs
    inside one (CI in a Docker container), the program's groups are made down there."""
    found: set[str] = set()
    try:
        hierarchies = [p for p in CGROUP_ROOT.iterdir() if p.is_dir() and not p.is_symlink()]
    except OSError:
        return found
    own = _own_group_folders()
    for hierarchy in hierarchies:
        for root, dirs, _ in os.walk(hierarchy):
            here = Path(root)
            in_foreign = _foreign(here.relative_to(hierarchy)) and not _inside(here, own)
            dirs[:] = [d for d in dirs if _on_the_way(here / d, own) or not (in_foreign or _foreign(Path(d)))]
            for name in dirs:
                found.add(str((Path(root) / name).relative_to(CGROUP_ROOT)))
    return found


def _own_group_folders() -> list[Path]:
    """The tester's own group in each hierarchy, as folders below /sys/fs/cgroup."""
    folders: list[Path] = []
    try:
        lines = Path(OWN_CGROUP_FILE).read_text().splitlines()
    except OSError:
        return folders
    for line in lines:
        _, controllers, path = line.split(":", 2)
        name = controllers.removeprefix("name=") if controllers else ""
        if not name and not (CGROUP_ROOT / "cgroup.controllers").exists():
            name = "unified"  # a v1/v2 hybrid mounts the v2 tree there
        folders.append(CGROUP_ROOT / name / path.lstrip("/"))
    return folders


def _foreign(path: Path) -> bool:
    return any(mark in part for part in path.parts for mark in _FOREIGN)


def _inside(folder: Path, own: list[Path]) -> bool:
    """Whether ``folder`` is one of ``own`` or below one of them."""
    return any(folder == group or group in folder.parents for group in own)


def _on_the_way(folder: Path, own: list[Path]) -> bool:
    """Whether ``folder`` is one of ``own`` or holds one of them."""
    return any(folder == group or folder in group.parents for group in own)


def new_cgroups(before: set[str], after: set[str], grader: int | None = None) -> list[str]:
    """Groups in ``after`` only, leaving out crack's own (every new part named ``crack-``)
    and those inside another grading's group (``crack-PID-…`` of a PID other than
    ``grader``, this process by default): gradings run side by side, and a runtime that
    nests its groups in its own (as runc does) makes them inside its grading's group."""
    grader = os.getpid() if grader is None else grader
    left = []
    for path in sorted(after - before):
        pieces = Path(path).parts
        fresh = [pieces[i] for i in range(1, len(pieces)) if str(Path(*pieces[: i + 1])) not in before]
        if all(part.startswith("crack-") for part in fresh):
            continue
        makers = [part.split("-")[1] for part in pieces if part.startswith("crack-")]
        if any(maker.isdigit() and int(maker) != grader for maker in makers):
            continue
        left.append(f"/sys/fs/cgroup/{path}")
    return left
