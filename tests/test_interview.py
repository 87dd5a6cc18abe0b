"""``crack interview``: the statement, the timer in every command, the card, the history.

Time is faked with ``CRACK_NOW`` (the interview's clock reads it), so whole interviews run
end to end through the CLI in seconds: start, banner, gradings, time up, card, history.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from conftest import REDIS
from crack.challenge import load_challenge
from crack.challenge.model import Challenge, Rubric
from crack.errors import CrackUsageError
from crack.interview.card import score
from crack.interview.clock import clock_text, parse_instant
from crack.interview.session import Attempt, Ending, GradingRun

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

CrackCli = Callable[..., Result]


def at(minutes: float, seconds: float = 0) -> dict[str, str]:
    """The environment of a command run ``minutes`` after T0 (wide, so tables keep one line a row)."""
    return {"CRACK_NOW": (T0 + timedelta(minutes=minutes, seconds=seconds)).isoformat(), "COLUMNS": "200"}


def history_file(repo: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((repo / ".crack" / "interviews.json").read_text())
    return data


# --- a small challenge with a stage of every rubric dimension ------------------------------
TESTER = """
from crack.harness import Harness
from crack.tester import Tester

tester = Tester("kv")


def _check(h: Harness, slug: str) -> None:
    result = h.run([slug])
    if result.returncode != 0:
        h.fail(f"ran the program with {slug}: it exited with {result.returncode}, expected 0")


@tester.stage("store")
def store(h: Harness) -> None:
    _check(h, "store")


@tester.stage("constant-get")
def constant_get(h: Harness) -> None:
    _check(h, "constant-get")


@tester.stage("empty-key")
def empty_key(h: Harness) -> None:
    _check(h, "empty-key")


@tester.stage("evict")
def evict(h: Harness) -> None:
    _check(h, "evict")
