"""Tests of the malloc challenge beyond those every challenge gets (tests/test_challenges.py).

The oracle row of ``crack author check`` proves jemalloc; the scenarios prove glibc and
mimalloc. These tests hold what is specific: the starter as a learner gets it, the partial
interposition message, the driver's own measurements, and the stage slugs.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from conftest import run_cli
from crack.authoring.scenarios import grade_silently
from crack.authoring.solutions import materialize
from crack.challenge import load_challenge
from crack.harness.compiled import compile_build
from crack.report import StageStatus
from crack.tester import load_tester

CHALLENGE = load_challenge("malloc")
TESTER_DIR = CHALLENGE.directory / "tester"
SOLUTIONS = Path(__file__).parent / "programs" / "languages" / "malloc"
JEMALLOC = Path("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2")

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")


def _driver(tmp_path: Path) -> Path:
    load_tester(CHALLENGE)
    import sys

    driving = sys.modules["crack_challenges.malloc.tester.driving"]
    return compile_build(driving.DRIVER, cache=tmp_path / "cache")


def _cli(args: list[str], cwd: Path) -> Result:
    return run_cli(args, cwd=cwd)


def test_stage_slugs() -> None:
    assert CHALLENGE.stage_slugs == [
        "malloc-free",
        "realloc",
        "edge-sizes",
        "reuse",
        "calloc",
        "splitting",
        "coalescing",
        "free-list",
        "segregated-fits",
        "large-blocks",
        "aligned",
        "threads-and-programs",
    ]


@pytest.mark.parametrize("language", ["c", "cpp", "rust"])
def test_started_repository_builds_cleanly_and_fails_stage_one_plainly(tmp_path: Path, language: str) -> None:
    assert language in CHALLENGE.languages
    repo = tmp_path / "mine"
    started = _cli(["start", "malloc", str(repo), "--lang", language], tmp_path)
    assert started.exit_code == 0, started.output
    out = tmp_path / "report.json"
    result = _cli(["test", "--output", str(out), "--format", "json"], repo)
    assert result.exit_code == 1, result.output
    assert "warning" not in result.output.lower()
    report: dict[str, Any] = json.loads(out.read_text())
    first = report["stages"][0]
    assert first["status"] == "failed"
    assert "it defines none of them" in first["message"], first["message"]
    built = "target/release" if language == "rust" else "build"
    assert (repo / built / "libmymalloc.so").is_file()


@pytest.mark.parametrize(("language", "toolchain"), [("cpp", "g++"), ("rust", "cargo")])
def test_a_stage_one_in_another_language_passes(tmp_path: Path, language: str, toolchain: str) -> None:
    """The C++ and Rust starters' libraries work once filled in: extern "C" (and Rust's
    #[no_mangle]) keep the C library's names."""
    if shutil.which(toolchain) is None:
        pytest.skip(f"needs {toolchain}")
    repo = tmp_path / "mine"
    assert _cli(["start", "malloc", str(repo), "--lang", language], tmp_path).exit_code == 0
    shutil.copytree(SOLUTIONS / language, repo, dirs_exist_ok=True)
    out = tmp_path / "report.json"
    result = _cli(["test", "--stage", "malloc-free", "--output", str(out), "--format", "json"], repo)
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["stages"][0]["status"] == "passed"


def test_partial_interposition_names_the_functions_left_to_libc(tmp_path: Path) -> None:
    program = materialize(CHALLENGE, "c", "malloc-free", tmp_path / "program")
    main_c = program / "app" / "main.c"
    text = main_c.read_text()
    main_c.write_text(text[: text.index("void *calloc")])
    report = grade_silently(CHALLENGE, program, build="./build.sh", only="malloc-free", language="c")
    [stage] = report.stages
    assert stage.status is StageStatus.FAILED
    assert "calloc, realloc still come from the C library" in stage.message


def test_driver_measures_a_heap_by_resident_memory(tmp_path: Path) -> None:
    """The footprint is what the trace added, not what the process held before it: a 3 MiB
    live peak reads as a few MiB, whichever process started the driver."""
    driver = _driver(tmp_path)
    trace = tmp_path / "t.trace"
    trace.write_text("".join(f"m {i} 3000\n" for i in range(1000)) + "k\n")
    done = subprocess.run([driver, "trace", str(trace)], capture_output=True, text=True, check=True)
    fields = dict(part.split("=") for part in done.stdout.split()[1:])
    assert int(fields["peak_live"]) == 3_000_000
    assert 2900 <= int(fields["footprint_kib"]) <= 4200, done.stdout


def test_driver_reports_a_block_that_lost_its_bytes(tmp_path: Path) -> None:
    """A realloc that does not copy: the driver names the operation, block and byte."""
    source = tmp_path / "bad.c"
    source.write_text(
        "#define _GNU_SOURCE\n#include <dlfcn.h>\n#include <stddef.h>\n"
        "void *realloc(void *p, size_t n) {\n"
        '  void *(*m)(size_t) = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");\n'
        "  (void)p; return m(n);\n}\n"
    )
    library = tmp_path / "bad.so"
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", library, source, "-ldl"], check=True)
    trace = tmp_path / "t.trace"
    trace.write_text("m 0 100\nr 0 5000\nk\n")
    done = subprocess.run(
        [_driver(tmp_path), "trace", str(trace)],
        capture_output=True,
        text=True,
        env={"LD_PRELOAD": str(library)},
    )
    assert done.returncode == 3
    assert done.stdout.startswith("fail data op=2 block=0 size=100 offset=0"), done.stdout
    assert "when=realloc" in done.stdout


@pytest.mark.skipif(not JEMALLOC.is_file(), reason="needs libjemalloc2")
def test_symbols_come_from_the_preloaded_library(tmp_path: Path) -> None:
    done = subprocess.run(
        [_driver(tmp_path), "symbols", "malloc", "free"],
        capture_output=True,
        text=True,
        env={"LD_PRELOAD": str(JEMALLOC)},
        check=True,
    )
    assert done.stdout.splitlines() == [
        f"preload {JEMALLOC}",
        f"sym malloc {JEMALLOC}",
        f"sym free {JEMALLOC}",
    ]


def test_interleaved_lifetimes_frees_the_big_blocks_and_keeps_the_small_ones() -> None:
    """The segregated-fits trace's shape: big blocks live within a round, small ones across
    rounds, so a small block placed in a big hole pierces it for the next round."""
    load_tester(CHALLENGE)
    import random
    import sys

    traces = sys.modules["crack_challenges.malloc.tester.traces"]
    trace = traces.interleaved_lifetimes(random.Random(7), 5, 50, 300)
    sizes: dict[int, int] = {}
    live: set[int] = set()
    at_checks: list[tuple[int, int]] = []  # (big, small) blocks live at each check
    for op in trace.ops:
        if op.kind in "mr":
            sizes[op.block] = op.size
            live.add(op.block)
        elif op.kind == "f":
            live.discard(op.block)
        elif op.kind == "k":
            big = sum(sizes[b] >= 2000 for b in live)
            at_checks.append((big, len(live) - big))
    assert at_checks == [(50, at_checks[0][1]), (0, at_checks[1][1])]
    assert 250 <= at_checks[0][1] <= 304 and 250 <= at_checks[1][1] <= 304
    assert not live
    assert any(op.kind == "r" for op in trace.ops)
