"""The short form of a Python program's crash that one-shot testers put in a failure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from crack.harness.hints import traceback_summary


def _crash(folder: Path) -> bytes:
    (folder / "app").mkdir()
    (folder / "app" / "main.py").write_text(
        "import json\n\n\ndef parse(text):\n    return json.loads(text)\n\n\nparse('{')\n"
    )
    result = subprocess.run([sys.executable, "app/main.py"], cwd=folder, capture_output=True, check=False)
    assert result.returncode == 1
    return result.stderr


def test_names_the_exception_and_the_programs_last_line(tmp_path: Path) -> None:
    summary = traceback_summary(_crash(tmp_path), tmp_path)
    assert summary is not None
    first, second = summary.splitlines()
    assert first.startswith("  json.decoder.JSONDecodeError: Expecting property name")
    # The last frame in the program's own files, not json's.
    assert first.endswith("(raised at app/main.py, line 5, in parse)")
    assert second == "  The whole traceback is in your program's output above."


def test_frames_outside_the_program_name_no_place(tmp_path: Path) -> None:
    elsewhere = tmp_path / "other"
    elsewhere.mkdir()
    summary = traceback_summary(_crash(tmp_path), elsewhere)
    assert summary is not None and "raised at" not in summary


def test_no_traceback_no_summary(tmp_path: Path) -> None:
    assert traceback_summary(b"panic: runtime error: index out of range\n", tmp_path) is None
