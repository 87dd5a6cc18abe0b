"""The commands of grading at scale: ``crack grade``, ``crack report``, ``crack gradescope build``.

Registered on the ``crack`` group by :mod:`crack.cli`; like every command there, they only
parse, call the engine and render, and import heavy modules inside the command.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from crack.batch import BATCH_FORMATS
from crack.errors import ConfigError, CrackUsageError, ExitCode
from crack.reporters import FORMATS

if TYPE_CHECKING:
    from rich.console import Console

    from crack.batch.runner import BatchPlan, OnDone


def _isolation_modes(ctx: click.Context) -> list[str]:
    """The modes ``crack test --isolation`` accepts; only "none" while it has no such option."""
    test = getattr(ctx.find_root().command, "commands", {}).get("test")
    for param in getattr(test, "params", []):
        if param.name == "isolation" and isinstance(param.type, click.Choice):
            return [str(choice) for choice in param.type.choices]
    return ["none"]


def _write_or_print(text: str, output: Path | None) -> None:
    from crack.fileio import atomic_write_text

    if output is None:
        click.echo(text, nl=False)
    else:
        atomic_write_text(output, text)


@click.command("grade")
@click.argument("submissions", nargs=-1, required=True)
@click.option("--challenge", "challenge_slug", required=True, help="The challenge to grade against.")
@click.option("--until", help="Grade stages 1..STAGE (default: every stage).")
@click.option("--all", "all_stages", is_flag=True, help="Grade every stage (the default).")
@click.option(
    "--run", help="Command that starts each program (default: its crack.yml's, or ./your_program.sh)."
)
@click.option("--jobs", type=click.IntRange(1, 256), help="Gradings at once (default: the number of CPUs).")
@click.option("--isolation", default="none", show_default=True, help="Containment of each grading.")
@click.option(
    "--seed", type=click.IntRange(0, 2**63), help="One seed for every submission (default: random)."
)
@click.option("--format", "fmt", type=click.Choice(BATCH_FORMATS), default="text", show_default=True)
@click.option("--output", type=click.Path(path_type=Path), help="Write the report to this file.")
@click.option("--dask", metavar="tcp://HOST:PORT", help="Grade on this Dask scheduler's workers.")
@click.pass_context
def grade_cmd(
    ctx: click.Context,
    /,
    submissions: tuple[str, ...],
    challenge_slug: str,
    until: str | None,
    all_stages: bool,
    run: str | None,
    jobs: int | None,
    isolation: str,
    seed: int | None,
    fmt: str,
    output: Path | None,
    dask: str | None,
) -> None:
    """Grade many SUBMISSIONS at once: folders, archives (.zip, .tar.gz) or git repositories.

    A git repository is a URL or a folder, with @REF for a branch, tag or commit
    (repo.git@v1). Each submission is graded in its own process, in a copy of its files.
    Exit code: 0 when every submission was graded (whatever its verdicts), 1 when one or
    more could not be graded, 2 for a usage error.
    """
    from crack.batch import batch_renderer
    from crack.batch.runner import make_plan, run_batch
    from crack.batch.summary import print_summary
    from crack.challenge import load_challenge
    from crack.console import make_console
    from crack.selection import choose_stages

    modes = _isolation_modes(ctx)
    if isolation not in modes:
        raise CrackUsageError(
            f"--isolation: '{isolation}' is not a mode crack knows (choose from {', '.join(modes)})"
        )
    challenge = load_challenge(challenge_slug)
    stages = choose_stages(challenge, all_stages=all_stages, until=until, only=None, current=None)
    plan = make_plan(
        challenge,
        stages,
        list(submissions),
        seed=seed,
        run=run,
        isolation=isolation,
        jobs=jobs or os.cpu_count() or 1,
        dask=dask,
    )
    status = make_console(stderr=True)
    status.print(
        f"Grading {len(plan.sources)} submission{'s' if len(plan.sources) != 1 else ''} against "
        f"{challenge.name} ({len(stages)} stages, {plan.executor}, seed {plan.seed})"
    )
    batch = _run_with_progress(plan, status, run_batch)
    to_stdout = output is None and fmt != "text"
    if not to_stdout:
        print_summary(make_console(), batch)
    if fmt != "text" or output is not None:
        _write_or_print(batch_renderer(fmt)(batch), output)
        if output is not None:
            status.print(f"Wrote the {fmt} report to {output}", markup=False)
    broken = sum(bool(entry["error"]) for entry in batch["submissions"])
    ctx.exit(int(ExitCode.STAGE_FAILED) if broken else int(ExitCode.OK))


def _run_with_progress(
    plan: BatchPlan, console: Console, run_batch: Callable[[BatchPlan, OnDone], dict[str, Any]]
) -> dict[str, Any]:
    """A rich progress bar on a terminal; one line per finished submission otherwise (CI logs)."""
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from crack.batch.summary import verdict

    total = len(plan.sources)
    if not console.is_terminal:
        done = [0]

        def line(entry: dict[str, Any]) -> None:
            done[0] += 1
            score = f"{entry['score']}/{entry['max_score']}"
            # markup=False: a name or an error message may hold [brackets] rich would eat.
            console.print(f"[{done[0]}/{total}] {entry['name']}: {score}, {verdict(entry)}", markup=False)

        result: dict[str, Any] = run_batch(plan, line)
        return result
    with Progress(
        TextColumn("[bold]grading"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task("", total=total)

        def advance(entry: dict[str, Any]) -> None:
            description = escape(f"{entry['name']}: {verdict(entry)}")
            progress.update(task, advance=1, description=description)

        result = run_batch(plan, advance)
        return result


def _load_document(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(path, "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, f"cannot be read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(
            path, f"not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(path, "expected a JSON object: a report of crack test or crack grade")
    kind = "batch" if "submissions" in data else "report"
    try:
        from crack.schemas import schema_errors

        problems = schema_errors(data, kind)
    except ImportError:  # jsonschema is a dev dependency: without it, check the version only
        from crack.batch.runner import BATCH_VERSION
        from crack.report import REPORT_VERSION

        expected = BATCH_VERSION if kind == "batch" else REPORT_VERSION
        problems = [] if data.get("version") == expected else [f"version: expected {expected}"]
    if problems:
        field, _, message = problems[0].partition(": ")
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise ConfigError(path, f"not a crack {kind} report: {message}{more}", field)
    return data


@click.command("report")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(sorted({*FORMATS, *BATCH_FORMATS} - {"text"})))
@click.argument("report", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="Write here instead of standard output."
)
def report_cmd(fmt: str, report: Path, output: Path | None) -> None:
    """Turn a saved JSON REPORT (of crack test or crack grade) into FORMAT.

    One grading, many consumers: in CI, grade once with --format json, then write JUnit
    for the test view and Markdown for $GITHUB_STEP_SUMMARY from the same report.
    """
    from crack.batch import batch_renderer
    from crack.reporters import document_renderer

    data = _load_document(report)
    if "submissions" in data:
        if fmt not in BATCH_FORMATS:
            raise CrackUsageError(
                f"{report} is a crack grade report: it converts to {', '.join(BATCH_FORMATS[1:])}"
            )
        text = batch_renderer(fmt)(data)
    else:
        if fmt not in FORMATS:
            raise CrackUsageError(f"{report} is a crack test report: it converts to {', '.join(FORMATS[1:])}")
        text = document_renderer(fmt)(data)
    _write_or_print(text, output)


@click.group("gradescope")
def gradescope_group() -> None:
    """Gradescope autograders for a challenge."""


@gradescope_group.command("build")
@click.argument("challenge")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), default=Path("autograder.zip"), show_default=True
)
@click.option("--until", help="Grade stages 1..STAGE (default: every stage).")
@click.option(
    "--run", help="Command that starts the program (default: its crack.yml's, or ./your_program.sh)."
)
def gradescope_build(challenge: str, output: Path, until: str | None, run: str | None) -> None:
    """Build Gradescope's autograder zip (setup.sh, run_autograder, crack) for CHALLENGE."""
    from crack.challenge import load_challenge
    from crack.gradescope import build_autograder
    from crack.selection import choose_stages

    loaded = load_challenge(challenge)
    stages = choose_stages(loaded, all_stages=until is None, until=until, only=None, current=None)
    path = build_autograder(loaded, stages, output, run)
    click.echo(f"Wrote {path}: upload it on the assignment's Configure Autograder page (zip file upload).")


COMMANDS = (grade_cmd, report_cmd, gradescope_group)
