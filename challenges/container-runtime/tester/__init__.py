"""The container-runtime tester: one function per stage slug of challenge.yaml.

The program is run as ``./your_program.sh run [--hostname H] [--memory SIZE] [--pids N]
[--cpus X] [--net none] ROOTFS CMD ARGS...`` on a busybox root filesystem the tester builds
in the stage's folder (see :mod:`.image`). What the container sees is read from its output
(the probe prints it); what it left behind is read from the host after every run (see
:mod:`.host`). Each stage checks what the ones before it built still holds where it matters.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
import weakref
from pathlib import Path

from crack.harness import Harness
from crack.harness.failure import StageFailure
from crack.harness.oneshot import RunResult
from crack.tester import Tester

from . import host
from .image import IMAGE_MARKER, PROBE_PATH, Image, build_oci_image, build_rootfs, snapshot

tester = Tester("container-runtime")

_CLEANED: weakref.WeakSet[Harness] = weakref.WeakSet()
"""Stages whose tmpfs is mounted, and whose teardown detaches it and what was left mounted
in their folder."""

LEFTOVER_WAIT_S = 2.0
"""After the runtime exits: how long what it made may take to disappear (a killed
container's last process is reaped, its namespace goes)."""


class Run:
    """One run of the runtime: its command line as the learner can paste it, and its result."""

    def __init__(self, shown: str, result: RunResult) -> None:
        self.shown = shown
        self.result = result

    @property
    def stdout(self) -> str:
        return self.result.stdout.decode(errors="replace")

    @property
    def stderr(self) -> str:
        return self.result.stderr.decode(errors="replace")

    def fail(
        self, message: str, hint: str | None = None, *, probe: tuple[str, ...] | None = None
    ) -> StageFailure:
        """The failure as the learner reads it: the command line, what went wrong, the exit
        code, and the output. For the probe, only the lines that bear on the failure
        (``probe``): the others describe the host (its PIDs, namespaces, interfaces)."""
        lines = [f"$ {self.shown}", message, f"  exit code: {self.result.returncode}"]
        if probe is None:
            lines.append(f"  stdout: {_excerpt(self.stdout)}")
        elif probe:
            seen = self.probe()
            lines.append(
                "  the probe printed: " + " | ".join(f"{key}: {seen.get(key, '(missing)')}" for key in probe)
            )
        lines.append(f"  stderr: {_excerpt(self.stderr)}")
        return StageFailure("\n".join(lines), hint)

    def probe(self) -> dict[str, str]:
        seen = {}
        for line in self.stdout.splitlines():
            key, sep, value = line.partition(": ")
            if sep:
                seen[key.strip()] = value.strip()
        return seen


def _hex(h: Harness, size: int) -> str:
    """Random hex digits from the stage's seed: a replayed run (--seed) sends the same."""
    return "".join(f"{h.random.randrange(256):02x}" for _ in range(size))


def _excerpt(text: str, limit: int = 600) -> str:
    if not text:
        return "(nothing)"
    shown = text if len(text) <= limit else text[:limit] + f"… ({len(text)} characters)"
    return repr(shown)


def _tmpfs(h: Harness) -> Path:
    """The stage's tmpfs (in its folder, mounted once, detached at teardown): the root
    filesystem is built in it, and the runtime's TMPDIR (``tmp``) is in it. An overlay's
    upper and work folders cannot be on an overlay, and /tmp is one inside a Docker
    container (and on some CI and WSL machines): on a tmpfs they work wherever crack runs."""
    _check_root()
    folder = h.scratch / "tmpfs"
    if h not in _CLEANED:
        _CLEANED.add(h)
        h.defer(lambda: host.unmount_into(h.scratch))
        folder.mkdir(exist_ok=True)
        host.mount_tmpfs(folder)
        (folder / "tmp").mkdir()
        os.chmod(folder / "tmp", 0o1777)
    return folder


def _image(h: Harness) -> Image:
    folder = _tmpfs(h) / "rootfs"
    if folder.exists():
        return Image(folder, (folder / IMAGE_MARKER).read_text().strip())
    return build_rootfs(folder, f"image-{_hex(h, 4)}")


def _check_root() -> None:
    if os.geteuid() != 0:
        raise StageFailure(
            "crack is not running as root: a container runtime needs root (run crack with sudo)"
        )


def container(
    h: Harness,
    command: list[str],
    *,
    options: list[str] | None = None,
    rootfs: Path | None = None,
    stdin: bytes = b"",
    env: dict[str, str] | None = None,
    timeout: float = 20.0,
    lingering: str | None = None,
) -> Run:
    """Run the runtime once, then check it left no mount, process or control group."""
    tmp = _tmpfs(h) / "tmp"
    root = rootfs if rootfs is not None else _image(h).rootfs
    args = ["run", *(options or []), str(root), *command]
    shown = " ".join(_quote(a) for a in ["./your_program.sh", *args])
    h.log(f"$ {shown}")
    groups_before = host.cgroups()
    result = h.run(args, stdin=stdin, env={"TMPDIR": str(tmp), **(env or {})}, timeout=timeout, quiet=True)
    run = Run(shown, result)
    if result.timed_out:
        raise run.fail(f"the runtime did not exit within {timeout:g} s")
    _check_leftovers(h, run, groups_before, lingering)
    return run


def _quote(arg: str) -> str:
    if arg and re.fullmatch(r"[\w@%+=:,./-]+", arg):
        return arg
    return "'" + arg.replace("'", "'\\''") + "'"


def _check_leftovers(h: Harness, run: Run, groups_before: set[str], lingering: str | None) -> None:
    """``lingering``: a piece of the command line of a process the command leaves running,
    which the runtime must not leave behind (a pivot_root hides where a process's root is)."""
    deadline = time.monotonic() + LEFTOVER_WAIT_S
    while True:
        mounts = host.mounts_into(h.scratch, keep_tmpfs=True)
        procs = host.processes_rooted_in(h.scratch)
        if lingering is not None:
            procs.update((pid, host.command_line(pid)) for pid in host.processes_with(lingering))
        groups = host.new_cgroups(groups_before, host.cgroups())
        if not (mounts or procs or groups) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    host.kill(list(procs))
    host.unmount_into(h.scratch, keep_tmpfs=True)
    host.remove_cgroups(groups)
    if mounts:
        raise run.fail(
            "after the runtime exited, the host still has mounts that point into the container's files:\n  "
            + "\n  ".join(mounts[:5]),
            "mount inside a mount namespace of the container's own (and make / private there first), "
            "so every mount goes away with the container's last process",
        )
    if procs:
        raise run.fail(
            "after the runtime exited, processes of the container are still running:\n  "
            + "\n  ".join(sorted(set(procs.values()))[:5]),
            "wait for the command; with a PID namespace, the kernel ends every process of the "
            "container when its PID 1 exits",
        )
    if groups:
        raise run.fail(
            "after the runtime exited, control groups it made are still there:\n  " + "\n  ".join(groups[:5]),
            "remove the container's control group (rmdir, in every hierarchy you made it in) once its "
            "last process has exited",
        )


def _expect_exit(run: Run, code: int, why: str, hint: str | None = None) -> None:
    if run.result.returncode != code:
        raise run.fail(f"expected exit code {code} ({why}), got {run.result.returncode}", hint)


# --- stages ------------------------------------------------------------------------------


@tester.stage("exit-code")
def exit_code(h: Harness) -> None:
    codes = [0, 1, h.random.randint(2, 125), 255]
    for code in codes:
        run = container(h, ["/bin/sh", "-c", f"exit {code}"])
        _expect_exit(
            run,
            code,
            "the command's own",
            "start the command as a child process, wait for it, and exit with its exit status"
            if run.result.returncode in (0, 1)
            else None,
        )
    run = container(h, ["/bin/sh", "-c", "sleep 0.3; exit 3"])
    _expect_exit(run, 3, "the command's own, after it slept", "wait for the command to end before exiting")
    h.log(f"exit codes {', '.join(map(str, codes))} and 3 after a sleep passed through")


@tester.stage("streams")
def streams(h: Harness) -> None:
    token = _hex(h, 4)
    run = container(h, ["/bin/sh", "-c", f"echo out-{token}; echo err-{token} >&2; echo more-{token}"])
    _expect_exit(run, 0, "the command's own")
    if run.stdout != f"out-{token}\nmore-{token}\n":
        hint = None
        if f"err-{token}" in run.stdout:
            hint = "the command's stderr must reach the runtime's stderr, not its stdout"
        raise run.fail(
            f"expected stdout 'out-{token}\\nmore-{token}\\n' (the command's, byte for byte)", hint
        )
    if f"err-{token}\n" not in run.stderr:
        raise run.fail(f"expected the command's stderr line 'err-{token}' on stderr")
    words = ["a b", "", "c'd", h.random.choice(["*", "$HOME", "x\ty"])]
    run = container(h, ["/bin/busybox", "printf", "[%s]", *words])
    expected = "".join(f"[{w}]" for w in words)
    if run.stdout != expected:
        raise run.fail(
            f"expected stdout {expected!r}: every argument after ROOTFS is the command's, unchanged",
            "pass the arguments as a list to exec; joining them into one string loses spaces and empty ones",
        )
    data = bytes(h.random.randrange(256) for _ in range(3000))
    run = container(h, ["/bin/busybox", "cat"], stdin=data)
    if run.result.stdout != data:
        raise run.fail(
            f"sent 3000 random bytes on stdin to cat; stdout had {len(run.result.stdout)} bytes, "
            "not the same ones",
            "the command inherits the runtime's stdin, stdout and stderr as they are",
        )
    h.log("stdout, stderr, arguments and stdin reached the command unchanged")


def _probe(
    h: Harness, options: list[str] | None = None, secret: Path | None = None
) -> tuple[Run, dict[str, str]]:
    run = container(h, [PROBE_PATH, *([str(secret)] if secret else [])], options=options)
    if "pid" not in run.probe():
        raise run.fail(
            f"the probe {PROBE_PATH} (a shell script of the image) did not run",
            "the command's path is a path inside ROOTFS: change the root to ROOTFS before exec",
        )
    if run.result.returncode != 0:
        hint = None
        if "can't fork" in run.stderr:
            hint = (
                "after unshare(CLONE_NEWPID), the first child made is PID 1 of the new namespace, and "
                "once it exits no process can fork there: fork right after unshare and exec the command "
                "in that child"
            )
        raise run.fail(
            f"the probe {PROBE_PATH} started but failed (exit code {run.result.returncode})", hint, probe=()
        )
    return run, run.probe()


@tester.stage("chroot")
def chroot(h: Harness) -> None:
    image = _image(h)
    secret = h.scratch / "host-secret"
    secret.write_text(f"host-{_hex(h, 4)}\n")
    run, seen = _probe(h, secret=secret)
    if seen.get("image") != image.marker:
        raise run.fail(
            f"the probe read /etc/crack-image as {seen.get('image')!r}, "
            f"expected {image.marker!r} (the image's)",
            probe=("image",),
        )
    if seen.get("host-file") != "unreadable":
        raise run.fail(
            f"the probe read the host's file {secret} ({seen.get('host-file')!r}): "
            "the container sees the host's files",
            "chroot into ROOTFS before exec, so / is the image",
            probe=("host-file",),
        )
    if seen.get("cwd") != "/":
        raise run.fail(
            f"the probe's working directory was {seen.get('cwd')!r}, expected /",
            'chdir("/") after chroot',
            probe=("cwd",),
        )
    h.log(f"the probe saw the image ({image.marker}) as /, and not the host's files")


@tester.stage("mount-namespace")
def mount_namespace(h: Harness) -> None:
    run, seen = _probe(h)
    if seen.get("proc") != "mounted":
        raise run.fail(
            "the probe found no /proc in the container",
            "mount a proc filesystem on ROOTFS/proc",
            probe=("proc",),
        )
    if seen.get("ns.mnt") == host.own_namespace("mnt"):
        raise run.fail(
            "the probe is in the host's mount namespace: its mounts are the host's",
            "unshare(CLONE_NEWNS) in the child, and make / private (MS_REC|MS_PRIVATE) before mounting",
            probe=("proc",),
        )
    h.log(f"the probe had /proc, in a mount namespace of its own ({seen.get('ns.mnt')})")


ALLOWED_MOUNTS = ("/", "/proc", "/dev", "/sys", "/tmp", "/run")


@tester.stage("pivot-root")
def pivot_root(h: Harness) -> None:
    secret = h.scratch / "host-secret"
    token = f"host-{_hex(h, 4)}"
    secret.write_text(token + "\n")
    run, seen = _probe(h, secret=secret)
    if seen.get("escape") == token:
        raise run.fail(
            f"the probe left its root: `nsenter --mount=/proc/self/ns/mnt` put it back at the mount "
            f"namespace's root, the host's, and it read {secret}",
            "chroot only changes one process's idea of /; pivot_root(ROOTFS, ROOTFS/old) makes the image the "
            "namespace's root, then unmount the old root (MNT_DETACH) and remove its folder",
            probe=("escape",),
        )
    foreign = [
        m
        for m in seen.get("mounts", "").split()
        if not any(m == a or m.startswith(a + "/") for a in ALLOWED_MOUNTS)
    ]
    if foreign:
        # The top of each foreign tree only: what is below it names the host's own mounts.
        tops = [m for m in foreign if not any(m.startswith(other + "/") for other in foreign)]
        raise run.fail(
            f"the container still has mounts from outside the image at {', '.join(tops[:5])}",
            "after pivot_root, unmount the old root with MNT_DETACH and remove its folder",
            probe=(),
        )
    h.log("the probe could not get back to the host's root, and saw no mount of the host's")


@tester.stage("hostname")
def hostname(h: Harness) -> None:
    before = socket.gethostname()
    name = f"box-{_hex(h, 3)}"
    run, seen = _probe(h, options=["--hostname", name])
    after = socket.gethostname()
    if after != before:
        socket.sethostname(before)
        raise run.fail(
            f"the host's name changed from {before!r} to {after!r}",
            "unshare(CLONE_NEWUTS) before sethostname, or the host is renamed",
        )
    if seen.get("hostname") != name:
        raise run.fail(
            f"the probe's hostname was {seen.get('hostname')!r}, expected {name!r} (--hostname)",
            probe=("hostname",),
        )
    h.log(f"the container was called {name}; the host kept its name")


@tester.stage("pid-namespace")
def pid_namespace(h: Harness) -> None:
    run, seen = _probe(h)
    if seen.get("pid") != "1":
        hint = (
            "unshare(CLONE_NEWPID) applies to the children made after it: "
            "fork once more, and the child is PID 1"
        )
        if seen.get("ns.pid") != host.own_namespace("pid"):
            hint = "mount /proc after the fork into the new PID namespace, from inside it"
        raise run.fail(
            f"the probe's PID was {seen.get('pid')}, expected 1 (the first process of its PID namespace)",
            hint,
            probe=(),
        )
    count = int(seen.get("processes", "0") or 0)
    if count > 5:
        raise run.fail(
            f"the probe saw {count} processes in /proc, expected only the container's",
            "mount a new proc filesystem inside the new PID namespace: "
            "one mounted before shows the host's processes",
            probe=(),
        )
    code = h.random.randint(2, 120)
    # A fraction of a second no other process sleeps for: the host finds it by it.
    nap = f"30.{h.random.randrange(10**6):06d}"
    run = container(
        h, ["/bin/sh", "-c", f"sleep {nap} >/dev/null 2>&1 & exit {code}"], lingering=f"sleep\0{nap}"
    )
    _expect_exit(run, code, "PID 1's, when it exits with a child still running")
    h.log(f"the probe was PID 1 and saw {count} processes; a child left running ended with it")


@tester.stage("network-namespace")
def network_namespace(h: Harness) -> None:
    run, seen = _probe(h, options=["--net", "none"])
    if seen.get("ns.net") == host.own_namespace("net"):
        raise run.fail(
            "with --net none, the probe was in the host's network namespace",
            "unshare(CLONE_NEWNET)",
            probe=(),
        )
    interfaces = seen.get("interfaces", "").split()
    if interfaces != ["lo"]:
        raise run.fail(
            f"with --net none, the probe saw the interfaces {interfaces}, expected only lo", probe=()
        )
    if "UP" not in seen.get("lo", "").strip("<>").split(","):
        raise run.fail(
            f"lo is down in the container (flags {seen.get('lo')!r}): 127.0.0.1 is unreachable",
            "a new network namespace starts with lo down: set IFF_UP on it (ioctl SIOCSIFFLAGS, or netlink)",
            probe=("interfaces", "lo"),
        )
    h.log("with --net none the probe saw only lo, and it was up")


@tester.stage("memory-limit")
def memory_limit(h: Harness) -> None:
    run = container(
        h,
        ["/bin/busybox", "dd", "if=/dev/zero", "of=/dev/null", "bs=16M", "count=2"],
        options=["--memory", "64m"],
    )
    _expect_exit(
        run, 0, "16 MiB fit in 64 MiB", "a limit far below what was asked for? --memory 64m is 64 MiB"
    )
    run = container(
        h,
        ["/bin/busybox", "dd", "if=/dev/zero", "of=/dev/null", "bs=160M", "count=1"],
        options=["--memory", "64m"],
    )
    if run.result.returncode == 0:
        raise run.fail(
            "dd filled a 160 MiB buffer under --memory 64m and succeeded: no memory limit",
            "make a memory control group, write the limit, and put the child in it before it execs",
        )
    _expect_exit(run, 137, "128 + SIGKILL: the kernel's OOM killer ended the command")
    if not re.search(r"memory|oom", run.stderr, re.IGNORECASE):
        raise run.fail(
            "the runtime did not say why the command died: expected a line on stderr about its memory limit",
            "read the group's OOM kill count (memory.oom_control in v1, memory.events in v2) "
            "before removing it",
        )
    h.log("16 MiB ran under --memory 64m; 160 MiB was killed (137) and the runtime said so")


@tester.stage("pids-limit")
def pids_limit(h: Harness) -> None:
    limit = h.random.randint(12, 20)
    # The loop runs in a subshell: a shell whose fork fails gives up, and the outer shell
    # then counts without forking (a glob over /proc).
    bomb = (
        "(i=0; while [ $i -lt 60 ]; do sleep 5 & i=$((i+1)); done) 2>/dev/null; "
        "set -- /proc/[0-9]*; echo running: $#"
    )
    run = container(h, ["/bin/sh", "-c", bomb], options=["--pids", str(limit)], timeout=30)
    seen = run.probe()
    if "running" not in seen:
        raise run.fail("the command's report 'running: N' is missing")
    running = int(seen["running"])
    if running > limit:
        raise run.fail(
            f"with --pids {limit}, a loop starting 60 processes had {running} running at once",
            "a pids control group with pids.max, entered before the command forks",
        )
    h.log(f"with --pids {limit} a fork loop reached {running} processes and no more")


CPU_LOOP = "i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done"
"""About 0.2 s of CPU on an idle core; two seconds or more under a tenth of one."""
CPUS = 0.1


@tester.stage("cpu-limit")
def cpu_limit(h: Harness) -> None:
    """The quota is read where the kernel applies it: the busy loop's own cpu group and
    its parents, seen from the host while it runs. Its measured share is checked too, but a
    busy machine keeps a loop below any threshold without a quota, so that alone proves
    nothing."""
    token = f"busy-{_hex(h, 4)}"
    busy = f"time sh -c '{CPU_LOOP} # {token}'"
    outcome: list[Run | BaseException] = []

    def start() -> None:
        try:
            outcome.append(container(h, ["/bin/sh", "-c", busy], options=["--cpus", str(CPUS)], timeout=30))
        except BaseException as exc:  # re-raised below, in the stage's own thread
            outcome.append(exc)

    thread = threading.Thread(target=start, daemon=True)
    thread.start()
    limit: tuple[float | None, str] | None = None
    while thread.is_alive() and limit is None:
        # The loop itself, not the runtime or a shell whose command line quotes it.
        loop = f"sh\0-c\0{CPU_LOOP} # {token}\0".encode()
        for pid in host.processes_with(token):
            try:
                if Path(f"/proc/{pid}/cmdline").read_bytes() == loop:
                    limit = host.cpu_limit_of(pid)
                    break
            except OSError:
                continue
        time.sleep(0.05)
    thread.join(h.remaining())
    if not outcome:
        raise StageFailure("the runtime did not exit")
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    run = outcome[0]
    if limit is None:
        raise run.fail(f"the busy loop ('{token}') was never seen running on the host")
    cpus, where = limit
    if cpus is None or cpus > CPUS * 1.05:
        got = "no CPU quota" if cpus is None else f"a quota of {cpus:g} CPUs ({where})"
        raise StageFailure(
            f"$ {run.shown}\nwith --cpus {CPUS}, the busy loop ran under {got}",
            'a cpu control group: cfs_quota_us = 0.1 x cfs_period_us (v1), or cpu.max "10000 100000" (v2), '
            "entered before exec",
        )
    pattern = r"^(real|user|sys)\s+(\d+)m\s*([\d.]+)s"
    times = {name: int(m) * 60 + float(sec) for name, m, sec in re.findall(pattern, run.stderr, re.MULTILINE)}
    if not {"real", "user", "sys"} <= times.keys():
        raise run.fail("busybox time's report (real, user, sys) is missing from stderr")
    used = times["user"] + times["sys"]
    share = used / max(times["real"], 0.001)
    if share > CPUS * 2:
        raise run.fail(
            f"with --cpus {CPUS}, a busy loop used {used:.2f} s of CPU in {times['real']:.2f} s "
            f"({share:.0%} of a core), though its group's quota is {cpus:g}",
        )
    h.log(
        f"with --cpus {CPUS} the busy loop ran under a quota of {cpus:g} CPUs and got {share:.0%} of a core"
    )


@tester.stage("overlay")
def overlay(h: Harness) -> None:
    image = _image(h)
    before = snapshot(image.rootfs)
    token = _hex(h, 4)
    run = container(
        h, ["/bin/sh", "-c", f"echo {token} > /etc/written && rm /etc/crack-image && cat /etc/written"]
    )
    if run.result.returncode != 0 or run.stdout.strip() != token:
        raise run.fail(
            "the command could not write in its root filesystem (expected it to print what it wrote)",
            "the container's root is an overlay: ROOTFS as the lower layer, "
            "an empty upper layer of the runtime's",
        )
    after = snapshot(image.rootfs)
    changed = sorted(set(before.items()) ^ set(after.items()))
    if changed:
        names = sorted({name for name, _ in changed})
        raise run.fail(
            f"the container's writes reached ROOTFS: {', '.join(names[:5])} changed",
            "mount an overlay (lowerdir=ROOTFS, upperdir and workdir of the runtime's) "
            "and use it as the root",
        )
    run = container(
        h, ["/bin/sh", "-c", "cat /etc/crack-image; cat /etc/written 2>/dev/null || echo no-written"]
    )
    if run.stdout.split() != [image.marker, "no-written"]:
        raise run.fail(
            f"a second container saw the first one's changes (expected {image.marker!r} then 'no-written')",
            "give each container a new, empty upper layer and delete it when the container ends",
        )
    h.log("writes stayed in the container's own layer; ROOTFS and the next container were unchanged")


def _tester_files(h: Harness) -> dict[str, str]:
    """The stage's folder, but for the runtime's TMPDIR, which is the runtime's to use."""
    return {name: what for name, what in snapshot(h.scratch).items() if not name.startswith("tmpfs/tmp/")}


@tester.stage("oci-image")
def oci_image(h: Harness) -> None:
    image = _image(h)
    token = f"layer-{_hex(h, 4)}"
    tarball = h.scratch / "image.tar"
    build_oci_image(image.rootfs, tarball, ("etc/layer2", (token + "\n").encode()), IMAGE_MARKER)
    before = _tester_files(h)
    probe = "cat /etc/layer2; test -e /etc/crack-image && echo still-there || echo deleted"
    run = container(h, ["/bin/sh", "-c", probe], rootfs=tarball)
    lines = run.stdout.split()
    if lines[:1] != [token]:
        raise run.fail(
            f"expected /etc/layer2 of the image's second layer ({token!r}) first",
            "read index.json, then the manifest it names, and extract every layer in its order",
        )
    if lines[1:2] != ["deleted"]:
        raise run.fail(
            "/etc/crack-image is still there, but the second layer deletes it "
            "(a whiteout, etc/.wh.crack-image)",
            "a file .wh.NAME in a layer deletes NAME from the layers below; it is not itself extracted",
        )
    changed = sorted({name for name, _ in set(before.items()) ^ set(_tester_files(h).items())})
    if changed:
        raise run.fail(
            f"the runtime changed the tester's files: {', '.join(changed[:5])}",
            "unpack the image into a temporary folder of the runtime's own, and remove it afterwards",
        )
    h.log(f"the image's two layers were applied: {token} added, /etc/crack-image whited out")
