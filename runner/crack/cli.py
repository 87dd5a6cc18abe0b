"""The ``crack`` command line. Thin: each command parses, calls the engine, renders.

Errors are rendered once, here: a :class:`~crack.errors.CrackError` prints its message and
exits with its code; anything else is a bug of ours, labelled as such, exit 3. Heavy
modules are imported inside commands so ``crack --version`` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from crack import __version__
from crack.containment.modes import ISOLATIONS
from crack.errors import CrackError, CrackUsageError, ExitCode
from crack.reporters import FORMATS

if TYPE_CHECKING:
    from rich.console import Console

    from crack.learner import LearnerRepo


def _console(stderr: bool = False) -> Console:
    from crack.console import make_console

    return make_console(stderr=stderr)


class CrackGroup(click.Group):
    """Renders crack's own errors in one place."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CrackError as exc:
            label = (
                "internal error in crack (a bug in crack, not in your code)"
                if exc.exit_code == ExitCode.INTERNAL
                else "error"
            )
            click.echo(f"crack: {label}: {exc.message}", err=True)
            ctx.exit(int(exc.exit_code))
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("crack: interrupted", err=True)
            ctx.exit(int(ExitCode.INTERRUPTED))
        except Exception:
            import traceback

            click.echo("crack: internal error in crack (a bug in crack, not in your code):", err=True)
            click.echo(traceback.format_exc(), err=True)
            ctx.exit(int(ExitCode.INTERNAL))


@click.group(cls=CrackGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="crack")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Build real systems from scratch; crack grades them locally, stage by stage."""
    from crack.interview import before_command

    before_command(ctx.invoked_subcommand)  # a mock interview's timer, on every command


# --- browsing ------------------------------------------------------------------------------
@cli.command("list")
def list_cmd() -> None:
    """List the challenges, with stage counts and difficulty."""
    from rich.table import Table

    from crack.challenge import list_challenges

    table = Table(title="Challenges", title_justify="left")
    for column in ("Slug", "Name", "Stages", "Difficulty", "Languages"):
        table.add_column(column)
    for challenge in list_challenges():
        table.add_row(
            challenge.slug,
            challenge.name,
            str(len(challenge.stages)),
            challenge.difficulty.value,
            ", ".join(challenge.languages),
        )
    _console().print(table)


@cli.command("languages")
def languages_cmd() -> None:
    """List the languages, with this machine's toolchain for each (and how to install it)."""
    from crack.languages import show_languages

    show_languages(_console())


@cli.command()
@click.argument("challenge")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--lang", "language", default="python", show_default=True, help="Language of the starter.")
def start(challenge: str, directory: Path, language: str) -> None:
    """Create a learner repository for CHALLENGE in DIRECTORY (git-initialised)."""
    import shlex

    from crack.challenge import load_challenge
    from crack.languages import load_language, probe
    from crack.learner import LearnerRepo
    from crack.scaffold import copy_starter, git_init
    from crack.views import show_task

    loaded = load_challenge(challenge)
    base = loaded.language_of(language)  # a starter variant (typescript) runs as its language
    lang = load_language(base)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise CrackUsageError(f"{directory} already exists and is not empty: choose a new directory")
    existed = directory.exists()
    try:
        copy_starter(loaded, language, directory)
        LearnerRepo.create(directory.resolve(), loaded, base, run=lang.run, build=lang.build)
    except (OSError, CrackError) as exc:
        if not existed:  # leave no half-made repository behind
            import shutil

            shutil.rmtree(directory, ignore_errors=True)
        if isinstance(exc, CrackError):
            raise
        reason = exc.strerror or str(exc)
        raise CrackUsageError(
            f"cannot create {directory}: {reason} ({exc.filename}); choose a folder you can write in"
        ) from None
    warning = git_init(directory, f"Start {loaded.name} with crack")
    console = _console()
    kind = lang.name if base == language else f"the {language} starter, run as {lang.name}"
    console.print(f"Created {directory} for {loaded.name} ({kind}).", markup=False)
    if warning:
        console.print(f"warning: {warning}")
    toolchain = probe(lang)
    if not toolchain.found:
        console.print(
            f"warning: {', '.join(toolchain.missing)} not found: install it to build and run "
            f"{lang.name} programs ({lang.install})"
        )
    # Quoted for the shell: a folder named "my redis" is one argument of cd.
    console.print(
        f"Next: cd {shlex.quote(str(directory))} && crack test   (crack task shows the instructions again)\n",
        markup=False,
    )
    show_task(console, loaded, loaded.stages[0], base)


