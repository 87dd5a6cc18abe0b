"""Grading one submission: the function every executor (threads here, Dask workers there) runs.

The submission is copied, cloned or unpacked into a fresh temporary folder, then graded by
a child process, ``python -m crack test … --format json``: so two gradings never share a
process (no shared tester module state, signal handlers or threads) and a grading that
hangs or crashes takes nothing else down. The function takes and returns plain data, so a
Dask worker can run it as it is, and never raises for a bad submission: whatever goes wrong
becomes the entry's ``error``.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crack.batch.sources import SubmissionError, parse_source, prepare

DEFAULT_RUN = "./your_program.sh"
GRACE_S = 60.0
"""Time a grading may take beyond the sum of its stages' timeouts (start-up, teardown)."""


@dataclass(frozen=True)
class GradeJob:
    """Everything one grading needs, as plain values (a Dask task pickles it)."""

    source: str
    name: str
    challenge: str
    stages: tuple[str, ...]
    """The stage slugs to grade: always the first N stages of the challenge."""
    seed: int
    run: str | None = None
    """The command that starts the program; None: crack.yml's ``run``, else ./your_program.sh."""
    isolation: str = "none"
    timeout_s: float = 600.0
    points: tuple[tuple[str, int], ...] = ()
    """What each stage is worth, for the report of a submission that could not be graded."""
    names: tuple[tuple[str, str], ...] = ()
    """Each stage's name (slug, name), for that same report."""


