"""crack grade: many submissions at once, each in its own process, each with its own verdict.

Submissions come as folders, archives and git repositories (by path@ref and over the git
protocol); broken ones are reported and never stop the batch; every report matches the
batch schema and reads right as CSV, JUnit and text.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from junitparser import Error, JUnitXml

from conftest import REDIS
from crack.authoring.scenarios import load_scenarios
from crack.batch.sources import parse_source, split_ref, unique_names
from crack.batch.worker import GradeJob, grade_submission
from crack.schemas import schema_errors

UNTIL = "echo"  # bind, ping, ping-multiple, concurrent-clients, echo: enough to tell programs apart
SCENARIOS = {scenario.name: scenario for scenario in load_scenarios(REDIS)}
PROGRAMS = Path(__file__).parent / "programs"


def grade(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``crack grade`` as a user runs it: a real process, stdout and stderr apart."""
    return subprocess.run(
        [sys.executable, "-m", "crack", "grade", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
    )


def batch_json(*args: str, tmp_path: Path) -> tuple[int, dict[str, Any], str]:
    out = tmp_path / "batch.json"
    result = grade(*args, "--format", "json", "--output", str(out))
    assert out.is_file(), result.stderr
    batch = json.loads(out.read_text())
    assert schema_errors(batch, "batch") == [], schema_errors(batch, "batch")
    return result.returncode, batch, result.stdout + result.stderr


def first_bad(entry: dict[str, Any]) -> str | None:
    return next((s["slug"] for s in entry["stages"] if s["status"] != "passed"), None)


@pytest.fixture(scope="module")
def programs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A correct program (reference as of echo), a wrong one (as of ping), a broken scenario."""
    from crack.authoring.solutions import materialize

    base = tmp_path_factory.mktemp("programs")
    return {
        "correct": materialize(REDIS, "python", UNTIL, base / "correct"),
        "stops-at-ping": materialize(REDIS, "python", "ping", base / "stops-at-ping"),
        "pong-as-bulk": SCENARIOS["pong-as-bulk-string"].build(REDIS, base / "pong-as-bulk"),
    }


def test_correct_and_broken_graded_at_once_each_get_their_verdict(
    programs: dict[str, Path], tmp_path: Path
) -> None:
    code, batch, output = batch_json(
        str(programs["correct"]),
        str(programs["stops-at-ping"]),
        str(programs["pong-as-bulk"]),
        "--challenge",
        "redis",
        "--until",
        UNTIL,
        "--jobs",
        "3",
        "--seed",
        "5",
        tmp_path=tmp_path,
    )
    assert code == 0, output
    entries = {entry["name"]: entry for entry in batch["submissions"]}
    assert list(entries) == ["correct", "stops-at-ping", "pong-as-bulk"]  # the order given, not of finishing
    assert first_bad(entries["correct"]) is None
    assert first_bad(entries["stops-at-ping"]) == "ping-multiple"
    assert first_bad(entries["pong-as-bulk"]) == "ping"
    assert "expected simple string" in entries["pong-as-bulk"]["stages"][1]["message"]
    assert all(entry["error"] is None and entry["seed"] == 5 for entry in entries.values())
    assert all(entry["isolation"] == "none" for entry in entries.values())
    assert batch["stages"] == ["bind", "ping", "ping-multiple", "concurrent-clients", "echo"]
    assert (
        entries["correct"]["score"],
        entries["stops-at-ping"]["score"],
        entries["pong-as-bulk"]["score"],
    ) == (
        entries["correct"]["max_score"],
        2,
        1,
    )
    assert batch["executor"] == "local (3 jobs)"


SLEEPY_TESTER = """
import os
import time
import uuid
from pathlib import Path
from crack.tester import Tester
tester = Tester("fake")

@tester.stage("slow")
def slow(h):
    started = time.time()
    time.sleep(2.0)
    result = h.run([])
    Path(os.environ["STAMPS"], uuid.uuid4().hex).write_text(f"{started} {time.time()}")
    if result.stdout.strip() != b"right":
        h.fail(f"expected 'right', got {result.stdout.strip()!r}")
"""


def _script(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "your_program.sh"
    script.write_text(f"#!/bin/sh\necho {text}\n")
    script.chmod(0o755)
    return folder


def test_gradings_run_in_parallel(
    fake_challenges: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_challenges("fake", [{"slug": "slow", "timeout": 20}], SLEEPY_TESTER)
    stamps = tmp_path / "stamps"
    stamps.mkdir()
    monkeypatch.setenv("STAMPS", str(stamps))
    right, wrong = _script(tmp_path / "right", "right"), _script(tmp_path / "wrong", "wrong")
    code, batch, output = batch_json(
        str(right), str(wrong), "--challenge", "fake", "--jobs", "2", tmp_path=tmp_path
    )
    assert code == 0, output
    assert [entry["stages"][0]["status"] for entry in batch["submissions"]] == ["passed", "failed"]
    assert "expected 'right', got b'wrong'" in batch["submissions"][1]["stages"][0]["message"]
    # Each stage wrote when it ran: with --jobs 2 the two stages' time spans overlap.
    (a_start, a_end), (b_start, b_end) = (
        tuple(float(x) for x in path.read_text().split()) for path in stamps.iterdir()
    )
    assert max(a_start, b_start) < min(a_end, b_end), "the two gradings ran one after the other"


# --- where submissions come from ----------------------------------------------------------
def _git(*args: str, cwd: Path) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@localhost",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@localhost",
    }
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def git_repo(programs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A learner's history: tag v1 is the program as of ping, main's head the one as of echo."""
    repo = tmp_path_factory.mktemp("git") / "learner.git"
    shutil.copytree(programs["stops-at-ping"], repo, ignore=shutil.ignore_patterns("__pycache__", "report*"))
    _git("init", "-q", "-b", "main", cwd=repo)
    _git("add", "-A", cwd=repo)
    _git("commit", "-q", "-m", "ping", cwd=repo)
    _git("tag", "v1", cwd=repo)
    shutil.copytree(
        programs["correct"], repo, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__", "report*")
    )
    _git("add", "-A", cwd=repo)
    _git("commit", "-q", "-m", "echo", cwd=repo)
    return repo


@pytest.fixture
def git_daemon(git_repo: Path) -> Iterator[str]:
    """``git daemon`` on a loopback port serving the repository: a URL to clone over the network."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    daemon = subprocess.Popen(
        [
            "git",
            "daemon",
            "--export-all",
            "--reuseaddr",
            "--listen=127.0.0.1",
            f"--port={port}",
            f"--base-path={git_repo.parent}",
            str(git_repo.parent),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"git://127.0.0.1:{port}/{git_repo.name}"
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)


def _zip(folder: Path, dest: Path, *, keep_modes: bool, prefix: str = "") -> Path:
    with zipfile.ZipFile(dest, "w") as bundle:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                name = prefix + path.relative_to(folder).as_posix()
                if keep_modes:
                    bundle.write(path, name)
                else:
                    bundle.writestr(name, path.read_bytes())  # like many zip tools: no Unix modes
    return dest


def test_git_archives_and_folders(
    programs: dict[str, Path], git_repo: Path, git_daemon: str, tmp_path: Path
) -> None:
    tarball = tmp_path / "from-tar.tar.gz"
    with tarfile.open(tarball, "w:gz") as tar:
        tar.add(programs["correct"], arcname="from-tar-1.0")  # one top-level folder, stepped into
    submissions = [
        f"{git_repo}@v1",  # a local repository at a tag
        git_daemon,  # cloned over the git protocol: main's head
        f"{git_daemon}@v1",
        str(_zip(programs["correct"], tmp_path / "modes-kept.zip", keep_modes=True)),
        str(_zip(programs["correct"], tmp_path / "no-modes.zip", keep_modes=False, prefix="inner/")),
        str(tarball),
    ]
    code, batch, output = batch_json(
        *submissions, "--challenge", "redis", "--until", UNTIL, "--jobs", "2", tmp_path=tmp_path
    )
    assert code == 0, output
    got = {entry["name"]: (entry["error"], first_bad(entry)) for entry in batch["submissions"]}
    assert got == {
        "learner@v1": (None, "ping-multiple"),
        "learner": (None, None),
        "learner@v1-2": (None, "ping-multiple"),
        "modes-kept": (None, None),
        "no-modes": (None, None),  # the run script's lost executable bit was restored
        "from-tar": (None, None),
    }
    assert [entry["source"] for entry in batch["submissions"]][:3] == [
        f"{git_repo}@v1",
        git_daemon,
        f"{git_daemon}@v1",
    ]


def test_broken_submissions_are_reported_and_never_stop_the_batch(
    programs: dict[str, Path], git_repo: Path, tmp_path: Path
) -> None:
    no_script = tmp_path / "no-script"
    shutil.copytree(programs["correct"], no_script)
    (no_script / "your_program.sh").unlink()
    corrupt = tmp_path / "corrupt.zip"
    corrupt.write_bytes(b"PK\x03\x04 this is not really a zip")
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(b"\x1f\x8b\x08\x00 a gzip header, then nothing of a tar")
    code, batch, output = batch_json(
        str(tmp_path / "missing"),
        str(no_script),
        str(corrupt),
        str(truncated),
        f"{git_repo}@no-such-tag",
        str(programs["stops-at-ping"]),
        "--challenge",
        "redis",
        "--until",
        UNTIL,
        "--jobs",
        "2",
        tmp_path=tmp_path,
    )
    assert code == 1  # some could not be graded
    entries = {entry["name"]: entry for entry in batch["submissions"]}
    errors = {name: entry["error"] for name, entry in entries.items()}
    assert errors["missing"] == f"{tmp_path / 'missing'}: no such folder"
    assert errors["no-script"].startswith("no run script: ./your_program.sh is not in the submission")
    assert "corrupt or unreadable archive" in errors["corrupt"]
    assert "corrupt or unreadable archive" in errors["truncated"]
    assert errors["learner@no-such-tag"].startswith("checking out 'no-such-tag'")
    assert errors["stops-at-ping"] is None and first_bad(entries["stops-at-ping"]) == "ping-multiple"
    for name, entry in entries.items():
        if entry["error"]:
            assert {s["status"] for s in entry["stages"]} == {"skipped"}, name
            assert entry["stages"][0]["message"] == f"not graded: {entry['error']}"
            assert (entry["score"], entry["max_score"]) == (
                0,
                sum(REDIS.stage(s).worth for s in batch["stages"]),
            )
    assert "Traceback" not in output


def test_the_submissions_crack_yml_names_its_run_command(tmp_path: Path, programs: dict[str, Path]) -> None:
    program = tmp_path / "custom"
    shutil.copytree(programs["correct"], program)
    (program / "your_program.sh").rename(program / "start.sh")
    (program / "crack.yml").write_text("challenge: redis\nstage: echo\nrun: ./start.sh\n")
    code, batch, output = batch_json(
        str(program), "--challenge", "redis", "--until", "ping", tmp_path=tmp_path
    )
    assert code == 0, output
    (entry,) = batch["submissions"]
    assert entry["program"] == "./start.sh" and first_bad(entry) is None


HANG_TESTER = """
import os
import time
from pathlib import Path
from crack.tester import Tester
tester = Tester("fake")

@tester.stage("hang")
def hang(h):
    port = h.free_port()
    program = h.start_server(["--port", str(port)], port)
    Path(os.environ["PROGRAM_PIDFILE"]).write_text(str(program.pid))
    time.sleep(60)
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_for(path: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not (path.is_file() and path.read_text()):
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def test_a_grading_that_overruns_is_stopped_with_its_program(
    fake_challenges: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_challenges("fake", [{"slug": "hang", "timeout": 60}], HANG_TESTER)
    pidfile = tmp_path / "program.pid"
    monkeypatch.setenv("PROGRAM_PIDFILE", str(pidfile))
    program = _script(tmp_path / "p", "hi")
    job = GradeJob(
        source=str(program),
        name="p",
        challenge="fake",
        stages=("hang",),
        seed=1,
        run=f"{sys.executable} {PROGRAMS / 'mute.py'}",  # listens, and ignores SIGTERM
        timeout_s=3.0,
    )
    started = time.monotonic()
    entry = grade_submission(job)
    assert time.monotonic() - started < 20
    assert entry["error"] == "the grading did not finish in 3 s and was stopped"
    assert schema_errors({k: v for k, v in entry.items() if k not in ("name", "source", "error")}) == []
    # The learner's server ran in a session of its own: it must not outlive the grading.
    assert not _alive(int(pidfile.read_text())), "the learner's program outlived its stopped grading"


def test_ctrl_c_stops_the_batch_and_every_program(
    fake_challenges: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_challenges("fake", [{"slug": "hang", "timeout": 60}], HANG_TESTER)
    pidfile = tmp_path / "program.pid"
    monkeypatch.setenv("PROGRAM_PIDFILE", str(pidfile))
    program = _script(tmp_path / "p", "hi")
    batch = subprocess.Popen(
        [sys.executable, "-m", "crack", "grade", str(program), str(program), "--challenge", "fake",
         "--jobs", "1", "--run", f"{sys.executable} {PROGRAMS / 'mute.py'}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    _wait_for(pidfile)
    started = time.monotonic()
    batch.send_signal(signal.SIGINT)
    _, stderr = batch.communicate(timeout=30)
    assert batch.returncode == 130, stderr
    assert time.monotonic() - started < 10
    assert "crack: interrupted" in stderr and "Traceback" not in stderr
    assert not _alive(int(pidfile.read_text())), "the learner's program outlived Ctrl-C"


# --- the other formats, the summary, the options ------------------------------------------
def test_text_csv_and_junit_outputs(programs: dict[str, Path], tmp_path: Path) -> None:
    args = [str(programs["correct"]), str(programs["pong-as-bulk"]), str(tmp_path / "gone")]
    common = ["--challenge", "redis", "--until", "ping", "--jobs", "2"]
    text = grade(*args, *common)
    assert text.returncode == 1
    rows = {line.split("│")[1].strip(): line for line in text.stdout.splitlines() if line.startswith("│ ")}
    assert "2/2" in rows["correct"] and "all passed" in rows["correct"]
    assert "1/2" in rows["pong-as-bulk"] and "failed at 2 (ping)" in rows["pong-as-bulk"]
    assert "not graded" in rows["gone"]
    assert "3 submissions in" in text.stdout and "1 could not be graded" in text.stdout
    assert "[3/3]" in text.stderr  # progress, one line per submission when not on a terminal

    out = tmp_path / "grades.csv"
    assert grade(*args, *common, "--format", "csv", "--output", str(out)).returncode == 1
    table = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [(r["name"], r["score"], r["bind"], r["ping"]) for r in table] == [
        ("correct", "2", "passed", "passed"),
        ("pong-as-bulk", "1", "passed", "failed"),
        ("gone", "0", "skipped", "skipped"),
    ]
    assert table[2]["error"].endswith("gone: no such folder")

    junit = grade(*args, *common, "--format", "junit")  # to stdout: nothing but the XML
    suites = {suite.name: suite for suite in JUnitXml.fromstring(junit.stdout)}
    assert list(suites) == ["correct", "pong-as-bulk", "gone"]
    assert [case.is_passed for case in suites["correct"]] == [True, True]
    assert suites["pong-as-bulk"].failures == 1
    broken_case = next(iter(suites["gone"]))
    assert broken_case.name == "(grading)" and isinstance(broken_case.result[0], Error)


def test_isolation_is_passed_through_and_checked(programs: dict[str, Path], tmp_path: Path) -> None:
    code, batch, _ = batch_json(
        str(programs["correct"]),
        "--challenge",
        "redis",
        "--until",
        "bind",
        "--isolation",
        "none",
        tmp_path=tmp_path,
    )
    assert code == 0 and batch["isolation"] == "none" and batch["submissions"][0]["isolation"] == "none"
    bad = grade(str(programs["correct"]), "--challenge", "redis", "--isolation", "bogus")
    assert bad.returncode == 2
    assert "--isolation: 'bogus' is not a mode crack knows" in bad.stderr and "Traceback" not in bad.stderr


def test_usage_errors_are_plain(tmp_path: Path) -> None:
    unknown = grade(str(tmp_path), "--challenge", "no-such-challenge")
    assert (
        unknown.returncode == 2
        and "no-such-challenge" in unknown.stderr
        and "Traceback" not in unknown.stderr
    )
    bad_stage = grade(str(tmp_path), "--challenge", "redis", "--until", "nope")
    assert bad_stage.returncode == 2 and "--until: 'nope' is not a stage of redis" in bad_stage.stderr


def test_submission_specs() -> None:
    assert split_ref("https://example.com/o/r.git@v1") == ("https://example.com/o/r.git", "v1")
    assert split_ref("git@example.com:o/r.git") == ("git@example.com:o/r.git", None)
    assert split_ref("git@example.com:o/r.git@feature/x") == ("git@example.com:o/r.git", "feature/x")
    assert split_ref("https://user@example.com") == ("https://user@example.com", None)
    assert parse_source("work/alice.tar.gz").kind == "archive"
    assert parse_source("work/alice.tar.gz").name == "alice"
    assert parse_source("https://example.com/o/bob.git").kind == "git"
    sources = [parse_source(spec) for spec in ("a/sub", "b/sub", "c/other", "d/sub.zip")]
    assert unique_names(sources) == ["sub", "sub-2", "other", "sub-3"]


def test_progress_bar_on_a_terminal(programs: dict[str, Path]) -> None:
    import pexpect

    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "crack", "grade", str(programs["correct"]), "--challenge", "redis", "--until", "bind"],
        env={**env, "COLUMNS": "120"},
        encoding="utf-8",
        timeout=120,
        dimensions=(40, 120),
    )
    child.expect(pexpect.EOF)
    child.close()
    screen = child.before
    assert child.exitstatus == 0, screen
    assert "grading" in screen and "━" in screen and "1/1" in screen  # rich's bar, then done
    assert "correct: all passed" in screen
    assert "Submission" in screen and "all passed" in screen  # the summary table after it
