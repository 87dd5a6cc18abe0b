"""The problem as an interviewer states it, from the challenge's YAML and stage pages.

The component and its purpose come from the summary; the API from each stage page's
"What to do" section (the requirements, without crack's test details or the notes, which
give answers away), of a complexity stage only its first paragraph (the bound, not the
data structure that meets it); the constraints from the stages whose rubric is complexity
or edge cases, named but not explained, as an interviewer would.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from rich.markdown import Markdown
from rich.panel import Panel
from rich.text import Text

from crack.challenge.model import Challenge, Rubric, Stage

if TYPE_CHECKING:
    from rich.console import Console

_SECTION = re.compile(r"^##\s+What to do\s*$(.*?)(?=^##?\s|\Z)", re.MULTILINE | re.DOTALL)


def requirements(challenge: Challenge, stage: Stage, language: str | None = None) -> str:
    """The "What to do" section of a stage page; the page's first paragraph without one."""
    text = challenge.instructions(stage, language)
    found = _SECTION.search(text)
    if found and found.group(1).strip():
        return found.group(1).strip()
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip() and not p.startswith("#")]
    return paragraphs[0] if paragraphs else stage.name


def _ask(challenge: Challenge) -> str:
    """The opening line: "Build your own cache" becomes "I'd like you to build your own cache"."""
    name = challenge.name.rstrip(".")
    if name.lower().startswith("build"):
        return f"Today I'd like you to {name[0].lower()}{name[1:]}."
    return f"Today I'd like you to build this: {name}."


def _first_paragraph(text: str) -> str:
    return re.split(r"\n\s*\n|\n(?=\s*[-*•]|\s*\d+\.)", text.strip(), maxsplit=1)[0]


def show_statement(
    console: Console, challenge: Challenge, minutes: int, deadline: datetime, language: str = "python"
) -> None:
    intro = Text()
    intro.append(_ask(challenge) + "\n\n", style="bold")
    intro.append(challenge.summary.strip() + "\n\n")
    intro.append(
        f"You have {minutes} minutes. Work in order: get each piece working before the next. "
        "Run `crack test` as often as you like (`crack test --all` tries everything), and "
        "`crack next` when a piece works. Think out loud; I care how you get there."
    )
    console.print(Panel(intro, title=f"Interview: {challenge.name}", title_align="left"), soft_wrap=False)
    console.print(Text("Here is what it must do, piece by piece:", style="bold"))
    for number, stage in enumerate(challenge.stages, start=1):
        console.print()
        console.print(Text(f"{number}. {stage.name}", style="bold cyan"))
        wanted = requirements(challenge, stage, language)
        if stage.rubric is Rubric.COMPLEXITY:  # the bound, not the structure that meets it
            wanted = _first_paragraph(wanted)
        console.print(Markdown(wanted), soft_wrap=False)
    complexity = [s for s in challenge.stages if s.rubric is Rubric.COMPLEXITY]
    edge_cases = [s for s in challenge.stages if s.rubric is Rubric.EDGE_CASES]
    console.print()
    console.print(Text("Constraints", style="bold"))
    if complexity:
        names = ", ".join(s.name for s in complexity)
        console.print(
            f"  - I will measure how the cost of each operation, in time or memory, grows with the data "
            f"({names}): state the complexity you are aiming for before you write it."
        )
    if edge_cases:
        names = ", ".join(s.name for s in edge_cases)
        console.print(f"  - I will probe the edge cases ({names}): decide what your API does with them.")
    console.print("  - Your language's standard library is fine; a library that does the whole job is not.")
    console.print()
    console.print(Text("What done means", style="bold"))
    until = deadline.astimezone(UTC).strftime("%H:%M")
    console.print(
        f"  Every piece passes `crack test --all` before {until} UTC, and you can "
        "explain your design: the score card at the end (`crack interview --finish`, or when time "
        "is up) rates correctness, time complexity and edge cases, and lists the questions I would ask."
    )
