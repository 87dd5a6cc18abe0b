"""A Markdown summary: a table of stages and each failure's message.

Made for ``$GITHUB_STEP_SUMMARY`` (GitHub renders it on the run's page) and pull-request
comments; plain enough to read as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crack.reporters.documents import STATUS_WORD, Document, summary_line

MARK = {"passed": "✅", "failed": "❌", "timed_out": "⏱️", "error": "⚠️", "skipped": "⏭️"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _fenced(text: str) -> str:
    """A code block whose fence is longer than any backtick run inside the text."""
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{fence}text\n{text}\n{fence}"


def _stage_rows(stages: list[Mapping[str, Any]]) -> list[str]:
    rows = ["| # | Stage | Result | Time |", "|---:|---|---|---:|"]
    for stage in stages:
        time = "" if stage["status"] == "skipped" else f"{stage['duration_s']:.2f} s"
        rows.append(
            f"| {stage['number']} | {_cell(stage['name'])} (`{stage['slug']}`) "
            f"| {MARK[stage['status']]} {STATUS_WORD[stage['status']]} | {time} |"
        )
    return rows


def render_markdown(document: Document) -> str:
    stages = list(document["stages"])
    lines = [f"### crack · {document['challenge']}: {summary_line(document)}", "", *_stage_rows(stages), ""]
    for stage in stages:
        if stage["status"] in ("passed", "skipped") or not stage["message"]:
            continue
        lines += [
            f"<details><summary>Stage {stage['number']} ({stage['slug']}) "
            f"{STATUS_WORD[stage['status']]}</summary>",
            "",
            _fenced(stage["message"]),
            "",
            "</details>",
            "",
        ]
    lines.append(
        f"Seed {document['seed']} · isolation {document['isolation']} · program `{document['program']}`"
    )
    return "\n".join(lines) + "\n"
