#!/usr/bin/env python3
"""The real runtime the container-runtime tester is checked against: runc (or crun).

Takes the challenge's command line,

    run [--hostname H] [--memory SIZE] [--pids N] [--cpus X] [--net none] ROOTFS CMD ARGS...

and turns it into an OCI bundle that ``runc run`` executes in the foreground. What a
higher layer (containerd, Docker) does around runc, this adapter does itself:

- **Images.** runc runs a bundle, never an image: when ROOTFS is an OCI image tarball, its
  layers are unpacked here (whiteouts applied) into a temporary folder.
- **Overlay.** containerd's snapshotter gives runc an overlay whose upper layer is thrown
  away; here too, so the container's writes never reach ROOTFS. The overlay is mounted in a
  mount namespace of the adapter's own (``unshare --mount``): if the adapter is killed, the
  kernel removes the mount with the namespace.
- **OOM report.** ``runc run`` only passes the exit code (137) on, and removes the
  container's group, with its counters, as the command ends. So the adapter runs the two
  halves itself, as containerd does: ``runc create`` then ``runc start``, with the adapter a
  child subreaper so the container's first process becomes its child to wait for. The group
  then outlives the command until ``runc delete``, and its ``oom_kill`` counter
  (``memory.events`` in v2, ``memory.oom_control`` in v1) says why the command died. The
  kernel log would say it too, but /dev/kmsg is often unreadable (in a container, above all).
- **Network.** Without ``--net none`` the container shares the host's network, like
  ``docker run --network host``; with it, runc gives it a namespace whose loopback is up.

cgroup v1 or v2 is detected at run time. The runtime is ``runc`` unless ``--runtime crun``
comes first. Exit code: the command's, or 128 + the signal that ended it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

CGROUP = Path("/sys/fs/cgroup")
SAFE: dict[str, str] = {"filter": "tar"} if hasattr(tarfile, "data_filter") else {}
"""Extraction filters exist from Python 3.11.4 on; Debian 12's 3.11.2 has none."""


def usage(message: str) -> None:
    print(f"run.py: {message}", file=sys.stderr)
    sys.exit(125)


def parse_size(text: str) -> int:
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    last = text[-1:].lower()
    if last in units:
        return int(text[:-1]) * units[last]
    return int(text)


def parse(argv: list[str]) -> tuple[dict[str, str], str, list[str]]:
    if not argv or argv[0] != "run":
        usage("usage: run [options] ROOTFS CMD ARGS...")
    options: dict[str, str] = {}
    rest = argv[1:]
    while rest and rest[0].startswith("--"):
        name = rest.pop(0)[2:]
        if not rest:
            usage(f"--{name} needs a value")
        options[name] = rest.pop(0)
    if len(rest) < 2:
        usage("usage: run [options] ROOTFS CMD ARGS...")
    return options, rest[0], rest[1:]


def unpack_image(tarball: Path, into: Path) -> dict[str, object]:
    """Apply the image's layers in order into ``into``; return the image's config."""
    layout = into.parent / "layout"
    with tarfile.open(tarball) as archive:
        archive.extractall(layout, **SAFE)

    def blob(digest: str) -> Path:
        algorithm, _, value = digest.partition(":")
        return layout / "blobs" / algorithm / value

    index = json.loads((layout / "index.json").read_text())
    manifest = json.loads(blob(index["manifests"][0]["digest"]).read_text())
    config = json.loads(blob(manifest["config"]["digest"]).read_text())
    into.mkdir()
    for layer in manifest["layers"]:
        with tarfile.open(blob(layer["digest"])) as archive:
            members = []
            for member in archive.getmembers():
                path = Path(member.name)
                if path.name == ".wh..wh..opq":
                    target = into / path.parent
                    for child in target.iterdir() if target.is_dir() else []:
                        remove(child)
                elif path.name.startswith(".wh."):
                    remove(into / path.parent / path.name[4:])
                else:
                    members.append(member)
            archive.extractall(into, members=members, **SAFE)
    return config


def remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def cgroup_version() -> int:
    """2 on a unified hierarchy, 1 on v1 or a v1/v2 hybrid (where runc uses v1's trees)."""
    return 2 if (CGROUP / "cgroup.controllers").exists() else 1


def group_folders(version: int, group: str, controller: str) -> list[Path]:
    """Where runc makes ``group`` (a path relative to this process's own group, as runc takes
    a relative ``cgroupsPath``) in the hierarchy of ``controller``."""
    folders = []
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if version == 2 and not controllers:
            folders.append(CGROUP / path.lstrip("/") / group)
        elif version == 1 and controller in controllers.split(","):
            folders.append(CGROUP / controllers / path.lstrip("/") / group)
    return folders


def oom_kills(version: int, group: str) -> int:
    """The kernel's count of OOM kills in ``group`` while it exists (0 when unreadable)."""
    for folder in group_folders(version, group, "memory"):
        counters = folder / ("memory.events" if version == 2 else "memory.oom_control")
        try:
            for line in counters.read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        except (OSError, ValueError):
            continue
    return 0


