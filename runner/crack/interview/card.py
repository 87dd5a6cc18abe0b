"""The score card at the end of an interview, computed from the gradings it recorded.

A stage counts as passed when the last grading during the interview that ran it passed it:
a stage that passed early and broke later is not working at the end, and an interviewer
judges the code as it stands when time is called. Gradings that finished after the
deadline do not count. Each stage gives evidence for one rubric dimension (its
``rubric`` in challenge.yaml); a dimension is scored by the points of its stages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from crack.challenge.model import Challenge, Rubric, Stage
from crack.interview.clock import clock_text
from crack.interview.session import Attempt, Ending

if TYPE_CHECKING:
    from rich.console import Console

DIMENSION_NAMES = {
    Rubric.CORRECTNESS: "Correctness",
    Rubric.COMPLEXITY: "Time complexity",
    Rubric.EDGE_CASES: "Edge cases",
}

SELF_REVIEW = [
    ("Naming", "would a reader know what each function, class and variable holds without asking?"),
    ("Interface", "is the API small, consistent, and hard to misuse (argument order, return values)?"),
    ("Error handling", "does bad input get a clear error instead of a crash or a silent wrong answer?"),
    ("Tests", "did you test your own edge cases, not only what crack checked?"),
    ("Complexity stated", "can you state the time and space of each operation, and why?"),
    ("Organisation", "is the protocol/parsing kept apart from the data structure and its logic?"),
]


@dataclass(frozen=True)
class Dimension:
    rubric: Rubric
    stages: list[Stage]
    passed: list[Stage]

    @property
    def points(self) -> tuple[int, int]:
        return sum(s.worth for s in self.passed), sum(s.worth for s in self.stages)

    @property
    def level(self) -> str:
        if not self.stages:
            return "not assessed by this challenge"
        if len(self.passed) == len(self.stages):
            return "shown"
        return "partly shown" if self.passed else "not shown"


@dataclass(frozen=True)
class Card:
    challenge: Challenge
    attempt: Attempt
    dimensions: list[Dimension]
    verdicts: dict[str, str]
    """Stage slug → its last verdict during the interview (stages never graded: absent)."""
    late_runs: int
    questions: list[tuple[Stage, list[str]]] = field(default_factory=list)

    @property
    def passed(self) -> list[Stage]:
        return [s for s in self.challenge.stages if self.verdicts.get(s.slug) == "passed"]

    @property
    def points(self) -> tuple[int, int]:
        return sum(s.worth for s in self.passed), sum(s.worth for s in self.challenge.stages)


def score(challenge: Challenge, attempt: Attempt, language: str = "python") -> Card:
    verdicts: dict[str, str] = {}
    for run in sorted(attempt.counted_runs(), key=lambda r: r.at):
        verdicts.update(run.stages)
    dimensions = []
    for rubric in Rubric:
        stages = [s for s in challenge.stages if s.rubric is rubric]
        passed = [s for s in stages if verdicts.get(s.slug) == "passed"]
        dimensions.append(Dimension(rubric, stages, passed))
    return Card(
        challenge,
        attempt,
        dimensions,
        verdicts,
        late_runs=len(attempt.runs) - len(attempt.counted_runs()),
        questions=_questions(challenge, verdicts, language),
    )


def _questions(
    challenge: Challenge, verdicts: dict[str, str], language: str
) -> list[tuple[Stage, list[str]]]:
    """The debrief: every stage passed (explain what you built) and the first one not
    passed (explain how you would have done it), in stage order."""
    picked: list[tuple[Stage, list[str]]] = []
    for stage in challenge.stages:
        picked.append((stage, stage.interview_for(language)))
        if verdicts.get(stage.slug) != "passed":
            break
    return picked


def used_of_allowed(attempt: Attempt) -> str:
    return f"{clock_text(attempt.used())} of {clock_text(attempt.minutes * 60)}"


def time_line(attempt: Attempt) -> str:
    if attempt.ending is Ending.TIME_UP:
        return used_of_allowed(attempt) + " (time was up)"
    early = attempt.minutes * 60 - attempt.used()
    return used_of_allowed(attempt) + f" (finished {clock_text(early)} early)"


def render_card(console: Console, card: Card) -> None:
    attempt = card.attempt
    console.print(Text(f"Interview score card: {card.challenge.name}", style="bold"))
    console.print(Text("  Time used: ", style="bold") + Text(time_line(attempt)))
    runs = len(attempt.runs)
    runs_line = f"  Test runs: {runs}"
    if card.late_runs:
        runs_line += f" ({card.late_runs} finished after time was up and are not counted)"
    console.print(Text(runs_line))
    table = Table(title_justify="left", show_edge=False)
    for column in ("Rubric", "Stages passed", "Points", "Evidence"):
        table.add_column(column)
    style = {"shown": "green", "partly shown": "yellow", "not shown": "red"}
    for dimension in card.dimensions:
        got, total = dimension.points
        if dimension.stages:
            missing = [s.slug for s in dimension.stages if s not in dimension.passed]
            names = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
            stages = f"{len(dimension.passed)} of {len(dimension.stages)}"
            points = f"{got}/{total}"
        else:
            names, stages, points = "", "-", "-"
        evidence = Text(dimension.level, style=style.get(dimension.level, "dim"))
        if names:
            evidence.append(f"  (not passed: {names})", style="dim")
        table.add_row(DIMENSION_NAMES[dimension.rubric], stages, points, evidence)
    got, total = card.points
    table.add_row(
        Text("Overall", style="bold"),
        f"{len(card.passed)} of {len(card.challenge.stages)}",
        f"{got}/{total}",
        "",
    )
    console.print(table)
    console.print()
    console.print(Text("Debrief: questions to answer aloud, as you would to the interviewer", style="bold"))
    for stage, questions in card.questions:
        passed = card.verdicts.get(stage.slug) == "passed"
        mark = "passed" if passed else "not passed: say how you would do it"
        console.print(Text(f"  {stage.name} ({mark})", style="bold" if passed else "bold yellow"))
        for question in questions:
            console.print(Text(f"   - {question}"))
    console.print()
    console.print(Text("Self-review: tick what holds for your code", style="bold"))
    for name, question in SELF_REVIEW:
        item = Text("  [ ] ")
        item.append(name, style="bold")
        item.append(f": {question}")
        console.print(item)


def history_table(challenge: Challenge, attempts: list[Attempt], active: Attempt | None) -> Table:
    table = Table(title=f"Interviews: {challenge.name}", title_justify="left")
    for column in (
        "#",
        "Started (UTC)",
        "Time used",
        "Ended",
        "Tests",
        "Correctness",
        "Complexity",
        "Edge cases",
    ):
        table.add_column(column)
    rows = [(attempt, False) for attempt in attempts] + ([(active, True)] if active else [])
    for number, (attempt, running) in enumerate(rows, start=1):
        card = score(challenge, attempt)
        cells = []
        for dimension in card.dimensions:
            cells.append(f"{len(dimension.passed)}/{len(dimension.stages)}" if dimension.stages else "-")
        used = "running" if running else used_of_allowed(attempt)
        ended = "running" if running else (attempt.ending.value if attempt.ending else "?")
        table.add_row(
            str(number),
            attempt.started_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
            used,
            ended,
            str(len(attempt.runs)),
            *cells,
        )
    return table
