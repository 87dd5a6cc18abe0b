"""What one contained start of the program gets, seen from inside the program."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from crack.containment.sandbox import default_user, standard
from crack.harness.oneshot import run_capped

PROBE = """\
import importlib.util, os, socket, sys
import helper
cached = importlib.util.cache_from_source(socket.__file__)
beside = os.path.join(os.path.dirname(socket.__file__), "__pycache__")
print("prefix", sys.pycache_prefix)
print("stdlib compiled", os.path.dirname(cached) == beside and os.path.exists(cached))
"""


@pytest.mark.skipif(default_user() is None, reason="the program runs as crack's own user (crack is not root)")
def test_program_of_another_user_reads_compiled_stdlib_and_writes_no_bytecode(tmp_path: Path) -> None:
    """As the unprivileged user the program can write no bytecode beside its sources; it must
    still find the interpreter's compiled standard library, or every grading starts by
    compiling it (a cache directory of the run's would hide it), and it writes nothing into
    its working copy even where it could."""
    work = tmp_path / "work"
    work.mkdir()
    (work / "probe.py").write_text(PROBE)
    (work / "helper.py").write_text("VALUE = 1\n")
    work.chmod(0o777)  # writable by anyone: only the environment keeps bytecode out
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    scratch.chmod(0o777)
    containment = standard()
    env = containment.environment(os.environ, scratch)
    result = run_capped(
        [sys.executable, "probe.py"], cwd=str(work), env=env, stdin=b"", timeout=30, containment=containment
    )
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode().splitlines() == ["prefix None", "stdlib compiled True"]
    assert not (work / "__pycache__").exists()