def _repo() -> LearnerRepo:
    from crack.learner import require

    return require()


@cli.command()
@click.argument("stage", required=False)
def task(stage: str | None) -> None:
    """Show the instructions of the current stage (or of STAGE, if unlocked)."""
    from crack.stage_names import find_stage
    from crack.views import show_task

    repo = _repo()
    slug = find_stage(repo.challenge, stage).slug if stage else repo.config.stage
    if not repo.is_unlocked(slug):
        raise CrackUsageError(f"stage '{slug}' is locked: pass the stages before it with `crack next`")
    show_task(_console(), repo.challenge, repo.challenge.stage(slug), repo.config.language)


@cli.command()
def status() -> None:
    """Show the stage map: passed, current, locked."""
    from crack.views import show_status

    show_status(_console(), _repo())


@cli.command()
@click.argument("stage", required=False)
def hint(stage: str | None) -> None:
    """Reveal the next hint of the current stage (or of STAGE, if unlocked), one layer at a time."""
    from crack.stage_names import find_stage
    from crack.views import show_hints

    repo = _repo()
    slug = find_stage(repo.challenge, stage).slug if stage else repo.config.stage
    if not repo.is_unlocked(slug):
        raise CrackUsageError(f"stage '{slug}' is locked: its hints open with the stage")
    shown_stage = repo.challenge.stage(slug)
    shown = repo.progress.hints_revealed.get(slug, 0)
    console = _console()
    if shown >= len(shown_stage.hints):
        show_hints(console, shown_stage, shown, repo.config.language)
        console.print("That was the last hint. `crack solution` opens once the stage passes.")
        return
    repo.progress.hints_revealed[slug] = shown + 1
    repo.save()
    show_hints(console, shown_stage, shown + 1, repo.config.language)


@cli.command()
@click.argument("stage", required=False)
@click.option(
    "--into", type=click.Path(path_type=Path), help="Write the whole reference program at that stage here."
)
def solution(stage: str | None, into: Path | None) -> None:
    """Show the reference solution's change for a stage you have passed."""
    from rich.syntax import Syntax

    from crack.authoring.solutions import fallback_note, materialize, reference_language, stage_diff

    repo = _repo()
    challenge = repo.challenge
    if stage is None:
        passed = [s.slug for s in challenge.stages if repo.has_passed(s.slug)]
        if not passed:
            raise CrackUsageError("the reference solution opens stage by stage: pass a stage first")
        stage = repo.config.stage if repo.has_passed(repo.config.stage) else passed[-1]
    else:
        from crack.stage_names import find_stage

        stage = find_stage(challenge, stage).slug
    if not repo.has_passed(stage):
        raise CrackUsageError(f"stage '{stage}' is not passed yet: its reference opens once you pass it")
    console = _console()
    language = reference_language(challenge, repo.config.language)
    if language != repo.config.language:
        console.print(fallback_note(repo.config.language, language))
    if into is not None:
        materialize(challenge, language, stage, into)
        console.print(f"Wrote the reference program as of stage '{stage}' to {into}")
        return
    diff = stage_diff(challenge, language, stage)
    console.print(f"Reference solution, stage {challenge.stage_number(stage)} ({stage}): what it adds")
    console.print(Syntax(diff, "diff", theme="ansi_dark"))


# --- grading -------------------------------------------------------------------------------
class Seconds(click.FloatRange):
    """A duration in seconds within a range. click's FloatRange lets NaN through (every
    comparison with it is false), and a NaN limit is no limit at all."""

    name = "seconds"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if number != number:  # NaN
            self.fail(
                f"{value!r} is not a number of seconds: give one from {self.min:g} to {self.max:g}",
                param,
                ctx,
            )
        return number


