"""`crack test --watch`: editors' temporary files are no change, and a pass says what is next."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from crack.watch import READY_WAIT_S, Watcher

EDITOR_FILES = [
    ".main.py.swp",  # vim
    ".main.py.swx",
    "4913",
    "main.py~",
    "#main.py#",  # emacs
    ".#main.py",
    "main.py___jb_tmp___",  # JetBrains
    "main.py___jb_old___",
    ".DS_Store",
    ".goutputstream-4XJ2Q1",  # gedit
    "main.py.kate-swp",
]


def test_editor_temporary_files_are_not_changes(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    watcher = Watcher(tmp_path, [])
    try:
        assert watcher.ready.wait(READY_WAIT_S)
        for name in EDITOR_FILES:  # what an editor writes around a save, and removes
            (app / name).write_text("x")
        for name in EDITOR_FILES[::2]:
            (app / name).unlink()
        time.sleep(0.1)
        (app / "main.py").write_text("print('saved')\n")
        assert watcher.wait() == {app / "main.py"}
    finally:
        watcher.stop()


def test_a_lone_swap_file_starts_no_grading(tmp_path: Path) -> None:
    watcher = Watcher(tmp_path, [])
    try:
        assert watcher.ready.wait(READY_WAIT_S)
        (tmp_path / ".main.py.swp").write_text("x")
        (tmp_path / "4913").write_text("")
        time.sleep(1.0)  # over three debounce periods
        assert watcher._changes.empty()
    finally:
        watcher.stop()


def test_a_pass_in_watch_mode_points_to_crack_next(
    crack: Callable[..., Any], tmp_path: Path, reference: Callable[[str | None], Path]
) -> None:
    assert crack(["start", "redis", "repo"], cwd=tmp_path).exit_code == 0
    repo = tmp_path / "repo"
    failing = crack(["test", "--watch", "--watch-runs", "1"], cwd=repo)
    assert failing.exit_code == 1 and "crack next" not in failing.output
    shutil.copytree(reference("bind") / "app", repo / "app", dirs_exist_ok=True)
    passing = crack(["test", "--watch", "--watch-runs", "1"], cwd=repo)
    assert passing.exit_code == 0, passing.output
    assert "Stage 1 (bind) passes: run `crack next` to unlock stage 2" in passing.output
