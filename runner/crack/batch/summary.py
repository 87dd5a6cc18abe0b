"""The batch report for people: a submission × stage table (terminal) and CSV (spreadsheets)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

MARK = {
    "passed": ("✓", "green"),
    "failed": ("✗", "red"),
    "timed_out": ("⏱", "red"),
    "error": ("!", "bold red"),
    "skipped": ("·", "dim"),
}


def passed_count(entry: Mapping[str, Any]) -> int:
    return sum(stage["status"] == "passed" for stage in entry["stages"])


def verdict(entry: Mapping[str, Any]) -> str:
    """One phrase per submission: broken, all passed, or where it stopped."""
    if entry.get("error"):
        return f"not graded: {entry['error']}"
    first_bad = next((s for s in entry["stages"] if s["status"] != "passed"), None)
    if first_bad is None:
        return "all passed"
    word = first_bad["status"].replace("_", " ")
    return f"{word} at {first_bad['number']} ({first_bad['slug']})"


def summary_table(batch: Mapping[str, Any]) -> Table:
    stages: list[str] = list(batch["stages"])
    table = Table(title=f"crack grade {batch['challenge']}", title_justify="left")
    table.add_column("Submission")
    table.add_column("Score", justify="right")
    for number in range(1, len(stages) + 1):
        table.add_column(str(number), justify="center")
    table.add_column("Result")
    for entry in batch["submissions"]:
        by_slug = {stage["slug"]: stage["status"] for stage in entry["stages"]}
        marks = []
        for slug in stages:
            mark, style = MARK[by_slug.get(slug, "skipped")]
            marks.append(Text(mark, style=style))
        broken = bool(entry.get("error"))
        table.add_row(
            Text(entry["name"]),  # Text, not str: a name is data, never rich markup
            f"{entry['score']}/{entry['max_score']}",
            *marks,
            Text(
                verdict(entry),
                style="bold red" if broken else ("green" if verdict(entry) == "all passed" else ""),
            ),
        )
    return table


def print_summary(console: Console, batch: Mapping[str, Any]) -> None:
    console.print(summary_table(batch))
    stages = batch["stages"]
    console.print(
        "Stages: " + " · ".join(f"{i} {slug}" for i, slug in enumerate(stages, start=1)), style="dim"
    )
    entries = batch["submissions"]
    broken = sum(bool(entry.get("error")) for entry in entries)
    complete = sum(passed_count(entry) == len(stages) and not entry.get("error") for entry in entries)
    console.print(
        f"{len(entries)} submission{'s' if len(entries) != 1 else ''} in {batch['duration_s']:.1f} s "
        f"({batch['executor']}, seed {batch['seed']}): {complete} passed every stage"
        + (f", {broken} could not be graded" if broken else ""),
        markup=False,
    )


def render_text(batch: Mapping[str, Any]) -> str:
    buffer = io.StringIO()
    print_summary(Console(file=buffer, width=200, no_color=True, color_system=None, soft_wrap=True), batch)
    return buffer.getvalue()


def render_csv(batch: Mapping[str, Any]) -> str:
    """One row per submission: name, source, score, then each stage's status by slug."""
    stages: list[str] = list(batch["stages"])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["name", "source", "score", "max_score", "passed", "error", *stages])
    for entry in batch["submissions"]:
        by_slug = {stage["slug"]: stage["status"] for stage in entry["stages"]}
        writer.writerow(
            [
                entry["name"],
                entry["source"],
                entry["score"],
                entry["max_score"],
                passed_count(entry),
                entry.get("error") or "",
                *(by_slug.get(slug, "skipped") for slug in stages),
            ]
        )
    return buffer.getvalue()
