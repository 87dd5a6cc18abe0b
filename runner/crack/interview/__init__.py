"""Mock-interview mode: ``crack interview``.

The learner gets the problem as an interviewer states it, a timer, and as many test runs
as they like; at the end, a score card by rubric dimension, the questions to rehearse and
a self-review checklist. Attempts are kept in ``.crack/interviews.json`` of the learner's
repository.

Two hooks tie it to the other commands, both called from :mod:`crack.cli`:
:func:`before_command` (the timer banner, and the card once time is up) and
:func:`record_grading` (each grading's verdicts, for the card). Both stay cheap when no
interview is running, and neither ever stops the command they serve: a problem with the
interviews file becomes a one-line warning there, and a clear error in ``crack interview``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crack.learner import LearnerRepo
    from crack.report import RunReport

COMMAND = "interview"
DEFAULT_MINUTES = 45
MAX_MINUTES = 480
INTERVIEWS_PATH = Path(".crack") / "interviews.json"
"""Where a repository keeps its interviews (see :mod:`crack.interview.session`). Here, not
there: every command looks for this file, and most never need the models that read it."""


def _interviews_file(start: Path) -> Path | None:
    """``.crack/interviews.json`` of the repository around ``start``, if it exists.
    Only the filesystem is touched: most commands run with no interview."""
    from crack.learner import LearnerRepo

    root = LearnerRepo.find_root(start.resolve())
    if root is None or not (root / INTERVIEWS_PATH).is_file():
        return None
    return root


def before_command(command: str | None) -> None:
    """Show the timer before every command while an interview runs; once time is up,
    close the interview and show its score card, then let the command run."""
    if command == COMMAND:  # `crack interview` shows the timer (and the card) itself
        return
    root = _interviews_file(Path.cwd())
    if root is None:
        return
    from crack.errors import CrackError
    from crack.interview.commands import banner_or_card

    try:
        banner_or_card(root)
    except CrackError as exc:
        import click

        click.echo(f"crack: warning: the interview timer is off: {exc.message}", err=True)


def record_grading(repo: LearnerRepo, report: RunReport) -> None:
    """Add a finished grading's verdicts to the running interview, if any."""
    if _interviews_file(repo.root) is None:
        return
    from crack.errors import CrackError
    from crack.interview.commands import record

    try:
        record(repo, report)
    except CrackError as exc:
        import click

        click.echo(
            f"crack: warning: this test run was not recorded for the interview: {exc.message}", err=True
        )
