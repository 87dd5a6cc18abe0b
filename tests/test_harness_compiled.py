"""Drivers compiled by the tester: cache, learner-facing errors, internal errors (real gcc)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from crack.harness.compiled import (
    SHARED_INCLUDE,
    Build,
    DriverBuildError,
    compile_build,
    missing_symbols,
    place,
)
from crack.harness.failure import StageFailure

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")

DRIVER = """#include <stdio.h>
#include "queue.h"
int main(void) { printf("%d\\n", twice(21)); return 0; }
"""
HEADER = "int twice(int x);\n"


def _setup(tmp_path: Path, learner_code: str) -> Build:
    tester = tmp_path / "tester"
    learner = tmp_path / "learner"
    tester.mkdir()
    learner.mkdir()
    (tester / "driver.c").write_text(DRIVER)
    (tester / "queue.h").write_text(HEADER)
    (learner / "queue.c").write_text(learner_code)
    return Build(
        name="driver",
        sources=(tester / "driver.c",),
        learner_sources=(learner / "queue.c",),
        include_dirs=(tester,),
    )


def test_builds_runs_and_caches(tmp_path: Path) -> None:
    build = _setup(tmp_path, "int twice(int x) { return 2 * x; }\n")
    first = compile_build(build, cache=tmp_path / "cache")
    assert subprocess.run([first], capture_output=True, text=True).stdout == "42\n"
    stamp = first.stat().st_mtime_ns
    again = compile_build(build, cache=tmp_path / "cache")
    assert again == first and again.stat().st_mtime_ns == stamp  # not rebuilt


def test_a_changed_learner_file_rebuilds(tmp_path: Path) -> None:
    build = _setup(tmp_path, "int twice(int x) { return 2 * x; }\n")
    first = compile_build(build, cache=tmp_path / "cache")
    build.learner_sources[0].write_text("int twice(int x) { return x + x + 1; }\n")
    second = compile_build(build, cache=tmp_path / "cache")
    assert second != first
    assert subprocess.run([second], capture_output=True, text=True).stdout == "43\n"


def test_a_changed_header_rebuilds(tmp_path: Path) -> None:
    build = _setup(tmp_path, "int twice(int x) { return 2 * x; }\n")
    key = build.key()
    (tmp_path / "tester" / "queue.h").write_text(HEADER + "/* v2 */\n")
    assert build.key() != key


def test_learner_syntax_error_is_a_stage_failure_showing_gcc(tmp_path: Path) -> None:
    build = _setup(tmp_path, "int twice(int x) { return 2 * x }\n")
    with pytest.raises(StageFailure) as caught:
        compile_build(build, cache=tmp_path / "cache")
    assert "your code does not compile" in caught.value.message
    assert "queue.c" in caught.value.message and "error" in caught.value.message
    assert caught.value.hint


def test_missing_symbol_is_named(tmp_path: Path) -> None:
    build = _setup(tmp_path, "int thrice(int x) { return 3 * x; }\n")
    with pytest.raises(StageFailure) as caught:
        compile_build(build, cache=tmp_path / "cache")
    assert "calls twice, but your code does not define it" in caught.value.message


def test_static_function_is_missing_too(tmp_path: Path) -> None:
    build = _setup(tmp_path, "static int twice(int x) { return 2 * x; }\n")
    with pytest.raises(StageFailure) as caught:
        compile_build(build, cache=tmp_path / "cache")
    assert "does not define it" in caught.value.message
    assert caught.value.hint and "static" in caught.value.hint


def test_missing_learner_file_is_a_stage_failure(tmp_path: Path) -> None:
    build = _setup(tmp_path, "")
    build.learner_sources[0].unlink()
    with pytest.raises(StageFailure, match="does not exist"):
        compile_build(build, cache=tmp_path / "cache")


def test_broken_driver_is_an_internal_error(tmp_path: Path) -> None:
    (tmp_path / "driver.c").write_text("int main(void) { return nope; }\n")
    build = Build(name="driver", sources=(tmp_path / "driver.c",))
    with pytest.raises(DriverBuildError, match="nope"):
        compile_build(build, cache=tmp_path / "cache")


def test_sanitizer_flags_reach_the_compiler(tmp_path: Path) -> None:
    (tmp_path / "driver.c").write_text("int main(void) { return 0; }\n")
    build = Build(name="d", sources=(tmp_path / "driver.c",), flags=("-O2", "-fsanitize=address"))
    binary = compile_build(build, cache=tmp_path / "cache")
    assert b"__asan_init" in binary.read_bytes()
    assert Build(name="d", sources=build.sources).key() != build.key()


def test_missing_symbols_parses_gcc_and_clang_quotes() -> None:
    text = (
        "x.c:(.text+0x5): undefined reference to `queue_create'\n"
        "undefined reference to `queue_create'\n"
        "ld: error: undefined reference to 'queue_free'"
    )
    assert missing_symbols(text) == ["queue_create", "queue_free"]


def test_place_copies_an_executable(tmp_path: Path) -> None:
    source = tmp_path / "bin"
    source.write_bytes(b"#!/bin/sh\n")
    placed = place(source, tmp_path / "scratch" / "drivers")
    assert placed.read_bytes() == b"#!/bin/sh\n" and placed.stat().st_mode & 0o111


def test_every_driver_can_include_the_shared_helpers(tmp_path: Path) -> None:
    """crack_driver.h is on every build's include path: one resident_kib() for every
    tester's driver (malloc's and lock-free-queue's), not a copy in each."""
    source = tmp_path / "driver.c"
    source.write_text(
        '#include "crack_driver.h"\nint main(void) { printf("%d\\n", resident_kib() > 0); return 0; }\n'
    )
    build = Build(name="helpers", sources=(source,))
    assert "-I" + str(SHARED_INCLUDE) in build.command(tmp_path / "out")
    binary = compile_build(build, cache=tmp_path / "cache")
    assert subprocess.run([binary], capture_output=True, text=True).stdout == "1\n"


def test_the_shared_helpers_are_part_of_every_build_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = _setup(tmp_path, "int twice(int x) { return 2 * x; }\n")
    before = build.key()
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "crack_driver.h").write_text("/* changed */\n")
    monkeypatch.setattr("crack.harness.compiled.SHARED_INCLUDE", shared)
    assert build.key() != before