"""

STAGES = [
    ("store", "Store and fetch", "correctness", 2),
    ("constant-get", "Constant-time GET", "complexity", 5),
    ("empty-key", "The empty key", "edge-cases", 3),
    ("evict", "Evict the oldest", "correctness", 4),
]

# Passes exactly the stages listed in the file `works` beside it.
PROGRAM = '#!/bin/sh\ngrep -qx "$1" "$(dirname "$0")/works"\n'


@pytest.fixture
def kv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Challenge:
    root = tmp_path / "challenges"
    folder = root / "kv"
    (folder / "stages").mkdir(parents=True)
    (folder / "tester").mkdir()
    lines = [
        "slug: kv",
        "name: Build your own key-value store",
        "summary: An in-memory key-value store behind a tiny command line.",
        "difficulty: easy",
        "stages:",
    ]
    for slug, name, rubric, points in STAGES:
        lines += [
            f"  - slug: {slug}",
            f"    name: {name}",
            "    difficulty: easy",
            "    timeout: 5",
            f"    points: {points}",
            f"    rubric: {rubric}",
            "    concepts: {pattern: p, data_structure: d, algorithm: a}",
            "    hints: [a hint]",
            f"    interview: [Why does {slug} matter?]",
        ]
        page = (
            f"# {name}\n\nIntro.\n\n## What to do\n\nMake {slug} work.\n\n"
            f"## How crack tests this\n\nsecret-{slug}\n"
        )
        (folder / "stages" / f"{slug}.md").write_text(page)
    (folder / "challenge.yaml").write_text("\n".join(lines) + "\n")
    (folder / "tester" / "__init__.py").write_text(textwrap.dedent(TESTER))
    monkeypatch.setenv("CRACK_CHALLENGE_PATH", str(root))
    return load_challenge("kv")


def make_program(repo: Path, *works: str) -> None:
    script = repo / "your_program.sh"
    script.write_text(PROGRAM)
    script.chmod(0o755)
    (repo / "works").write_text("".join(f"{slug}\n" for slug in works))


# --- the clock -----------------------------------------------------------------------------
def test_clock_reads_iso_times_and_epoch_seconds() -> None:
    assert parse_instant("2026-03-02T09:00:00Z") == T0
    assert parse_instant("2026-03-02T09:00:00") == T0  # no zone: UTC
    assert parse_instant("2026-03-02T10:00:00+01:00") == T0
    assert parse_instant(str(T0.timestamp())) == T0
    with pytest.raises(CrackUsageError, match="CRACK_NOW='soon' is not a time"):
        parse_instant("soon")
    assert [clock_text(s) for s in (0, 59.9, 754, 3600 + 62, -5)] == [
        "00:00",
        "00:59",
        "12:34",
        "1:01:02",
        "00:00",
    ]


# --- end to end ----------------------------------------------------------------------------
def test_an_interview_from_start_to_time_up(crack: CrackCli, kv: Challenge, tmp_path: Path) -> None:
    repo = tmp_path / "kv-interview"
    started = crack(["interview", "kv", str(repo), "--minutes", "30"], env=at(0))
    assert started.exit_code == 0, started.output
    out = started.output
    assert "Today I'd like you to build your own key-value store." in out
    for number, (slug, name, _, _) in enumerate(STAGES, start=1):
        assert f"{number}. {name}" in out and f"Make {slug} work." in out
        assert f"secret-{slug}" not in out  # crack's test details are not the interviewer's to give
    assert (
        "measure how the cost of each operation, in time or memory, grows" in out
        and "Constant-time GET" in out
    )
    assert "probe the edge cases (The empty key)" in out
    assert "The timer is running: 30:00, until 09:30 UTC" in out
    assert (repo / "crack.yml").is_file() and (repo / ".git").is_dir()
    assert history_file(repo)["active"]["minutes"] == 30

    # Every other command shows the time left, on stderr (stdout stays machine-readable).
    status = crack(["status"], cwd=repo, env=at(5, 30))
    assert status.exit_code == 0 and "interview: kv, 24:30 left" in status.stderr
    assert "interview:" not in status.stdout

    make_program(repo, "store", "constant-get")
    first = crack(["test", "--all"], cwd=repo, env=at(8))
    assert first.exit_code == 1 and "interview: kv, 22:00 left" in first.stderr
    make_program(repo, "store", "constant-get", "empty-key")
    second = crack(["test", "--stage", "empty-key", "--format", "json"], cwd=repo, env=at(12))
    assert second.exit_code == 0
    assert json.loads(second.stdout)["stages"][0]["status"] == "passed"  # the banner is not in the JSON
    make_program(repo, "constant-get", "empty-key", "evict")  # store broke: the rest is skipped
    third = crack(["test", "--all"], cwd=repo, env=at(20))
    assert third.exit_code == 1
    runs = history_file(repo)["active"]["runs"]
    assert [run["stages"] for run in runs] == [
        {"store": "passed", "constant-get": "passed", "empty-key": "failed"},
        {"empty-key": "passed"},
        {"store": "failed"},  # skipped stages are not verdicts
    ]

    # Time is up on the next command: the card first, then the command itself.
    late = crack(["status"], cwd=repo, env=at(31))
    assert late.exit_code == 0 and "stage map" in late.stdout
    card = late.stderr
    assert "Time is up: the kv interview is over." in card
    assert "Time used: 30:00 of 30:00 (time was up)" in card
    assert "Test runs: 3" in card
    # store failed last, so correctness has nothing; complexity and edge cases stand.
    assert _row(card, "Correctness") == ["0 of 2", "0/6", "not shown", "(not passed: store, evict)"]
    assert _row(card, "Time complexity") == ["1 of 1", "5/5", "shown"]
    assert _row(card, "Edge cases") == ["1 of 1", "3/3", "shown"]
    assert _row(card, "Overall") == ["2 of 4", "8/14"]
    # Questions for every stage passed and the first one not passed: store is the first.
    assert "Why does store matter?" in card and "Why does constant-get matter?" not in card
    for item in ("Naming", "Interface", "Error handling", "Tests", "Complexity stated"):
        assert f"[ ] {item}:" in card
    saved = history_file(repo)
    assert saved["active"] is None and saved["attempts"][0]["ending"] == "time-up"
    assert saved["attempts"][0]["ended_at"].startswith("2026-03-02T09:30:00")

    # Once it is over, gradings are no longer recorded and the banner is gone.
    after = crack(["test", "--all"], cwd=repo, env=at(40))
    assert "interview:" not in after.stderr and len(history_file(repo)["attempts"][0]["runs"]) == 3


def _row(card: str, label: str) -> list[str]:
    """The cells of a score card's row, split on the table's column separators."""
    line = next(line for line in card.splitlines() if line.strip().startswith(label))
    cells = [cell.strip() for cell in line.replace("┃", "│").split("│")[1:]]
    evidence = cells[-1].split("  ") if cells and cells[-1] else []
    return [cell for cell in cells[:-1]] + [part.strip() for part in evidence if part.strip()]


def test_finish_early_one_at_a_time_and_history(crack: CrackCli, kv: Challenge, tmp_path: Path) -> None:
    repo = tmp_path / "kv"
    assert crack(["start", "kv", str(repo)]).exit_code == 0
    none_yet = crack(["interview", "--history"], cwd=repo, env=at(0))
    assert none_yet.exit_code == 0 and "No interviews yet" in none_yet.output
    nothing = crack(["interview", "--finish"], cwd=repo, env=at(0))
    assert nothing.exit_code == 2 and "no interview is running in this repository" in nothing.output

    assert crack(["interview", "--minutes", "20"], cwd=repo, env=at(0)).exit_code == 0
    second = crack(["interview", "kv"], cwd=repo, env=at(1))
    assert second.exit_code == 2
    assert (
        "already running here (19:00 left)" in second.output and "crack interview --finish" in second.output
    )
    again = crack(["interview"], cwd=repo, env=at(2))  # no challenge: the problem again, and the time
    assert again.exit_code == 0 and "1. Store and fetch" in again.output
    assert "interview: kv, 18:00 left" in again.output
    make_program(repo, "store")
    assert crack(["test"], cwd=repo, env=at(4)).exit_code == 0
    finished = crack(["interview", "--finish"], cwd=repo, env=at(7, 15))
    assert finished.exit_code == 0
    assert "Interview finished: kv." in finished.output
    assert "Time used: 07:15 of 20:00 (finished 12:45 early)" in finished.output
    assert _row(finished.output, "Correctness") == ["1 of 2", "2/6", "partly shown", "(not passed: evict)"]

    # A second attempt, left to run out; the next `crack interview` closes it before starting.
    assert crack(["interview", "--minutes", "10"], cwd=repo, env=at(60)).exit_code == 0
    third = crack(["interview", "--minutes", "5"], cwd=repo, env=at(75))
    assert third.exit_code == 0
    assert "Time was up for the last kv interview." in third.output
    assert "10:00 of 10:00 (time was up)" in third.output and "The timer is running: 05:00" in third.output

    shown = crack(["interview", "--history"], cwd=repo, env=at(76))
    assert shown.exit_code == 0
    rows = [line for line in shown.output.splitlines() if line.startswith("│")]
    assert len(rows) == 3
    assert "09:00" in rows[0] and "07:15 of 20:00" in rows[0] and "finished" in rows[0]
    assert "10:00" in rows[1] and "time-up" in rows[1]
    assert "running" in rows[2]
    assert [_cells(row)[-3:] for row in rows] == [
        ["1/2", "0/1", "0/1"],
        ["0/2", "0/1", "0/1"],
        ["0/2", "0/1", "0/1"],
    ]
    assert "interview: kv, 04:00 left" in shown.output
    # Its time runs out with no command in between: the history closes it first.
    later = crack(["interview", "--history"], cwd=repo, env=at(90))
    assert "Time was up for the last kv interview." in later.output
    rows = [line for line in later.output.splitlines() if line.startswith("│ 3 ")]
    assert "05:00 of 05:00" in rows[0] and "time-up" in rows[0]
    assert history_file(repo)["active"] is None


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.strip("│").split("│")]


def test_where_an_interview_runs(crack: CrackCli, kv: Challenge, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    outside = crack(["interview", "kv"], cwd=empty, env=at(0))
    assert outside.exit_code == 2
    assert "give a new directory to create one, e.g. `crack interview kv ./kv-interview`" in outside.output
    taken = crack(["interview", "kv", str(empty.parent)], env=at(0))
    assert taken.exit_code == 2 and "is not empty" in taken.output
    repo = tmp_path / "kv"
    assert crack(["start", "kv", str(repo)]).exit_code == 0
    other = crack(["interview", "redis"], cwd=repo, env=at(0))
    assert other.exit_code == 2 and "is for kv, not redis" in other.output
    both = crack(["interview", "--finish", "--history"], cwd=repo)
    assert both.exit_code == 2 and "choose one of --finish and --history" in both.output
    assert not (repo / ".crack" / "interviews.json").exists()
    # Without an interview nothing is written, and no banner is shown.
    make_program(repo, "store")
    plain = crack(["test"], cwd=repo)
    assert plain.exit_code == 0 and "interview" not in plain.output
    assert not (repo / ".crack" / "interviews.json").exists()


def test_a_corrupted_history_is_reported_and_kept(crack: CrackCli, kv: Challenge, tmp_path: Path) -> None:
    repo = tmp_path / "kv"
    assert crack(["interview", "kv", str(repo)], env=at(0)).exit_code == 0
    path = repo / ".crack" / "interviews.json"
    broken = '{"version": 1, "active": {'
    path.write_text(broken)
    for command in (["interview", "--history"], ["interview", "--finish"], ["interview"]):
        result = crack(command, cwd=repo, env=at(1))
        assert result.exit_code == 2, command
        assert "interviews.json: not valid JSON (line 1, column 27)" in result.output
        assert "left it untouched" in result.output and "Traceback" not in result.output
    # Other commands still run, with a warning instead of the timer.
    make_program(repo, "store")
    status = crack(["test"], cwd=repo, env=at(2))
    assert status.exit_code == 0
    assert "warning: the interview timer is off" in status.stderr
    assert "warning: this test run was not recorded for the interview" in status.stderr
    assert path.read_text() == broken

    wrong_field = {
        "version": 1,
        "active": {"challenge": "kv", "started_at": "yesterday", "minutes": 30, "runs": []},
        "attempts": [],
    }
    path.write_text(json.dumps(wrong_field))
    result = crack(["interview", "--history"], cwd=repo, env=at(3))
    assert result.exit_code == 2 and "field 'active.started_at'" in result.output
    path.write_text(json.dumps({**wrong_field, "version": 9}))
    result = crack(["interview", "--finish"], cwd=repo, env=at(3))
    assert result.exit_code == 2 and "field 'version': version 9 is not supported" in result.output
    assert json.loads(path.read_text())["version"] == 9


def test_a_grading_that_ends_after_time_is_up_does_not_count(
    crack: CrackCli,
    kv: Challenge,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A grading that started in time but finished after the deadline (the timer is checked
    before each command, so only a grading can straddle it) is kept but not counted."""
    from crack.interview import record_grading
    from crack.learner import LearnerRepo
    from crack.report import RunReport, StageResult, StageStatus

    repo = tmp_path / "kv"
    assert crack(["interview", "kv", str(repo), "--minutes", "10"], env=at(0)).exit_code == 0
    report = RunReport("kv", "./your_program.sh", 1, [StageResult("store", "Store", 1, StageStatus.PASSED)])
    monkeypatch.setenv("CRACK_NOW", at(10, 5)["CRACK_NOW"])
    record_grading(LearnerRepo.load(repo), report)
    assert "time was up before this test run finished, so it does not count" in capsys.readouterr().err
    card = crack(["status"], cwd=repo, env=at(11)).stderr
    assert "Test runs: 1 (1 finished after time was up and are not counted)" in card
    assert _row(card, "Correctness")[:2] == ["0 of 2", "0/6"]


