"""The C reference solutions as a learner meets them.

tests/test_reference_languages.py checks every non-Python reference (diffs apply in order,
the program as of stage N-1 fails stage N) and tests/test_challenges.py grades each final
one. This file adds what is particular to C: every stage's program compiles with the
learner's own build.sh without a single warning (-Wall -Wextra also catch the unused
function a stage left behind, which is dead code for a learner to puzzle over), and a C
learner who passes a stage is shown the C diff.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from crack.authoring.solutions import materialize, solution_dir, unpack
from crack.challenge import Challenge, list_challenges, load_challenge
from crack.languages import load_language, probe

C_REFERENCES = [c for c in list_challenges() if (solution_dir(c, "c") / "stages").is_dir()]


def _need_gcc() -> None:
    toolchain = probe(load_language("c"))
    if toolchain.found:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{toolchain.missing} missing in CI: scripts/install-system-deps.sh installs it")
    pytest.skip(f"C needs {toolchain.missing}")


def test_redis_http_server_and_grep_have_a_c_reference() -> None:
    assert {"redis", "http-server", "grep"} <= {c.slug for c in C_REFERENCES}


@pytest.mark.slow
@pytest.mark.parametrize("challenge", C_REFERENCES, ids=lambda c: c.slug)
def test_every_stage_compiles_without_a_warning(challenge: Challenge, tmp_path: Path) -> None:
    _need_gcc()
    for folder in unpack(challenge, "c", tmp_path)[1:]:
        build = subprocess.run(["./build.sh"], cwd=folder, capture_output=True, text=True)
        assert build.returncode == 0, f"{folder.name}: {build.stderr}"
        assert "warning" not in build.stderr, f"{folder.name} compiles with warnings:\n{build.stderr}"


@pytest.mark.slow
def test_a_c_learner_is_shown_the_c_reference(crack: Callable[..., Any], tmp_path: Path) -> None:
    _need_gcc()
    http = load_challenge("http-server")
    started = crack(["start", "http-server", "myhttp", "--lang", "c"], cwd=tmp_path)
    assert started.exit_code == 0, started.output
    repo = tmp_path / "myhttp"
    reference = materialize(http, "c", "bind", tmp_path / "reference")
    shutil.copytree(reference / "app", repo / "app", dirs_exist_ok=True)
    passed = crack(["next"], cwd=repo)
    assert passed.exit_code == 0, passed.output

    shown = crack(["solution"], cwd=repo)
    assert shown.exit_code == 0, shown.output
    assert "Reference solution, stage 1 (bind)" in shown.output
    assert "app/main.c" in shown.output and "listen_on(port)" in shown.output
    assert "main.py" not in shown.output
