"""Golden snapshots of what the tester tells a learner, normalised for ports and paths.

Set CRACK_RECORD_GOLDEN=1 to (re-)record them instead of comparing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

_RULES = [
    (re.compile(r"(port[ =]|--port |port=|:)\d{4,5}\b"), r"\1<PORT>"),
    (re.compile(r"/tmp/[^\s'\")]+"), "<TMP>"),
    (re.compile(r"\b\d+\.\d\d s\b"), "<N> s"),
]


def normalise(text: str) -> str:
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


def render_failure(report: dict[str, Any]) -> str:
    """The tester's lines of the first stage that did not pass, and its verdict."""
    stage = next(s for s in report["stages"] if s["status"] not in ("passed", "skipped"))
    lines = [line for line in stage["log"].splitlines() if not line.startswith("[your_program]")]
    return normalise("\n".join([*lines, f"=> {stage['status']}: {stage['message']}"])) + "\n"


def check_golden(path: Path, actual: str) -> None:
    if os.environ.get("CRACK_RECORD_GOLDEN") == "1" or not path.exists():
        if os.environ.get("CI") and not path.exists():
            raise AssertionError(f"golden file {path} is missing: record it with CRACK_RECORD_GOLDEN=1")
        path.write_text(actual)
        return
    expected = path.read_text()
    assert actual == expected, f"output differs from {path} (CRACK_RECORD_GOLDEN=1 re-records):\n{actual}"