# --- the card's arithmetic -----------------------------------------------------------------
def test_the_last_verdict_in_time_counts(kv: Challenge) -> None:
    attempt = Attempt(challenge="kv", started_at=T0, minutes=10)

    def run(minutes: float, **stages: str) -> GradingRun:
        return GradingRun(at=T0 + timedelta(minutes=minutes), stages=stages)

    attempt.runs = [
        run(1, store="passed", evict="passed"),
        run(2, evict="failed"),
        # Out of order on disk (two commands at once): time decides, not position.
        run(1.5, **{"empty-key": "passed"}),
        run(11, evict="passed", **{"constant-get": "passed"}),  # after the deadline
    ]
    attempt.close(T0 + timedelta(minutes=12), Ending.TIME_UP)
    card = score(kv, attempt)
    assert card.late_runs == 1
    assert [s.slug for s in card.passed] == ["store", "empty-key"]
    levels = {d.rubric: (d.level, d.points) for d in card.dimensions}
    assert levels == {
        Rubric.CORRECTNESS: ("partly shown", (2, 6)),
        Rubric.COMPLEXITY: ("not shown", (0, 5)),
        Rubric.EDGE_CASES: ("shown", (3, 3)),
    }
    assert attempt.used() == 600 and attempt.ended_at == T0 + timedelta(minutes=10)
    assert [stage.slug for stage, _ in card.questions] == ["store", "constant-get"]


