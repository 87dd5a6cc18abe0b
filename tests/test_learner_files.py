"""The learner's own files: crack.yml keeps its comments, and a damaged or unwritable
repository is an error naming the file (exit 2) that leaves progress as it was."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

COMMENTED = """\
# My redis, in Python.   (my own notes: crack must keep them)
challenge: redis   # the one from the book

# I run it through a wrapper script
run: "./your_program.sh"
stage: bind      # where I am
language: python

isolation: none
"""


def _start(crack: Callable[..., Any], where: Path) -> Path:
    result = crack(["start", "redis", "repo"], cwd=where)
    assert result.exit_code == 0, result.output
    return where / "repo"


def test_hint_leaves_a_commented_crack_yml_as_it_is(crack: Callable[..., Any], tmp_path: Path) -> None:
    repo = _start(crack, tmp_path)
    (repo / "crack.yml").write_text(COMMENTED)
    result = crack(["hint"], cwd=repo)
    assert result.exit_code == 0, result.output
    assert (repo / "crack.yml").read_text() == COMMENTED
    assert json.loads((repo / ".crack" / "progress.json").read_text())["hints_revealed"] == {"bind": 1}


SPACED = (
    "---\r\n# Windows line endings, a document marker, odd spacing: all mine\r\n"
    "challenge:   redis\r\nstage:    'bind'   # quoted\r\nrun: ./your_program.sh\r\n"
)


@pytest.mark.parametrize("config", [COMMENTED, SPACED], ids=["commented", "spaced-crlf"])
def test_next_changes_only_the_stage_in_crack_yml(
    crack: Callable[..., Any], tmp_path: Path, reference: Callable[[str | None], Path], config: str
) -> None:
    repo = _start(crack, tmp_path)
    (repo / "crack.yml").write_bytes(config.encode())
    shutil.copytree(reference("bind") / "app", repo / "app", dirs_exist_ok=True)
    result = crack(["next"], cwd=repo)
    assert result.exit_code == 0, result.output
    expected = config.replace("stage: bind ", "stage: ping ").replace("stage:    'bind'", "stage:    'ping'")
    assert expected != config
    assert (repo / "crack.yml").read_bytes() == expected.encode()


def _progress(repo: Path) -> Path:
    return repo / ".crack" / "progress.json"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"version": 1, "unlocked": "bind", "hints_revealed": {"bind": -5}}', "field 'hints_revealed.bind'"),
        (
            '{"version": 1, "unlocked": "bind", "passed": {"flying": "2026-01-01T00:00:00Z"}}',
            "field 'passed.flying'",
        ),
        (
            '{"version": 1, "unlocked": "bind", "hints_revealed": {"flying": 1}}',
            "'flying' is not a stage of redis",
        ),
        ("[" * 10_000 + "]" * 10_000, "nested too deeply"),
        (
            '{"version": 1, "unlocked": "bind", "passed": ' + "[" * 10_000 + "]" * 10_000 + "}",
            "nested too deeply",
        ),
    ],
    ids=["negative-hints", "unknown-passed", "unknown-hinted", "deep-list", "deep-field"],
)
def test_damaged_progress_is_an_error_and_kept(
    crack: Callable[..., Any], tmp_path: Path, content: str, expected: str
) -> None:
    repo = _start(crack, tmp_path)
    _progress(repo).write_text(content)
    for command in (["status"], ["hint"], ["task"]):
        result = crack(command, cwd=repo)
        assert result.exit_code == 2, result.output
        assert "progress.json" in result.output and expected in result.output
        assert "Traceback" not in result.output
    assert _progress(repo).read_text() == content


def test_an_unknown_language_lists_the_known_ones(crack: Callable[..., Any], tmp_path: Path) -> None:
    repo = _start(crack, tmp_path)
    config = (repo / "crack.yml").read_text().replace("language: python", "language: cobol")
    (repo / "crack.yml").write_text(config)
    result = crack(["status"], cwd=repo)
    assert result.exit_code == 2
    assert "crack.yml, field 'language': unknown language 'cobol'" in result.output
    assert "go" in result.output and "python" in result.output and "rust" in result.output
    assert (repo / "crack.yml").read_text() == config


def test_crack_as_a_file_is_named(crack: Callable[..., Any], tmp_path: Path) -> None:
    repo = _start(crack, tmp_path)
    shutil.rmtree(repo / ".crack")
    (repo / ".crack").write_text("my notes\n")
    for command in (["hint"], ["status"]):
        result = crack(command, cwd=repo)
        assert result.exit_code == 2, result.output
        assert ".crack: is a file" in result.output and "Traceback" not in result.output
    assert (repo / ".crack").read_text() == "my notes\n"


# --- a repository the learner's user cannot write ----------------------------------------
# Root writes through any permission bits, so these run crack as an unprivileged user.
UNPRIVILEGED = 65534  # nobody


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder the unprivileged user can reach (pytest's are root's alone)."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run crack as another user")
    probe = subprocess.run(
        [
            "setpriv",
            f"--reuid={UNPRIVILEGED}",
            f"--regid={UNPRIVILEGED}",
            "--clear-groups",
            sys.executable,
            "-c",
            "",
        ],
        capture_output=True,
    )
    if probe.returncode != 0:
        pytest.skip(f"the unprivileged user cannot run {sys.executable}")
    path = Path(tempfile.mkdtemp(prefix="crack-perm-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path)


def _as_nobody(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], "HOME": str(cwd), "LANG": "C.UTF-8"}
    # The home here is the repository; crack's cache (kept under a real home) goes elsewhere.
    env["CRACK_CACHE_DIR"] = str(cwd.parent / "cache-of-nobody")
    return subprocess.run(
        [
            "setpriv",
            f"--reuid={UNPRIVILEGED}",
            f"--regid={UNPRIVILEGED}",
            "--clear-groups",
            sys.executable,
            "-m",
            "crack",
            *args,
        ],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _owned_repo(crack: Callable[..., Any], where: Path) -> Path:
    repo = _start(crack, where)
    for path in [repo, *repo.rglob("*")]:
        os.chown(path, UNPRIVILEGED, UNPRIVILEGED, follow_symlinks=False)
    return repo


@pytest.mark.parametrize("read_only", [".crack", "."], ids=["crack-folder", "repository"])
def test_a_read_only_folder_is_named_and_nothing_changes(
    crack: Callable[..., Any], shared_dir: Path, read_only: str
) -> None:
    repo = _owned_repo(crack, shared_dir)
    if read_only == ".":
        shutil.rmtree(repo / ".crack")  # so progress must be created in the read-only repository
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()}
    (repo / read_only).chmod(0o555)
    result = _as_nobody(["hint"], repo)
    assert result.returncode == 2, result.stdout + result.stderr
    folder = repo / ".crack"
    assert f"crack: error: {folder / 'progress.json'}: cannot be written (Permission denied)" in result.stderr
    assert "nothing was changed" in result.stderr and "Traceback" not in result.stderr
    assert "Hint 1/" not in result.stdout  # a hint not recorded is not shown
    assert {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()} == before


def test_next_in_a_read_only_repository_changes_neither_file(
    crack: Callable[..., Any], shared_dir: Path, reference: Callable[[str | None], Path]
) -> None:
    """Progress could be written (.crack is writable), crack.yml could not: neither changes,
    so the stage and the furthest unlocked stage still agree."""
    repo = _owned_repo(crack, shared_dir)
    (repo / "crack.yml").write_text(COMMENTED)
    shutil.copytree(reference("bind") / "app", repo / "app", dirs_exist_ok=True)
    assert crack(["test"], cwd=repo).exit_code == 0  # bind passed, recorded as root
    for path in [repo, *repo.rglob("*")]:
        os.chown(path, UNPRIVILEGED, UNPRIVILEGED, follow_symlinks=False)
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    repo.chmod(0o555)
    result = _as_nobody(["next"], repo)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"{repo / 'crack.yml'}: cannot be written (Permission denied)" in result.stderr
    after = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert after == before


def test_start_in_a_read_only_folder_is_an_error_and_leaves_nothing(shared_dir: Path) -> None:
    parent = shared_dir / "read-only"
    parent.mkdir(mode=0o555)
    os.chown(parent, UNPRIVILEGED, UNPRIVILEGED)
    result = _as_nobody(["start", "redis", "read-only/repo"], shared_dir)
    assert result.returncode == 2, result.stderr
    assert "crack: error: cannot create read-only/repo: Permission denied" in result.stderr
    assert "Traceback" not in result.stderr and list(parent.iterdir()) == []
