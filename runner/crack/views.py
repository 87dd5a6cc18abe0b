"""What the learner reads about a stage: its instructions, its debrief, the stage map."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markdown import Markdown
from rich.table import Table
from rich.text import Text

from crack.challenge.model import Challenge, Stage

if TYPE_CHECKING:
    from rich.console import Console

    from crack.learner import LearnerRepo


def stage_heading(challenge: Challenge, stage: Stage) -> Text:
    number = challenge.stage_number(stage.slug)
    text = Text()
    text.append(f"Stage {number}/{len(challenge.stages)}: {stage.name}", style="bold")
    text.append(f"  ({stage.slug} · {stage.difficulty.value})", style="dim")
    return text


def show_task(console: Console, challenge: Challenge, stage: Stage, language: str) -> None:
    """The stage's page, in the learner's language. Wrapped to the console's width, whatever
    the console's default: crack's consoles soft-wrap (a long log line stays one line), and
    rich renders a soft-wrapped Markdown list or paragraph cropped at the width, losing the
    end of every long item."""
    console.print(stage_heading(challenge, stage))
    console.print()
    console.print(Markdown(challenge.instructions(stage, language)), soft_wrap=False)


def show_debrief(console: Console, challenge: Challenge, stage: Stage, language: str) -> None:
    """After a pass: what the stage taught, and what an interviewer asks about it."""
    console.print(Text(f"Debrief: {stage.name}", style="bold green"))
    concepts = stage.concepts.for_language(language)
    for label, value in (
        ("Pattern", concepts.pattern),
        ("Data structure", concepts.data_structure),
        ("Algorithm", concepts.algorithm),
    ):
        line = Text(f"  {label}: ", style="bold")
        line.append(str(value))
        console.print(line)
    console.print(Text("  Interview questions to rehearse aloud:", style="bold"))
    for question in stage.interview_for(language):
        console.print(Text(f"   - {question}"))


def show_status(console: Console, repo: LearnerRepo) -> None:
    challenge = repo.challenge
    table = Table(title=f"{challenge.name} — stage map", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("Stage")
    table.add_column("Difficulty")
    table.add_column("Status")
    for number, stage in enumerate(challenge.stages, start=1):
        if stage.slug == repo.config.stage:
            status = Text(
                "▶ current" + (" (passed)" if repo.has_passed(stage.slug) else ""), style="bold yellow"
            )
        elif repo.has_passed(stage.slug):
            status = Text("✓ passed", style="green")
        elif repo.is_unlocked(stage.slug):
            status = Text("unlocked", style="cyan")
        else:
            status = Text("locked", style="dim")
        table.add_row(str(number), f"{stage.name} ({stage.slug})", stage.difficulty.value, status)
    console.print(table)
    done = sum(repo.has_passed(s.slug) for s in challenge.stages)
    console.print(Text(f"{done} of {len(challenge.stages)} stages passed."))


def show_hints(console: Console, stage: Stage, revealed: int, language: str) -> None:
    hints = stage.hints_for(language)
    for index, hint in enumerate(hints[:revealed], start=1):
        line = Text(f"Hint {index}/{len(hints)}: ", style="bold yellow")
        line.append(hint)
        console.print(line)