def test_a_dimension_without_stages_is_not_assessed() -> None:
    attempt = Attempt(challenge="redis", started_at=T0, minutes=45)
    card = score(REDIS, attempt)
    levels = {d.rubric: d.level for d in card.dimensions}
    assert levels[Rubric.COMPLEXITY] == levels[Rubric.EDGE_CASES] == "not assessed by this challenge"
    assert levels[Rubric.CORRECTNESS] == "not shown"


# --- real gradings -------------------------------------------------------------------------
def test_redis_reference_graded_during_an_interview(
    crack: CrackCli, reference: Callable[[str | None], Path], tmp_path: Path
) -> None:
    """A real grading: the Redis reference as of stage 3 passes stages 1-3 and fails the 4th."""
    repo = tmp_path / "redis"
    assert crack(["interview", "redis", str(repo), "--minutes", "45"], env=at(0)).exit_code == 0
    shutil.copytree(reference("ping-multiple"), repo, dirs_exist_ok=True)
    graded = crack(["test", "--all"], cwd=repo, env=at(10))
    assert graded.exit_code == 1 and "interview: redis, 35:00 left" in graded.stderr
    card = crack(["interview", "--finish"], cwd=repo, env=at(12, 30)).output
    points = sum(s.worth for s in REDIS.stages[:3]), sum(s.worth for s in REDIS.stages)
    assert _row(card, "Correctness")[:2] == ["3 of 13", f"{points[0]}/{points[1]}"]
    assert "12:30 of 45:00 (finished 32:30 early)" in card
    assert "Handle concurrent clients (not passed: say how you would do it)" in card


