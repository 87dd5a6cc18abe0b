"""Gradescope's autograder ``results.json``.

The fields follow Gradescope's documented output format: a top-level ``score``, ``output``
and ``visibility``, and one entry per stage in ``tests`` with ``name``, ``number``,
``score``, ``max_score``, ``status`` (``passed``/``failed``), ``output`` and ``visibility``.
Gradescope knows only passed and failed, so a stage that timed out, errored or was not run
is ``failed`` and its output says which.
"""

from __future__ import annotations

import json
from typing import Any

from crack.reporters.documents import STATUS_WORD, Document, excerpt, stage_title, summary_line

VISIBILITY = "visible"
"""Learners see their results at once: the stages are a build-it-yourself path, not an exam."""


def gradescope_results(document: Document) -> dict[str, Any]:
    tests = []
    for stage in document["stages"]:
        status = stage["status"]
        parts = [f"Result: {STATUS_WORD[status]} in {stage['duration_s']:.2f} s"]
        if stage["message"]:
            parts.append(stage["message"])
        if status not in ("passed", "skipped") and stage["log"]:
            parts.append("Session log (the end):\n" + excerpt(stage["log"]))
        tests.append(
            {
                "name": stage_title(stage),
                "number": str(stage["number"]),
                "score": stage["score"],
                "max_score": stage["max_score"],
                "status": "passed" if status == "passed" else "failed",
                "output": "\n\n".join(parts),
                "visibility": VISIBILITY,
            }
        )
    return {
        "score": document["score"],
        "execution_time": round(sum(stage["duration_s"] for stage in document["stages"]), 3),
        "output": (
            f"crack graded {document['challenge']}: {summary_line(document)}. "
            f"Replay locally with: crack test --seed {document['seed']}"
        ),
        "test_output_format": "text",
        "visibility": VISIBILITY,
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def render_gradescope(document: Document) -> str:
    return json.dumps(gradescope_results(document), indent=2, ensure_ascii=False) + "\n"
