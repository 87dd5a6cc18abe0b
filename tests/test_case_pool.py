"""Concurrent one-shot cases (``Harness.run_cases``) against real processes: the log reads
as a serial run's, the failure reported is the first by case order, the stage's deadline
holds and nothing is left running."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conftest import MARKER_PROGRAM, grade_json, statuses

PROGRAM = MARKER_PROGRAM

TESTER = """
from crack.tester import Tester
tester = Tester("fake")

def check(h, item):
    number, action = item
    h.log(f"case {number}: {action}")
    result = h.run([action, str(h.scratch / "marker")], quiet=True)
    h.log(f"case {number} printed {result.stdout!r}")
    if result.returncode != 0:
        h.fail(f"case {number} ({action}) exited with {result.returncode}")

def cases(h, actions):
    h.run_cases(list(enumerate(actions, 1)), check, workers=4)
    h.log("all cases passed")

@tester.stage("overlap")
def overlap(h):
    cases(h, ["wait-then-pass", "mark-then-pass", "three", "four", "five"])

@tester.stage("first-by-order")
def first_by_order(h):
    cases(h, ["one", "wait-then-fail", "mark-then-fail", "four", "five"])

@tester.stage("hang")
def hang(h):
    cases(h, ["hang", "hang", "hang", "hang", "hang", "hang"])

@tester.stage("stop-later")
def stop_later(h):
    cases(h, ["mark-then-fail", "hang", "hang", "hang"])

@tester.stage("bug")
def bug(h):
    h.run_cases([1, 2, 3], lambda case_h, n: 1 / (n - 2), workers=3)
"""

STAGES = [
    {"slug": "overlap"},
    {"slug": "first-by-order"},
    {"slug": "hang", "timeout": 1},
    {"slug": "stop-later", "timeout": 30},
    {"slug": "bug"},
]


def _grade(
    fake_challenges: Callable[..., Path], tmp_path: Path, stage: str
) -> tuple[int, dict[str, Any], list[str]]:
    fake_challenges("fake", STAGES, TESTER)
    program = tmp_path / "program.sh"
    program.write_text(PROGRAM)
    program.chmod(0o755)
    code, report = grade_json(tmp_path, "--stage", stage, challenge="fake", run=str(program))
    log = [line.removeprefix(f"[{stage}] ") for line in report["stages"][0]["log"].splitlines()]
    return code, report, log


def test_cases_run_at_once_and_log_in_case_order(
    fake_challenges: Callable[..., Path], tmp_path: Path, no_leftovers: None
) -> None:
    code, report, log = _grade(fake_challenges, tmp_path, "overlap")
    # Case 1 passes only if case 2 ran while it waited; case 1 finished last, yet is logged first.
    assert code == 0, report["stages"][0]["message"]
    body = log[1 : log.index("all cases passed") + 1]
    assert body == [
        "case 1: wait-then-pass",
        "case 1 printed b'saw it\\n'",
        "case 2: mark-then-pass",
        "case 2 printed b'marked\\n'",
        "case 3: three",
        "case 3 printed b'three\\n'",
        "case 4: four",
        "case 4 printed b'four\\n'",
        "case 5: five",
        "case 5 printed b'five\\n'",
        "all cases passed",
    ]


def test_failure_reported_is_the_first_by_case_order(
    fake_challenges: Callable[..., Path], tmp_path: Path, no_leftovers: None
) -> None:
    # Case 3 fails first in time (case 2 waits for it), but case 2 comes first in the list.
    code, report, log = _grade(fake_challenges, tmp_path, "first-by-order")
    assert code == 1
    assert report["stages"][0]["message"] == "case 2 (wait-then-fail) exited with 1"
    assert log[1:5] == [
        "case 1: one",
        "case 1 printed b'one\\n'",
        "case 2: wait-then-fail",
        "case 2 printed b'late failure\\n'",
    ]
    assert not any(line.startswith(("case 3", "case 4", "case 5")) for line in log), log


def test_stage_deadline_holds_over_concurrent_cases(
    fake_challenges: Callable[..., Path], tmp_path: Path, no_leftovers: None
) -> None:
    started = time.monotonic()
    code, report, _ = _grade(fake_challenges, tmp_path, "hang")
    elapsed = time.monotonic() - started
    assert code == 1
    assert statuses(report) == {"hang": "timed_out"}
    assert report["stages"][0]["message"].startswith("timed out after 1 s")
    assert elapsed < 10, f"a 1 s stage of hanging cases took {elapsed:.1f} s to end"


def test_cases_after_a_failure_are_stopped(
    fake_challenges: Callable[..., Path], tmp_path: Path, no_leftovers: None
) -> None:
    started = time.monotonic()
    code, report, log = _grade(fake_challenges, tmp_path, "stop-later")
    elapsed = time.monotonic() - started
    assert code == 1
    assert report["stages"][0]["message"] == "case 1 (mark-then-fail) exited with 1"
    assert not any(line.startswith("case 2") for line in log), log
    # The hanging cases were ended, not waited for (each would take 60 s, the stage 30 s).
    assert elapsed < 20, f"stopping the cases after a failure took {elapsed:.1f} s"


def test_a_tester_bug_in_a_case_is_an_internal_error(
    fake_challenges: Callable[..., Path], tmp_path: Path, no_leftovers: None
) -> None:
    code, report, _ = _grade(fake_challenges, tmp_path, "bug")
    assert code == 3
    stage = report["stages"][0]
    assert stage["status"] == "error"
    assert "ZeroDivisionError" in stage["message"]
    assert "Traceback" in stage["log"]
