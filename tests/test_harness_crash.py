"""crack.harness.crash: SIGKILL of a program tree, damage to files, reads counted, folders watched."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from crack.harness import Harness, ProgramSpec
from crack.harness.crash import (
    DirectoryWatch,
    bytes_read,
    flip_byte,
    folder_bytes,
    last_copy,
    tear_at,
)
from crack.harness.log import SessionLog

CHILD_AND_WAIT = (
    "import subprocess, sys, time\n"
    "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
    "print(child.pid, flush=True)\n"
    "time.sleep(60)\n"
)


def _harness(tmp_path: Path, argv: tuple[str, ...]) -> Harness:
    scratch = tmp_path / "scratch"
    scratch.mkdir(exist_ok=True)
    return Harness(
        stage_slug="crash",
        program=ProgramSpec(argv, tmp_path),
        log=SessionLog("crash"),
        seed=1,
        deadline=time.monotonic() + 60,
        scratch=scratch,
    )


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[-1].split()[0] != b"Z"
    except OSError:
        return False


def test_kill_ends_the_program_and_its_children_and_is_not_called_a_crash(tmp_path: Path) -> None:
    h = _harness(tmp_path, (sys.executable, "-c", CHILD_AND_WAIT))
    process = h.start_program()
    deadline = time.monotonic() + 10
    while "\n" not in process.last_output() and time.monotonic() < deadline:
        time.sleep(0.02)
    child = int(process.last_output().split()[-1])
    assert _alive(child)
    h.kill(process)
    assert process.returncode is not None
    assert not _alive(process.pid) and not _alive(child)
    assert process.ended_by_us
    h.teardown()


def test_bytes_read_counts_what_the_program_reads(tmp_path: Path) -> None:
    big = tmp_path / "big"
    big.write_bytes(b"x" * 3_000_000)
    reader = "import sys, time\nprint('ready', flush=True)\nsys.stdin.readline()\n"
    h = _harness(
        tmp_path, (sys.executable, "-c", reader + f"open({str(big)!r}, 'rb').read()\ntime.sleep(60)\n")
    )
    process = h.start_program(stdin_pipe=True)
    deadline = time.monotonic() + 10
    while "ready" not in process.last_output() and time.monotonic() < deadline:
        time.sleep(0.02)
    before = bytes_read(process)
    assert before is not None
    process.popen.stdin.write(b"go\n")  # type: ignore[union-attr]
    process.popen.stdin.flush()  # type: ignore[union-attr]
    grown = 0
    while grown < 3_000_000 and time.monotonic() < deadline:
        grown = (bytes_read(process) or 0) - before
        time.sleep(0.02)
    assert grown >= 3_000_000
    h.teardown()


def test_last_copy_finds_the_newest_file_holding_the_bytes(tmp_path: Path) -> None:
    older, newer = tmp_path / "a.log", tmp_path / "sub" / "b.log"
    newer.parent.mkdir()
    older.write_bytes(b"head NEEDLE tail")
    time.sleep(0.01)
    newer.write_bytes(b"NEEDLE one, NEEDLE two")
    copy = last_copy(tmp_path, b"NEEDLE")
    assert copy is not None
    assert (copy.path, copy.offset, copy.length) == (newer, 12, 6)
    assert last_copy(tmp_path, b"absent") is None


def test_tear_and_flip_damage_exactly_where_asked(tmp_path: Path) -> None:
    path = tmp_path / "log"
    path.write_bytes(b"0123456789")
    assert tear_at(path, 6) == 4
    assert path.read_bytes() == b"012345"
    old, new = flip_byte(path, 2)
    assert old == ord("2") and new != old and 0x21 <= new < 0x7F
    assert path.read_bytes() == b"01" + bytes([new]) + b"345"


def test_folder_bytes_and_watch_see_every_file_below(tmp_path: Path) -> None:
    (tmp_path / "deep").mkdir()
    (tmp_path / "one").write_bytes(b"x" * 10)
    (tmp_path / "deep" / "two").write_bytes(b"y" * 5)
    assert folder_bytes(tmp_path) == 15
    watch = DirectoryWatch(tmp_path)
    assert not watch.poll()
    (tmp_path / "deep" / "two").write_bytes(b"y" * 6)
    assert watch.poll() and watch.changes == 1
    assert not watch.poll()
    (tmp_path / "one").unlink()
    assert watch.poll() and watch.changes == 2
