"""``crack --version`` and ``crack --help`` answered without click: the same text as click's,
and none of its import cost."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from crack.quick import stored_help

FULL = "import sys; sys.argv = ['crack', *sys.argv[1:]]; from crack.cli import main; main()"


def _run(code: list[str], args: list[str], columns: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": columns}
    return subprocess.run([sys.executable, *code, *args], env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("columns", ["80", "200", "60"])
@pytest.mark.parametrize("args", [["--version"], ["--help"], ["-h"], ["--help", "--version"]])
def test_answers_match_what_click_prints(args: list[str], columns: str) -> None:
    quick = _run(["-m", "crack"], args, columns)
    full = _run(["-c", FULL], args, columns)
    assert (quick.returncode, quick.stdout, quick.stderr) == (full.returncode, full.stdout, full.stderr)
    assert quick.returncode == 0 and quick.stdout


@pytest.mark.parametrize("args", [["--version"], ["--help"]])
def test_answers_import_no_click(args: list[str]) -> None:
    result = _run(["-X", "importtime", "-m", "crack"], args, "100")
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()}
    assert result.returncode == 0
    assert "crack.quick" in imported
    assert not {name for name in imported if name.split(".")[0] in ("click", "rich", "pydantic", "yaml")}
    assert "crack.cli" not in imported


def test_stored_help_is_current() -> None:
    """A command added or reworded since: the help is still right (click renders it), only
    slow again until the stored text is rendered anew."""
    assert stored_help() is not None, "run: python scripts/render_help.py"