def _grade_options(function: Any) -> Any:
    options = [
        click.option(
            "--challenge", "challenge_slug", help="Grade against this challenge (outside a learner repo)."
        ),
        click.option("--run", help="Command that starts the program; the tester appends its arguments."),
        click.option("--build", help="Command that builds the program first (default: crack.yml's build)."),
        click.option("--all", "all_stages", is_flag=True, help="Run every stage, in order."),
        click.option("--until", help="Run stages 1..STAGE, in order."),
        click.option("--stage", "only", help="Run only this stage."),
        click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True),
        click.option("--output", type=click.Path(path_type=Path), help="Write the report to this file."),
        click.option("--seed", type=click.IntRange(0, 2**63), help="Replay a run's randomness."),
        click.option(
            "--isolation",
            type=click.Choice(ISOLATIONS),
            help="How the program is contained (default: crack.yml's isolation, else none).",
        ),
        click.option(
            "--memory-limit",
            "memory_mb",
            type=click.IntRange(16, 1_000_000),
            help="Memory for the program's whole process tree, in MB (default 2048).",
        ),
        click.option(
            "--run-timeout",
            type=Seconds(1, 86_400),
            help="Seconds for the whole run; stages left when it is up are not run.",
        ),
        click.option(
            "--repeat",
            type=click.IntRange(1, 1000),
            default=1,
            help="Grade N times with one seed and flag stages whose verdict changed.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _run_grading(**kwargs: Any) -> tuple[int, Any]:
    import dataclasses

    from crack.containment.modes import grade_isolated_plan
    from crack.grading import Interrupted
    from crack.reporters import make_reporter
    from crack.selection import resolve
    from crack.tester import check_slugs, load_tester

    fmt, output = kwargs.pop("fmt"), kwargs.pop("output")
    isolation, memory_mb = kwargs.pop("isolation", None), kwargs.pop("memory_mb", None)
    repeat, run_timeout = kwargs.pop("repeat", 1), kwargs.pop("run_timeout", None)
    selection = resolve(**kwargs)
    tester = load_tester(selection.challenge)
    problems = check_slugs(selection.challenge, tester)
    if problems:
        from crack.errors import InternalError

        raise InternalError("; ".join(problems))
    console = _console()
    reporter = make_reporter(fmt, output, console)
    plan = _contained_plan(selection, tester, isolation, memory_mb)
    plan = dataclasses.replace(plan, run_timeout=run_timeout)
    language = selection.repo.config.language if selection.repo else "python"
    try:
        if repeat > 1:
            from crack.repeat import grade_repeatedly

            fresh = lambda: make_reporter(fmt, output, console)  # noqa: E731
            report = grade_repeatedly(plan, repeat, fresh, console, language)
        else:
            report = grade_isolated_plan(plan, reporter, language)
    except Interrupted as interrupted:
        _record(selection.repo, interrupted.report)
        return int(ExitCode.INTERRUPTED), interrupted.report
    _record(selection.repo, report)
    if report.passed:
        code = ExitCode.OK
    elif report.has_internal_error:
        code = ExitCode.INTERNAL
    else:
        code = ExitCode.STAGE_FAILED
        if fmt == "text" or output is not None:
            console.print(f"Replay this run with --seed {report.seed}.", style="dim")
    return int(code), report


@cli.command("_grade-inside", hidden=True)
@click.argument("spec")
def grade_inside_cmd(spec: str) -> None:
    """The child grader of the namespace and docker modes (events on stdout)."""
    import os

    from crack.containment.remote import InsideSpec, grade_inside

    inside = InsideSpec.from_json(spec)
    if os.environ.get("CRACK_INSIDE") == "namespace":
        from crack.containment.namespace import prepare_inside

        prepare_inside(inside)
    sys.exit(grade_inside(inside))


def _contained_plan(selection: Any, tester: Any, isolation: str | None, memory_mb: int | None) -> Any:
    """The plan with the program's containment: the mode from the option, else crack.yml."""
    import dataclasses

    from crack.containment.sandbox import Limits, standard
    from crack.grading import GradingPlan

    if isolation is None:
        isolation = selection.repo.config.isolation if selection.repo else "none"
    limits = Limits(memory_mb=memory_mb) if memory_mb else Limits()
    program = dataclasses.replace(selection.program, containment=standard(limits))
    return GradingPlan(
        selection.challenge, tester, program, selection.stages, selection.seed, isolation=isolation
    )


def _record(repo: LearnerRepo | None, report: Any) -> None:
    from crack.report import StageStatus

    if repo is None:
        return
    from crack.interview import record_grading

    record_grading(repo, report)
    passed = [s.slug for s in report.stages if s.status is StageStatus.PASSED]
    if passed:
        repo.record_passes(passed)
        repo.save()


def _no_stray_words(ctx: click.Context, run: str | None) -> None:
    """Words left over after the options. After --run, they are most often the rest of a
    path with a space the shell split (``--run /tmp/my dir/prog.sh``)."""
    if not ctx.args:
        return
    stray = " ".join(ctx.args)
    if run is not None:
        import shlex

        from crack.selection import split_path

        try:
            words = [*shlex.split(run), *ctx.args]
        except ValueError:  # an unbalanced quote: resolve() says so
            words = [run, *ctx.args]
        split = split_path(words, Path.cwd())
        whole = split[2] if split else shlex.join(words)
        raise click.UsageError(
            f"unexpected argument(s) '{stray}'. If they belong to the --run command (a path with "
            f'a space, say), quote the whole command: --run "{whole}"',
            ctx,
        )
    raise click.UsageError(f"unexpected argument(s) '{stray}'", ctx)


@cli.command(context_settings={"allow_extra_args": True})
@_grade_options
@click.option("--watch", is_flag=True, help="Rebuild and grade again on every save, until Ctrl-C.")
@click.option("--watch-runs", type=click.IntRange(1), hidden=True, help="Stop watching after N gradings.")
@click.pass_context
def test(ctx: click.Context, /, watch: bool, watch_runs: int | None, **kwargs: Any) -> None:
    """Grade the current stage, then every earlier one (or what the options select)."""
    _no_stray_words(ctx, kwargs["run"])
    if watch:
        from crack.watch import watch_and_grade

        ctx.exit(watch_and_grade(lambda: _run_grading(**kwargs)[0], _console(), max_runs=watch_runs))
    code, _ = _run_grading(**kwargs)
    ctx.exit(code)


@cli.command()
@click.argument("challenge", default="redis")
@click.option("--lang", "language", default="python", show_default=True)
@click.option("--seed", type=click.IntRange(0, 2**63), help="Replay a run's randomness.")
@click.pass_context
def demo(ctx: click.Context, challenge: str, language: str, seed: int | None) -> None:
    """Grade the reference solution of CHALLENGE through every stage (default: redis)."""
    import tempfile

    from crack.authoring.solutions import fallback_note, materialize, reference_language
    from crack.challenge import load_challenge
    from crack.languages import load_language

    load_language(language)  # an unknown one is named, with the known ones
    loaded = load_challenge(challenge)
    shown = reference_language(loaded, language)
    if shown != language:
        _console().print(fallback_note(language, shown))
    with tempfile.TemporaryDirectory(prefix=f"crack-demo-{challenge}-") as tmp:
        program = materialize(loaded, shown, loaded.stages[-1].slug, Path(tmp) / "reference")
        _console().print(f"Demo: the {shown} reference solution of {loaded.name}, in {program}\n")
        code, _ = _run_grading(
            challenge_slug=challenge,
            build=load_language(shown).build,
            run=None,
            all_stages=True,
            until=None,
            only=None,
            seed=seed,
            fmt="text",
            output=None,
            cwd=program,
        )
    ctx.exit(code)


@cli.command("next")
@click.pass_context
def next_cmd(ctx: click.Context) -> None:
    """Re-test; on success unlock the next stage and show it."""
    from crack.views import show_debrief, show_task

    repo = _repo()
    code, _ = _run_grading(
        challenge_slug=None,
        run=None,
        all_stages=False,
        until=None,
        only=None,
        seed=None,
        fmt="text",
        output=None,
    )
    console = _console()
    if code != ExitCode.OK:
        console.print("\nThe current stage has not passed yet: fix it and run `crack next` again.")
        ctx.exit(code)
    repo = _repo()  # reload: grading recorded the passes
    passed_stage = repo.challenge.stage(repo.config.stage)
    console.print()
    show_debrief(console, repo.challenge, passed_stage, repo.config.language)
    nxt = repo.advance()
    if nxt is None:
        console.print(f"\nYou have passed every stage of {repo.challenge.name}. Well built!")
        repo.save()
        return
    repo.save()
    console.print()
    show_task(console, repo.challenge, repo.challenge.stage(nxt), repo.config.language)


# --- authoring -----------------------------------------------------------------------------
@cli.group()
def author() -> None:
    """Tools for challenge authors."""


@author.command("new")
@click.argument("slug")
@click.option(
    "--root",
    type=click.Path(path_type=Path, file_okay=False),
    help="The folder holding challenges/ and tests/ (default: this checkout).",
)
def author_new(slug: str, root: Path | None) -> None:
    """Scaffold challenge SLUG: YAML, stages, tester, starter, reference, scenarios, tests."""
    from crack.authoring.new import new_challenge
    from crack.paths import data_root

    target = root or data_root()
    if target.name == "_data":
        raise CrackUsageError("crack is installed from a wheel here: pass --root with your challenges folder")
    for path in new_challenge(slug, target):
        click.echo(path)
    click.echo(
        f"\nNext: crack author check {slug} --record-goldens   (then edit, and run it again)"
        + ("" if root is None else f"\nWith --root, set CRACK_CHALLENGE_PATH={target / 'challenges'}")
    )


@author.command("check")
@click.argument("challenge")
@click.option(
    "--jobs", type=click.IntRange(1, 64), default=2, show_default=True, help="Gradings run at once."
)
@click.option("--record-goldens", is_flag=True, help="Re-record the scenarios' golden outputs.")
@click.pass_context
def author_check(ctx: click.Context, /, challenge: str, jobs: int, record_goldens: bool) -> None:
    """Prove CHALLENGE sound: reference, oracle, scenarios, discrimination, goldens."""
    from rich.table import Table
    from rich.text import Text

    from crack.authoring.check import Verdict, check_challenge

    rows = check_challenge(challenge, jobs=jobs, record_goldens=record_goldens)
    table = Table(title=f"crack author check {challenge}", title_justify="left")
    for column in ("Check", "Result", "Detail"):
        table.add_column(column)
    style = {Verdict.OK: "green", Verdict.FAIL: "bold red", Verdict.MISSING: "yellow"}
    for row in rows:
        table.add_row(row.check, Text(row.verdict.value, style=style[row.verdict]), row.detail)
    console = _console()
    console.print(table)
    failed = sum(row.verdict is Verdict.FAIL for row in rows)
    console.print(
        f"{len(rows) - failed} of {len(rows)} checks passed" + (f", {failed} failed" if failed else "")
    )
    ctx.exit(1 if failed else 0)


REFERENCE_LANGUAGE_HELP = "Language of the reference [default: the challenge's reference_language]."


@author.command("unpack-solution")
@click.argument("challenge")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--lang", "language", default=None, help=REFERENCE_LANGUAGE_HELP)
def unpack_solution(challenge: str, directory: Path, language: str | None) -> None:
    """Write the reference solution as one complete folder per stage (NN-slug), to edit."""
    from crack.authoring.solutions import unpack
    from crack.challenge import load_challenge

    loaded = load_challenge(challenge)
    for folder in unpack(loaded, language or loaded.reference_language, directory):
        click.echo(folder)


@author.command("pack-solution")
@click.argument("challenge")
@click.argument("directory", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--lang", "language", default=None, help=REFERENCE_LANGUAGE_HELP)
def pack_solution(challenge: str, directory: Path, language: str | None) -> None:
    """Turn per-stage folders (as unpack-solution writes them) back into per-stage diffs."""
    from crack.authoring.solutions import pack
    from crack.challenge import load_challenge

    loaded = load_challenge(challenge)
    for path in pack(loaded, language or loaded.reference_language, directory):
        click.echo(path)


# --- grading at scale: crack grade, crack report, crack gradescope (crack.batch.commands) ---
def _add_scale_commands() -> None:
    from crack.batch.commands import COMMANDS

    for command in COMMANDS:
        cli.add_command(command)


_add_scale_commands()


def _add_interview_command() -> None:
    from crack.interview.commands import COMMANDS

    for command in COMMANDS:
        cli.add_command(command)


_add_interview_command()


def main() -> None:
    """The console script. Ends with ``os._exit`` once output is flushed: the run's files
    are already written (atomically, fsynced), and tearing down the interpreter's modules
    one by one would only add tens of milliseconds to every command."""
    import os

    from crack import interrupts

    interrupts.install()
    try:
        try:
            interrupts.arm()
            cli.main(prog_name="crack", standalone_mode=True)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if isinstance(exc.code, str):
                print(exc.code, file=sys.stderr)
        interrupts.disarm()
    except KeyboardInterrupt:  # a Ctrl-C outside a command's own handling
        interrupts.disarm()
        code = int(ExitCode.INTERRUPTED)
    if interrupts.received():
        code = int(ExitCode.INTERRUPTED)
        interrupts.end_leftovers()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # the reader left (e.g. `| head`), or closed
            pass
    os._exit(code)
