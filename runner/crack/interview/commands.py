"""``crack interview``: start a timed mock interview, finish it, show past attempts.

Registered on the ``crack`` group by :mod:`crack.cli`. Also holds what the CLI hooks in
:mod:`crack.interview` call once they know an interviews file exists.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from crack.errors import CrackError, CrackUsageError
from crack.interview import DEFAULT_MINUTES, MAX_MINUTES
from crack.interview.clock import clock_text, now

if TYPE_CHECKING:
    from rich.console import Console

    from crack.challenge.model import Challenge
    from crack.interview.session import Attempt, Interviews
    from crack.learner import LearnerRepo
    from crack.report import RunReport


def _console(stderr: bool = False) -> Console:
    from crack.console import make_console

    return make_console(stderr=stderr)


def banner(attempt: Attempt, seconds_left: float) -> str:
    return f"interview: {attempt.challenge}, {clock_text(seconds_left)} left"


def _show_card(console: Console, attempt: Attempt, heading: str, language: str) -> None:
    from crack.challenge import load_challenge
    from crack.interview.card import render_card, score

    console.print(heading, style="bold")
    render_card(console, score(load_challenge(attempt.challenge), attempt, language))
    console.print("Past attempts: crack interview --history")


def banner_or_card(root: Path) -> None:
    """Before a command: the timer, or (time up) the end of the interview and its card."""
    from crack.interview.session import Ending, Interviews

    interviews = Interviews.load(root)
    attempt = interviews.data.active
    if attempt is None:
        return
    at = now()
    left = attempt.remaining(at)
    if left > 0:
        click.echo(banner(attempt, left), err=True)
        return
    interviews.finish(at, Ending.TIME_UP)
    interviews.save()
    _show_card(
        _console(stderr=True),
        attempt,
        f"Time is up: the {attempt.challenge} interview is over.",
        _language_at(root),
    )
    click.echo("", err=True)


def _language_at(root: Path) -> str:
    """The language of the repository at ``root``, for the card's questions; Python when
    crack.yml cannot be read (the command that follows reports that itself)."""
    from crack.learner import LearnerRepo

    try:
        return LearnerRepo.load(root).config.language
    except CrackError:
        return "python"


def record(repo: LearnerRepo, report: RunReport) -> None:
    """After a grading in the repository: keep its verdicts for the card."""
    from crack.interview.session import GradingRun, Interviews
    from crack.report import StageStatus

    interviews = Interviews.load(repo.root)
    attempt = interviews.data.active
    if attempt is None or attempt.challenge != report.challenge:
        return
    verdicts = {s.slug: s.status.value for s in report.stages if s.status is not StageStatus.SKIPPED}
    at = now()
    attempt.runs.append(GradingRun(at=at, stages=verdicts, interrupted=report.interrupted))
    interviews.save()
    if at > attempt.deadline:
        click.echo(
            "interview: time was up before this test run finished, so it does not count "
            "for the score card (the next command shows it)",
            err=True,
        )


def _create_repo(challenge: Challenge, language: str, directory: Path) -> LearnerRepo:
    """A new learner repository, as ``crack start`` makes it."""
    from crack.learner import LearnerRepo
    from crack.scaffold import copy_starter, git_init

    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise CrackUsageError(f"{directory} already exists and is not empty: choose a new directory")
    directory.mkdir(parents=True, exist_ok=True)
    copy_starter(challenge, language, directory)
    from crack.languages import load_language

    base = challenge.language_of(language)  # a starter variant (typescript) runs as its language
    lang = load_language(base)  # how this language builds and runs: crack.yml's build and run
    repo = LearnerRepo.create(directory.resolve(), challenge, base, run=lang.run, build=lang.build)
    warning = git_init(directory, f"Start a {challenge.name} interview with crack")
    if warning:
        click.echo(f"warning: {warning}", err=True)
    return repo


def _repo_here(challenge: str | None) -> LearnerRepo:
    from crack.learner import locate

    repo = locate()
    if repo is None:
        example = challenge or "cache"
        raise CrackUsageError(
            "an interview runs in a learner repository (crack.yml), and there is none here: "
            f"give a new directory to create one, e.g. `crack interview {example} ./{example}-interview`"
        )
    if challenge is not None and challenge != repo.challenge.slug:
        raise CrackUsageError(
            f"this repository ({repo.root}) is for {repo.challenge.slug}, not {challenge}: "
            f"run `crack interview {challenge} DIR` to create a repository for it"
        )
    return repo


@click.command("interview")
@click.argument("challenge", required=False)
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option(
    "--minutes",
    type=click.IntRange(1, MAX_MINUTES),
    default=DEFAULT_MINUTES,
    show_default=True,
    help="Time allowed.",
)
@click.option(
    "--lang", "language", default="python", show_default=True, help="Starter language for DIRECTORY."
)
@click.option("--finish", is_flag=True, help="End the interview now and show the score card.")
@click.option("--history", is_flag=True, help="Show the past interviews of this repository.")
def interview_cmd(
    challenge: str | None, directory: Path | None, minutes: int, language: str, finish: bool, history: bool
) -> None:
    """A timed mock interview on CHALLENGE, in this learner repository or a new DIRECTORY.

    States the problem as an interviewer would and starts the timer, which every crack
    command then shows. Test as often as you like; when time is up (or with --finish) you
    get a score card: correctness, time complexity and edge cases from the stages passed,
    the time used, the questions to rehearse aloud and a self-review checklist. Run it
    again without arguments to read the problem again.
    """
    if finish and history:
        raise CrackUsageError("choose one of --finish and --history")
    if (finish or history) and directory is not None:
        raise CrackUsageError("--finish and --history apply to the repository you are in: cd into it")
    if finish:
        _finish(_repo_here(challenge))
    elif history:
        _history(_repo_here(challenge))
    else:
        _start(challenge, directory, minutes, language)


def _finish(repo: LearnerRepo) -> None:
    from crack.interview.session import Ending, Interviews

    interviews = Interviews.load(repo.root)
    attempt = interviews.data.active
    if attempt is None:
        raise CrackUsageError(
            "no interview is running in this repository: start one with `crack interview` "
            "(past ones: `crack interview --history`)"
        )
    at = now()
    time_up = attempt.remaining(at) <= 0
    interviews.finish(at, Ending.TIME_UP if time_up else Ending.FINISHED)
    interviews.save()
    heading = "Time is up" if time_up else "Interview finished"
    _show_card(_console(), attempt, f"{heading}: {attempt.challenge}.", repo.config.language)


def _close_if_time_up(interviews: Interviews, at: datetime, console: Console, language: str) -> None:
    """An interview whose time ran out with no command since is closed, and its card
    shown, before anything else is done with the file."""
    from crack.interview.session import Ending

    active = interviews.data.active
    if active is None or active.remaining(at) > 0:
        return
    interviews.finish(at, Ending.TIME_UP)
    interviews.save()
    _show_card(console, active, f"Time was up for the last {active.challenge} interview.", language)
    console.print()


def _history(repo: LearnerRepo) -> None:
    from crack.interview.card import history_table
    from crack.interview.session import Interviews

    interviews = Interviews.load(repo.root)
    data = interviews.data
    console = _console()
    _close_if_time_up(interviews, now(), console, repo.config.language)
    if not data.attempts and data.active is None:
        console.print("No interviews yet in this repository. Start one with `crack interview`.")
        return
    console.print(history_table(repo.challenge, data.attempts, data.active))
    if data.active is not None:
        console.print(banner(data.active, data.active.remaining(now())))


def _start(challenge_slug: str | None, directory: Path | None, minutes: int, language: str) -> None:
    from crack.challenge import load_challenge
    from crack.interview.session import Attempt, Interviews
    from crack.interview.statement import show_statement

    console = _console()
    if directory is not None:
        if challenge_slug is None:  # click fills CHALLENGE before DIRECTORY: cannot happen
            raise CrackUsageError("name the challenge: crack interview CHALLENGE DIRECTORY")
        repo = _create_repo(load_challenge(challenge_slug), language, directory)
        console.print(f"Created {directory} for {repo.challenge.name} ({language}): cd {directory}")
    else:
        repo = _repo_here(challenge_slug)
    interviews = Interviews.load(repo.root)
    at = now()
    _close_if_time_up(interviews, at, console, repo.config.language)
    active = interviews.data.active
    if active is not None:
        left = clock_text(active.remaining(at))
        if challenge_slug is None:  # a reminder of the problem, not a new interview
            show_statement(console, repo.challenge, active.minutes, active.deadline, repo.config.language)
            console.print(banner(active, active.remaining(at)))
            return
        raise CrackUsageError(
            f"an interview of {active.challenge} is already running here ({left} left): "
            "end it with `crack interview --finish` before starting another"
        )
    if repo.progress.passed:
        console.print(
            f"Note: this repository already passes {len(repo.progress.passed)} stage(s); the interview "
            "grades the code as it is. For a fresh start: crack interview "
            f"{repo.challenge.slug} NEW_DIRECTORY",
            style="yellow",
        )
    attempt = Attempt(challenge=repo.challenge.slug, started_at=at, minutes=minutes)
    interviews.data.active = attempt
    interviews.save()
    show_statement(console, repo.challenge, minutes, attempt.deadline, repo.config.language)
    console.print()
    until = attempt.deadline.astimezone(UTC).strftime("%H:%M")
    console.print(
        f"The timer is running: {clock_text(minutes * 60)}, until {until} UTC. "
        "Every crack command shows the time left.",
        style="bold",
    )


COMMANDS = (interview_cmd,)
