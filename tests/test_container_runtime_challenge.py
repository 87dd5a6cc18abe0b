"""Tests of the container-runtime challenge beyond those every challenge gets
(tests/test_challenges.py): its stage list, the second real runtime (crun) through the same
adapter as runc, and the host checks that decide whether a runtime left something behind.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from crack.authoring.scenarios import grade_silently, verdict_problem
from crack.challenge import load_challenge
from crack.tester import load_tester

CHALLENGE = load_challenge("container-runtime")
load_tester(CHALLENGE)
host: ModuleType = sys.modules["crack_challenges.container_runtime.tester.host"]
ADAPTER = CHALLENGE.directory / "oracle" / "run.py"

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="containers need root")


def test_stages_in_order() -> None:
    assert CHALLENGE.stage_slugs == [
        "streams",
        "exit-code",
        "chroot",
        "mount-namespace",
        "pivot-root",
        "hostname",
        "pid-namespace",
        "network-namespace",
        "memory-limit",
        "pids-limit",
        "cpu-limit",
        "overlay",
        "oci-image",
    ]
    assert CHALLENGE.containment.run_as == "root"


def _crun_problem() -> str | None:
    """Why crun cannot run a container here (None: it can). crun 1.8 refuses a v1/v2
    hybrid whose cgroup2 tree lists any controller."""
    if shutil.which("crun") is None:
        return "crun is not installed"
    if os.geteuid() != 0:
        return "containers need root"
    if not Path("/bin/busybox").exists():
        return "busybox-static is not installed"
    rootfs = Path("/tmp") / f"crack-crun-probe-{os.getpid()}"
    rootfs.mkdir()
    try:
        (rootfs / "bin").mkdir()
        shutil.copy2("/bin/busybox", rootfs / "bin" / "busybox")
        result = subprocess.run(
            [sys.executable, str(ADAPTER), "--runtime", "crun", "run", str(rootfs), "/bin/busybox", "true"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        shutil.rmtree(rootfs)
    if result.returncode != 0:
        return f"crun cannot run a container on this machine: {result.stderr.strip()[-200:]}"
    return None


@needs_root
def test_crun_passes_every_stage_as_runc_does() -> None:
    problem = _crun_problem()
    if problem is not None:
        pytest.skip(problem)
    program = Path.cwd()
    report = grade_silently(CHALLENGE, program, run=f"{sys.executable} {ADAPTER} --runtime crun", seed=5)
    assert verdict_problem(report, None) is None, verdict_problem(report, None)


def test_new_cgroups_leave_out_crack_own_and_report_a_runtimes() -> None:
    before = {"memory", "memory/process_api", "memory/process_api/x"}
    after = before | {
        "memory/crack-1-2-ab",  # a grading's own group
        "memory/crack-run-1-cd/crack-1-3-ef",  # a namespace grading's groups
        "memory/process_api/x/crack-9-1-aa/container-7",  # left by a runtime, inside crack's group
        "pids/container-7",  # left by a runtime, at the top
    }
    assert host.new_cgroups(before, after, grader=9) == [
        "/sys/fs/cgroup/memory/process_api/x/crack-9-1-aa/container-7",
        "/sys/fs/cgroup/pids/container-7",
    ]
    # The same group seen by another grading running beside it is that grading's business.
    assert host.new_cgroups(before, after, grader=12) == ["/sys/fs/cgroup/pids/container-7"]


def test_cgroups_look_inside_another_managers_tree_on_the_way_to_the_testers_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run inside a Docker container (as CI may be), the tester's groups are below
    /docker/ID: a runtime's group made there must be seen, other containers' must not."""
    for folder in ("memory/docker/abc/container-7", "memory/docker/other/container-8", "memory/top"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "own").write_text("4:memory:/docker/abc\n0::/docker/abc\n")
    monkeypatch.setattr(host, "CGROUP_ROOT", tmp_path)
    monkeypatch.setattr(host, "OWN_CGROUP_FILE", str(tmp_path / "own"))
    found = host.cgroups()
    assert "memory/docker/abc/container-7" in found
    assert "memory/top" in found
    assert not any("other" in path for path in found)


@needs_root
def test_a_mount_left_in_the_folder_is_detached_before_it_is_deleted(tmp_path: Path) -> None:
    """What a runtime leaves mounted is detached by the tester, so deleting the stage's folder
    never walks into a /proc or a bind mount of the host's files."""
    target = tmp_path / "rootfs" / "proc"
    target.mkdir(parents=True)
    subprocess.run(["mount", "-t", "proc", "proc", str(target)], check=True)
    try:
        assert host.mounts_into(tmp_path) == [f"{target} (proc)"]
        host.unmount_into(tmp_path)
        assert host.mounts_into(tmp_path) == []
    finally:
        subprocess.run(["umount", "-l", str(target)], capture_output=True)


@needs_root
def test_the_stage_tmpfs_holds_an_overlay_and_outlives_the_leftover_check(tmp_path: Path) -> None:
    """The tester's tmpfs takes an overlay's upper layer wherever /tmp is (an overlay inside
    Docker refuses one); the check after each run reports and detaches the runtime's overlay
    but keeps the tmpfs, which goes at teardown."""
    fs = tmp_path / "tmpfs"
    fs.mkdir()
    host.mount_tmpfs(fs)
    try:
        for name in ("lower", "upper", "work", "merged"):
            (fs / name).mkdir()
        (fs / "lower" / "file").write_text("image\n")
        options = f"lowerdir={fs / 'lower'},upperdir={fs / 'upper'},workdir={fs / 'work'}"
        subprocess.run(["mount", "-t", "overlay", "overlay", "-o", options, str(fs / "merged")], check=True)
        (fs / "merged" / "written").write_text("container\n")
        assert (fs / "upper" / "written").exists()
        assert host.mounts_into(tmp_path, keep_tmpfs=True) == [f"{fs / 'merged'} (overlay)"]
        host.unmount_into(tmp_path, keep_tmpfs=True)
        assert host.mounts_into(tmp_path, keep_tmpfs=True) == []
        assert host.mounts_into(tmp_path) == [f"{fs} (tmpfs)"]
        host.unmount_into(tmp_path)
        assert host.mounts_into(tmp_path) == []
    finally:
        subprocess.run(["umount", "-R", "-l", str(fs)], capture_output=True)
