"""Tests of the git challenge beyond those every challenge gets (tests/test_challenges.py)."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import time
from pathlib import Path
from types import ModuleType

import pytest

from crack.authoring.scenarios import grade_silently, load_scenarios
from crack.authoring.solutions import materialize
from crack.challenge import load_challenge
from crack.harness import Harness, ProgramSpec
from crack.harness.log import SessionLog
from crack.tester import load_tester

CHALLENGE = load_challenge("git")

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="the git challenge needs git")


def load_module(name: str) -> ModuleType:
    """A module of the challenge's tester package (loaded the way crack loads it)."""
    load_tester(CHALLENGE)
    return importlib.import_module(f"crack_challenges.git.tester.{name}")


def test_git_has_the_nine_stages_in_order() -> None:
    assert CHALLENGE.stage_slugs == [
        "init", "cat-file", "hash-object", "ls-tree-names", "ls-tree", "write-tree",
        "commit-tree", "clone", "clone-deltas",
    ]  # fmt: skip


def test_the_oracle_is_real_git() -> None:
    assert CHALLENGE.oracle is not None and CHALLENGE.oracle.requires == ["git"]


def test_unusual_but_correct_programs_are_kept() -> None:
    passing = {s.name for s in load_scenarios(CHALLENGE) if s.spec.fails_at is None}
    assert {"noisy-stderr", "packed-objects-and-side-band"} <= passing


def test_starter_fails_the_first_stage_with_a_clear_message(tmp_path: Path) -> None:
    program = materialize(CHALLENGE, "python", None, tmp_path / "starter")
    report = grade_silently(CHALLENGE, program, until=CHALLENGE.stage_slugs[0])
    stage = report.stages[0]
    assert stage.status.value == "failed"
    assert "./your_program.sh init" in stage.message
    assert "exited with code 1" in stage.message
    assert "unknown command: 'init'" in stage.message


def test_uncompressed_objects_fail_hash_object_with_git_s_own_words(tmp_path: Path) -> None:
    program = materialize(CHALLENGE, "python", "hash-object", tmp_path / "program")
    main = program / "app" / "main.py"
    source = main.read_text()
    assert "path.write_bytes(zlib.compress(data))" in source
    main.write_text(source.replace("path.write_bytes(zlib.compress(data))", "path.write_bytes(data)"))

    report = grade_silently(CHALLENGE, program, until="hash-object")

    assert [s.status.value for s in report.stages] == ["passed", "passed", "failed"]
    stage = report.stages[-1]
    assert "printed the right SHA-1" in stage.message
    assert "$ git cat-file -p" in stage.message
    assert "$ git fsck --full --strict" in stage.message
    assert "incorrect header check" in stage.message  # what real git says
    assert "is not compressed" in stage.message
    assert stage.hint is not None and "zlib" in stage.hint


def _harness(tmp_path: Path, seed: int = 11) -> Harness:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    return Harness(
        stage_slug="clone-deltas",
        program=ProgramSpec(("true",), tmp_path),
        log=SessionLog("clone-deltas"),
        seed=seed,
        deadline=time.monotonic() + 120,
        scratch=scratch,
    )


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("deltas", [True, False], ids=["with-deltas", "without-deltas"])
def test_the_test_server_serves_a_clone_to_real_git(tmp_path: Path, deltas: bool) -> None:
    clone = load_module("clone")
    realgit = load_module("realgit")
    httpserver = load_module("httpserver")
    content = load_module("content")
    h = _harness(tmp_path)
    git = realgit.RealGit(h)
    upstream = clone.build_upstream(h, git, deltas=deltas)
    server = httpserver.SmartHttpServer(upstream.bare.parent, env=git.base_env)
    try:
        target = tmp_path / "cloned"
        # unpackLimit=1 keeps the received pack as it came, so verify-pack can look inside it.
        result = git.run(
            tmp_path,
            "-c",
            "transfer.unpackLimit=1",
            "clone",
            "--quiet",
            server.url(upstream.bare.name),
            str(target),
        )
        assert result.ok, result.said()
        requests = [(e.method, e.status) for e in server.exchanges]
    finally:
        server.close()

    assert ("GET", 200) in requests and ("POST", 200) in requests
    assert _git(target, "rev-parse", "HEAD").strip() == upstream.head
    assert _git(target, "log", "--format=%H %s", "HEAD") == upstream.log
    assert len(upstream.log.splitlines()) == 5
    _git(target, "fsck", "--full", "--strict")
    want, have = content.files_under(upstream.work), content.files_under(target)
    assert sorted(want) == sorted(have)
    assert all(want[p].read_bytes() == have[p].read_bytes() for p in want)
    assert any(content.is_executable(path) for path in have.values())

    received = [
        line.split()
        for idx in (target / ".git" / "objects" / "pack").glob("*.idx")
        for line in _git(target, "verify-pack", "-v", str(idx)).splitlines()
    ]
    deltified = [fields for fields in received if len(fields) == 7 and len(fields[0]) == 40]
    if deltas:
        assert upstream.deltas > 0 and upstream.max_depth >= 2
        assert deltified, "the pack real git received holds no deltas"
        assert max(int(fields[5]) for fields in deltified) >= 2
    else:
        assert upstream.deltas == 0
        assert received and not deltified


def test_the_server_rejects_a_repository_it_does_not_have(tmp_path: Path) -> None:
    httpserver = load_module("httpserver")
    realgit = load_module("realgit")
    h = _harness(tmp_path)
    (tmp_path / "empty").mkdir()
    server = httpserver.SmartHttpServer(tmp_path / "empty", env=realgit.RealGit(h).base_env)
    try:
        result = realgit.RealGit(h).run(tmp_path, "clone", "--quiet", server.url("missing.git"), "x")
    finally:
        server.close()
    assert not result.ok
    assert [e.status for e in server.exchanges] == [404]