def become_subreaper() -> None:
    """Orphans below this process (the container's first process, once ``runc create``
    exits) become its children, so it can wait for the command's exit status."""
    import ctypes

    PR_SET_CHILD_SUBREAPER = 36
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def wait_for(pid: int) -> int:
    """The exit code of ``pid`` (a child by now), as a shell gives it: 128 + a signal."""
    while True:
        try:
            _, status = os.waitpid(pid, 0)
        except InterruptedError:
            continue
        except ChildProcessError:  # not reparented to us: wait by polling instead
            while Path(f"/proc/{pid}").exists():
                time.sleep(0.01)
            return 1
        if os.WIFSIGNALED(status):
            return 128 + os.WTERMSIG(status)
        return os.WEXITSTATUS(status)


def remove_groups(version: int, parent_name: str) -> None:
    """rmdir the parent group runc's container group was made under, in every hierarchy."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if version == 2:
            if controllers:
                continue
            folders = [CGROUP / path.lstrip("/") / parent_name]
        else:  # v1, and the hybrid's cgroup2 and named hierarchies, where runc makes groups too
            name = controllers.removeprefix("name=") if controllers else "unified"
            folders = [CGROUP / name / path.lstrip("/") / parent_name]
        for folder in folders:
            try:
                folder.rmdir()
            except OSError:
                pass


def bundle_config(
    runtime: str, bundle: Path, options: dict[str, str], command: list[str], env: list[str]
) -> dict:
    subprocess.run([runtime, "spec", "--bundle", str(bundle)], check=True)
    config = json.loads((bundle / "config.json").read_text())
    (bundle / "config.json").unlink()
    process = config["process"]
    process["terminal"] = False
    process["args"] = command
    process["env"] = env
    config["root"] = {"path": "rootfs", "readonly": False}
    if "hostname" in options:
        config["hostname"] = options["hostname"]
    linux = config["linux"]
    if options.get("net") != "none":
        linux["namespaces"] = [ns for ns in linux["namespaces"] if ns["type"] != "network"]
    resources = linux.setdefault("resources", {})
    if "memory" in options:
        limit = parse_size(options["memory"])
        resources["memory"] = {"limit": limit, "swap": limit}
    if "pids" in options:
        resources["pids"] = {"limit": int(options["pids"])}
    if "cpus" in options:
        resources["cpu"] = {"quota": int(float(options["cpus"]) * 100_000), "period": 100_000}
    return config


def main() -> int:
    argv = sys.argv[1:]
    runtime = "runc"
    if argv[:1] == ["--runtime"]:
        runtime, argv = argv[1], argv[2:]
    if os.environ.get("CRACK_ORACLE_INSIDE") != "1":
        # Into a mount namespace of our own first: the overlay goes with it.
        os.environ["CRACK_ORACLE_INSIDE"] = "1"
        child = subprocess.run(
            ["unshare", "--mount", "--propagation", "private", sys.executable, __file__, *sys.argv[1:]]
        )
        return child.returncode
    options, rootfs, command = parse(argv)
    work = Path(tempfile.mkdtemp(prefix="crack-oracle-"))
    bundle = work / "bundle"
    bundle.mkdir()
    env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
    lower = Path(rootfs)
    if lower.is_file():
        config = unpack_image(lower, work / "image")
        lower = work / "image"
        env = list(config.get("config", {}).get("Env", env))  # type: ignore[union-attr]
    upper, scratch, merged = work / "upper", work / "work", bundle / "rootfs"
    for folder in (upper, scratch, merged):
        folder.mkdir()
    subprocess.run(
        [
            "mount",
            "-t",
            "overlay",
            "overlay",
            "-o",
            f"lowerdir={lower},upperdir={upper},workdir={scratch}",
            str(merged),
        ],
        check=True,
    )
    config = bundle_config(runtime, bundle, options, command, env)
    version = cgroup_version()
    parent_name = f"crack-oracle-{os.getpid()}"
    config["linux"]["cgroupsPath"] = f"{parent_name}/ctr"
    (bundle / "config.json").write_text(json.dumps(config))
    name = f"crack-oracle-{os.getpid()}"
    signal.signal(
        signal.SIGTERM, lambda *_: subprocess.run([runtime, "kill", name, "KILL"], capture_output=True)
    )
    become_subreaper()
    pid_file = work / "pid"
    create = [runtime, "create", "--bundle", str(bundle), "--pid-file", str(pid_file), name]
    code = subprocess.run(create).returncode
    if code == 0:
        pid = int(pid_file.read_text())
        started = subprocess.run([runtime, "start", name])
        code = wait_for(pid) if started.returncode == 0 else started.returncode
        if code == 128 + signal.SIGKILL and oom_kills(version, f"{parent_name}/ctr"):
            print(
                f"run.py: the container was killed for going over its memory limit ({options.get('memory')})",
                file=sys.stderr,
            )
    subprocess.run([runtime, "delete", "--force", name], capture_output=True)
    remove_groups(version, parent_name)
    subprocess.run(["umount", str(merged)], capture_output=True)
    shutil.rmtree(work, ignore_errors=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
