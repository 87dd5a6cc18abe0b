"""Exercism's test-runner interface, version 2 (``results.json``).

Top-level ``status`` is ``pass`` (every stage passed), ``error`` (no stage could be run
properly: every stage errored) or ``fail``. Each stage is a test with ``name``, ``status``
(``pass``/``fail``/``error``), ``message`` (the learner-facing failure) and ``output``:
what the learner's program itself printed, cut at 500 characters with Exercism's notice.
"""

from __future__ import annotations

import json
from typing import Any

from crack.reporters.documents import Document, program_output, stage_title

VERSION = 2
OUTPUT_LIMIT = 500
TRUNCATION_NOTICE = "Output was truncated. Please limit to 500 chars"


def cap_output(text: str) -> str:
    """At most 500 characters of output, then the notice Exercism's interface asks for."""
    if len(text) <= OUTPUT_LIMIT:
        return text
    return text[:OUTPUT_LIMIT] + "\n" + TRUNCATION_NOTICE


def _status(stage_status: str) -> str:
    return {"passed": "pass", "error": "error"}.get(stage_status, "fail")


def exercism_results(document: Document) -> dict[str, Any]:
    tests: list[dict[str, Any]] = []
    for stage in document["stages"]:
        test: dict[str, Any] = {
            "name": stage_title(stage),
            "status": _status(stage["status"]),
            "message": stage["message"] or None,
            "test_code": f"crack test --stage {stage['slug']}",
        }
        output = program_output(stage["log"])
        if output:
            test["output"] = cap_output(output)
        tests.append(test)
    statuses = {test["status"] for test in tests}
    results: dict[str, Any] = {"version": VERSION, "status": "fail", "message": None, "tests": tests}
    if tests and statuses == {"pass"}:
        results["status"] = "pass"
    elif tests and statuses == {"error"}:
        results["status"] = "error"
        results["message"] = tests[0]["message"] or "crack could not run any stage"
    return results


def render_exercism(document: Document) -> str:
    return json.dumps(exercism_results(document), indent=2, ensure_ascii=False) + "\n"