def run_command(program: Path, override: str | None) -> str:
    """The command line that starts the submission: given, or from its crack.yml, or the default."""
    if override:
        return override
    config = program / "crack.yml"
    if config.is_file():
        try:
            import yaml

            data = yaml.safe_load(config.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            data = None  # the learner's file is damaged: fall back to the default command
        run = data.get("run") if isinstance(data, dict) else None
        if isinstance(run, str) and run.strip():
            return run.strip()
    return DEFAULT_RUN


def build_command(program: Path) -> str | None:
    """The submission's build command (``build:`` in its crack.yml: compiled languages), if any."""
    config = program / "crack.yml"
    if not config.is_file():
        return None
    try:
        import yaml

        data = yaml.safe_load(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    build = data.get("build") if isinstance(data, dict) else None
    return build.strip() if isinstance(build, str) and build.strip() else None


def check_run_script(program: Path, command: str) -> None:
    """A run script named by a relative path must be in the submission, and executable."""
    try:
        first = shlex.split(command)[0]
    except (ValueError, IndexError):
        raise SubmissionError(f"the run command {command!r} cannot be parsed") from None
    if "/" not in first or first.startswith("/"):
        return  # a command on PATH or an absolute path: the grading itself reports if it is missing
    script = program / first
    if not script.is_file():
        raise SubmissionError(
            f"no run script: {first} is not in the submission (the run command is {command!r})"
        )
    mode = script.stat().st_mode
    if not mode & stat.S_IXUSR:
        # Archives and web uploads often lose the executable bit; this is a copy, so fix it.
        script.chmod(mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def _stage_args(job: GradeJob) -> list[str]:
    return ["--until", job.stages[-1]] if job.stages else ["--all"]


def not_graded(job: GradeJob, error: str, program: str = "") -> dict[str, Any]:
    """The entry of a submission that could not be graded: every stage skipped, and why."""
    points = dict(job.points)
    names = dict(job.names)
    return {
        "version": 2,
        "challenge": job.challenge,
        "program": program or (job.run or DEFAULT_RUN),
        "seed": job.seed,
        "isolation": job.isolation,
        "interrupted": False,
        "score": 0,
        "max_score": sum(points.get(slug, 0) for slug in job.stages),
        "stages": [
            {
                "slug": slug,
                "name": names.get(slug, slug),
                "number": number,
                "status": "skipped",
                "duration_s": 0.0,
                "message": f"not graded: {error}",
                "log": "",
                "score": 0,
                "max_score": points.get(slug, 0),
            }
            for number, slug in enumerate(job.stages, start=1)
        ],
        "name": job.name,
        "source": job.source,
        "error": error,
    }


_LIVE: set[int] = set()
"""Process groups of the gradings running in this process, for :func:`stop_all`."""
_LIVE_LOCK = threading.Lock()
STOP_GRACE_S = 5.0


def _end_group(child: subprocess.Popen[str]) -> None:
    """SIGINT first: the child crack treats it as Ctrl-C and ends the learner's program tree
    (which runs in a session of its own, out of reach of a signal to this group); SIGKILL if
    it does not exit in time."""
    for sig in (signal.SIGINT, signal.SIGKILL):
        try:
            os.killpg(child.pid, sig)
        except ProcessLookupError:
            return
        try:
            child.wait(timeout=STOP_GRACE_S)
            return
        except subprocess.TimeoutExpired:
            continue


def stop_all() -> None:
    """End every grading this process is running (Ctrl-C on a batch).

    The children run in their own sessions, so the terminal's SIGINT does not reach them:
    each gets one, as a Ctrl-C, then SIGKILL if it has not exited after the grace period.
    """
    _signal_live(signal.SIGINT)
    deadline = time.monotonic() + STOP_GRACE_S
    while time.monotonic() < deadline:
        with _LIVE_LOCK:
            if not _LIVE:
                return
        time.sleep(0.05)
    _signal_live(signal.SIGKILL)


def _signal_live(sig: signal.Signals) -> None:
    with _LIVE_LOCK:
        groups = list(_LIVE)
    for group in groups:
        try:
            os.killpg(group, sig)
        except ProcessLookupError:
            pass


def _run_child(argv: list[str], cwd: Path, timeout: float) -> tuple[int | None, str]:
    """Run crack in its own session; on timeout end its whole process group."""
    env = {**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        start_new_session=True,
    ) as child:
        with _LIVE_LOCK:
            _LIVE.add(child.pid)
        try:
            _, stderr = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _end_group(child)
            child.communicate()
            return None, ""
        finally:
            with _LIVE_LOCK:
                _LIVE.discard(child.pid)
    return child.returncode, stderr


def grade_submission(job: GradeJob) -> dict[str, Any]:
    """Grade one submission and return its batch entry (the test report plus name, source, error)."""
    with tempfile.TemporaryDirectory(prefix="crack-grade-") as tmp:
        work = Path(tmp)
        try:
            program = prepare(parse_source(job.source), work / "submission")
            command = run_command(program, job.run)
            check_run_script(program, command)
        except SubmissionError as exc:
            return not_graded(job, str(exc))
        except OSError as exc:
            return not_graded(job, f"cannot read the submission: {exc}")
        report_path = work / "report.json"
        argv = [
            sys.executable,
            "-m",
            "crack",
            "test",
            "--challenge",
            job.challenge,
            "--run",
            command,
            *_stage_args(job),
            "--seed",
            str(job.seed),
            "--format",
            "json",
            "--output",
            str(report_path),
        ]
        if job.isolation != "none":
            argv += ["--isolation", job.isolation]
        build = build_command(program)
        timeout = job.timeout_s
        if build is not None:
            from crack.build import BUILD_TIMEOUT_S

            argv += ["--build", build]
            timeout += BUILD_TIMEOUT_S  # the build has a limit of its own, outside the stages'
        started = time.monotonic()
        code, stderr = _run_child(argv, program, timeout)
        if code is None:
            return not_graded(job, f"the grading did not finish in {timeout:g} s and was stopped", command)
        try:
            report: dict[str, Any] = json.loads(report_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            lines = [line for line in stderr.strip().splitlines() if line.strip()]
            why = (
                lines[-1]
                if lines
                else f"crack test exited with {code} after {time.monotonic() - started:.1f} s"
            )
            return not_graded(job, f"crack could not grade it: {why}", command)
    return {**report, "name": job.name, "source": job.source, "error": None}