def test_cache_interview_scores_every_dimension(crack: CrackCli, tmp_path: Path) -> None:
    """The cache challenge has stages of all three rubric dimensions: its reference, graded
    for real during an interview, shows each of them."""
    from crack.authoring.solutions import materialize

    cache = load_challenge("cache")
    repo = tmp_path / "cache"
    started = crack(["interview", "cache", str(repo)], env=at(0))
    assert (
        started.exit_code == 0
        and "measure how the cost of each operation, in time or memory, grows" in started.output
    )
    materialize(cache, "python", cache.stages[-1].slug, tmp_path / "ref")
    shutil.copytree(tmp_path / "ref", repo, dirs_exist_ok=True)
    graded = crack(["test", "--all"], cwd=repo, env=at(30))
    assert graded.exit_code == 0, graded.output
    card = crack(["status"], cwd=repo, env=at(46)).stderr
    assert "45:00 of 45:00 (time was up)" in card
    for rubric, label in (
        (Rubric.CORRECTNESS, "Correctness"),
        (Rubric.COMPLEXITY, "Time complexity"),
        (Rubric.EDGE_CASES, "Edge cases"),
    ):
        stages = [s for s in cache.stages if s.rubric is rubric]
        n, worth = len(stages), sum(s.worth for s in stages)
        assert n, f"the cache challenge has {label.lower()} stages"
        assert _row(card, label) == [f"{n} of {n}", f"{worth}/{worth}", "shown"]
