"""A one-shot challenge's next stage starts on the cores the last cases of a stage leave
idle, and the learner sees exactly what a grading of one stage after the other shows: the
reports in stage order, the first failure by stage and case order, nothing of a stage
started early when an earlier one failed, and never more cases at once than cores.

Marker files let a case of one stage wait for a case of the next, which proves (without
timing anything) that the two ran at the same time."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import MARKER_PROGRAM, grade_json, statuses

PROGRAM = MARKER_PROGRAM

TESTER = """
import threading
from crack.tester import Tester
tester = Tester("fake", overlap_stages=True)

running = 0
most = 0
lock = threading.Lock()

def check(h, item):
    global running, most
    number, action = item
    action, _, marker = action.partition("@")
    with lock:
        running += 1
        most = max(most, running)
    try:
        h.log(f"case {number}: {action}")
        result = h.run([action, str(h.program.cwd / "shared" / (marker or "none"))], quiet=True)
        h.log(f"case {number} printed {result.stdout!r}")
        if result.returncode != 0:
            h.fail(f"case {number} ({action}) exited with {result.returncode}")
    finally:
        with lock:
            running -= 1

def stage(actions):
    def run(h):
        h.run_cases(list(enumerate(actions, 1)), check, workers=4)
        h.log(f"at most {most} cases at once so far")
    return run

tester.stage("waits")(stage(["one", "wait-then-pass@a"]))
tester.stage("marks")(stage(["mark-then-pass@a", "two", "three"]))
tester.stage("fails-late")(stage(["one", "wait-then-fail@b"]))
tester.stage("marks-then-hangs")(stage(["mark-then-pass@b", "hang", "hang"]))
"""

HANG_TESTER = (
    TESTER.split('tester.stage("waits")')[0]
    + """
tester.stage("hangs")(stage(["one", "hang"]))
tester.stage("hangs-later")(stage(["hang-later"]))
"""
)

STAGES = [
    {"slug": "waits"},
    {"slug": "marks"},
    {"slug": "fails-late"},
    {"slug": "marks-then-hangs", "timeout": 30},
]


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two slots whatever the machine: the overlap needs a core the last case leaves idle."""
    import crack.stage_overlap

    monkeypatch.setattr(crack.stage_overlap, "usable_cores", lambda: 2)


def _grade(fake_challenges: Callable[..., Path], tmp_path: Path, until: str) -> tuple[int, dict[str, Any]]:
    fake_challenges("fake", STAGES, TESTER)
    program = tmp_path / "program.sh"
    program.write_text(PROGRAM)
    program.chmod(0o755)
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # the program may run as another user
    return grade_json(tmp_path, "--until", until, challenge="fake", run=str(program))


def _log(report: dict[str, Any], slug: str) -> list[str]:
    [stage] = [s for s in report["stages"] if s["slug"] == slug]
    return [line.removeprefix(f"[{slug}] ") for line in stage["log"].splitlines()]


def test_the_next_stage_starts_while_the_last_case_runs(
    fake_challenges: Callable[..., Path], tmp_path: Path, two_cores: None, no_leftovers: None
) -> None:
    # The last case of "waits" passes only if the first case of "marks" ran meanwhile.
    code, report = _grade(fake_challenges, tmp_path, "marks")
    assert code == 0, report["stages"][0]["message"]
    assert statuses(report) == {"waits": "passed", "marks": "passed"}
    # Each stage's log is its own, whole and in case order, as in a serial grading.
    assert _log(report, "waits")[1:6] == [
        "case 1: one",
        "case 1 printed b'one\\n'",
        "case 2: wait-then-pass",
        "case 2 printed b'saw it\\n'",
        "at most 2 cases at once so far",
    ]
    assert _log(report, "marks")[1:3] == ["case 1: mark-then-pass", "case 1 printed b'marked\\n'"]
    # Never more cases at once than cores, over both stages, though each pool asked for four.
    assert _log(report, "marks")[-2] == "at most 2 cases at once so far"


def test_a_stage_started_early_is_dropped_when_an_earlier_one_fails(
    fake_challenges: Callable[..., Path], tmp_path: Path, two_cores: None, no_leftovers: None
) -> None:
    """ "fails-late" fails only once "marks-then-hangs" has started (its marker is there):
    that stage is stopped, its hanging cases ended, and it is reported as never run."""
    code, report = _grade(fake_challenges, tmp_path, "marks-then-hangs")
    assert code == 1
    assert statuses(report) == {
        "waits": "passed",
        "marks": "passed",
        "fails-late": "failed",
        "marks-then-hangs": "skipped",
    }
    failed, skipped = report["stages"][2:]
    assert failed["message"] == "case 2 (wait-then-fail) exited with 1"
    assert _log(report, "fails-late")[3:5] == ["case 2: wait-then-fail", "case 2 printed b'late failure\\n'"]
    assert skipped["message"] == "not run: an earlier stage did not pass"
    assert "mark-then-pass" not in skipped.get("log", "")


def _running(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if (
                entry.name.isdigit()
                and text in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            ):
                found.append(int(entry.name))
        except OSError:
            pass
    return found


def test_ctrl_c_ends_both_stages_and_shows_neither_early_one(
    fake_challenges: Callable[..., Path], tmp_path: Path
) -> None:
    fake_challenges(
        "fake", [{"slug": "hangs", "timeout": 60}, {"slug": "hangs-later", "timeout": 60}], HANG_TESTER
    )
    program = tmp_path / "program.sh"
    program.write_text(PROGRAM)
    program.chmod(0o755)
    crack = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "crack",
            "test",
            "--challenge",
            "fake",
            "--all",
            "--run",
            str(program),
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not _running("sleep 61"):  # the stage after "hangs" is running its case
        assert time.monotonic() < deadline and crack.poll() is None, "the next stage did not start"
        time.sleep(0.05)
    crack.send_signal(signal.SIGINT)
    output, _ = crack.communicate(timeout=30)
    assert crack.returncode == 130, output
    assert "Interrupted" in output
    assert "hang-later" not in output  # what the stage started early did is not shown
    assert not _running(str(program)) and not _running("sleep 61")
