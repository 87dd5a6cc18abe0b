"""``crack test --watch``: build and grade again every time the learner saves a file.

The watcher (watchfiles: inotify on Linux) runs in a thread of its own from before the
first grading, so a save made while a grading runs is not lost: it starts the next run as
soon as this one ends. Changes arrive debounced (an editor's save is several events), and
what crack or the build writes is ignored, or every grading would start the next: build
outputs named by the language's descriptor, ``.git``, ``.crack``, ``crack.yml`` (crack
rewrites it when a stage passes) and the report files.
"""

from __future__ import annotations

import os
import queue
import re
import stat
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from crack.errors import CrackError, ExitCode

if TYPE_CHECKING:
    from rich.console import Console

    from crack.learner import LearnerRepo

DEBOUNCE_MS = 300
"""Quiet time that ends a burst of file events (an editor's save is several)."""
STOP_JOIN_S = 2.0
READY_PROBE_MS = 250
READY_WAIT_S = 10.0
IGNORED_DIRS = (".crack", ".git", "__pycache__", ".venv", "node_modules", ".mypy_cache", ".pytest_cache")
IGNORED_NAMES = ("crack.yml", "crack-report.json", "crack-junit.xml", ".DS_Store", "Thumbs.db", ".directory")
EDITOR_TEMPORARY = re.compile(
    r"""
    .*~$                            # backups: vim, emacs, gedit, nano (file~)
    | .*\.sw[a-px]$                  # vim swap files (.swp, .swo, ... .swa; .swx probes), nano's
    | \.\#.* | \#.*\#$               # emacs lock and auto-save files
    | .*___jb_(tmp|old|bak)___$     # JetBrains safe write
    | \.goutputstream-.* | .*\.kate-swp$ | .*\.crswap$ | \.\~lock\..*\#$
    | .*\.tmp$                      # atomic writes (atomic_write_text's, many editors')
    """,
    re.VERBOSE,
)
"""Files editors write around a save; a save of the learner's own file comes with its change."""
VIM_PROBE = 4913
"""Vim checks it may write in a folder by creating 4913 (then 4913 + 123k while that exists)."""


def ignored(path: Path, root: Path, build_outputs: Iterable[str]) -> bool:
    """Whether a change to ``path`` (inside ``root``) is crack's or the build's own doing."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return True
    if not parts:
        return True
    if any(part in IGNORED_DIRS for part in parts[:-1]) or parts[0] in build_outputs:
        return True
    name = parts[-1]
    if name in IGNORED_DIRS or name in IGNORED_NAMES:
        return True
    return editor_temporary(name)


def editor_temporary(name: str) -> bool:
    """Whether ``name`` is a file an editor writes around a save (swap, backup, lock, probe)."""
    if name.isdigit() and int(name) >= VIM_PROBE and (int(name) - VIM_PROBE) % 123 == 0:
        return True
    return EDITOR_TEMPORARY.fullmatch(name) is not None


def _output_files() -> set[tuple[int, int]]:
    """(device, inode) of crack's stdout and stderr when they are regular files."""
    found = set()
    for fd in (1, 2):
        try:
            st = os.fstat(fd)
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode):
            found.add((st.st_dev, st.st_ino))
    return found


class Watcher:
    """Watches ``root`` in a thread; :meth:`wait` returns the next batch of changed paths."""

    def __init__(self, root: Path, build_outputs: Iterable[str]) -> None:
        self.root = root
        self.build_outputs = tuple(build_outputs)
        self._changes: queue.Queue[set[Path]] = queue.Queue()
        self._stop = threading.Event()
        self.ready = threading.Event()
        """Set once the watch is in place: saves from then on are seen."""
        self._own_output = _output_files()
        self._thread = threading.Thread(target=self._watch, name="crack-watch", daemon=True)
        self._thread.start()

    def _keep(self, _change: object, path: str) -> bool:
        if ignored(Path(path), self.root, self.build_outputs):
            return False
        if self._own_output:
            # `crack test --watch > log.txt` inside the repository: crack's own output
            # changing must not start the next run, or it would never stop.
            try:
                st = os.stat(path)
            except OSError:
                return True
            return (st.st_dev, st.st_ino) not in self._own_output
        return True

    def _watch(self) -> None:
        import watchfiles

        # A quiet period yields an empty batch: the first one, or the first change, proves
        # the watch is in place, so "Watching…" is never printed before it is.
        for batch in watchfiles.watch(
            self.root,
            watch_filter=self._keep,
            debounce=DEBOUNCE_MS,
            stop_event=self._stop,
            raise_interrupt=False,
            rust_timeout=READY_PROBE_MS,
            yield_on_timeout=True,
        ):
            self.ready.set()
            if batch:
                self._changes.put({Path(path) for _, path in batch})

    def wait(self) -> set[Path]:
        """Block until files change (Ctrl-C raises KeyboardInterrupt here). Batches that
        queued up meanwhile are merged into one run."""
        while True:
            try:
                changed = self._changes.get(timeout=0.25)
                break
            except queue.Empty:
                continue
        while True:
            try:
                changed |= self._changes.get_nowait()
            except queue.Empty:
                return changed

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(STOP_JOIN_S)


def _build_outputs(language: str | None) -> list[str]:
    """The folders the build of ``language`` writes; every language's when it is unknown."""
    from crack.languages import list_languages, load_language

    try:
        if language is not None:
            return list(load_language(language).build_outputs)
        return sorted({out for lang in list_languages() for out in lang.build_outputs})
    except CrackError:
        return ["build", "target"]


def _describe(changed: set[Path], root: Path) -> str:
    names = sorted(
        str(path.relative_to(root)) if path.is_relative_to(root) else str(path) for path in changed
    )
    shown = ", ".join(names[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _say_what_next(console: Console, repo: LearnerRepo) -> None:
    """Once the current stage passes, the next step is `crack next`, not another save."""
    stage = repo.config.stage
    if not repo.has_passed(stage):
        return
    number = repo.challenge.stage_number(stage)
    if number < len(repo.challenge.stages):
        console.print(
            f"Stage {number} ({stage}) passes: run `crack next` to unlock stage {number + 1} "
            "and read its instructions.",
            style="bold green",
            markup=False,
        )
    else:
        console.print(
            f"Every stage of {repo.challenge.name} passes: well built! (Ctrl-C to stop watching)",
            style="bold green",
            markup=False,
        )


def watch_and_grade(
    grade_once: Callable[[], int],
    console: Console,
    *,
    max_runs: int | None = None,
    start: Path | None = None,
) -> int:
    """Grade, show the stage map, wait for a save, repeat. Returns the exit code: the last
    grading's after ``max_runs`` gradings (for tests), 130 on Ctrl-C."""
    from crack.learner import LearnerRepo, locate
    from crack.views import show_status

    here = (start or Path.cwd()).resolve()
    root = LearnerRepo.find_root(here) or here
    try:
        repo = locate(root)
    except CrackError:
        repo = None
    watcher = Watcher(root, _build_outputs(repo.config.language if repo else None))
    runs = 0
    code = int(ExitCode.OK)
    changed: set[Path] = set()
    try:
        while True:
            console.clear()
            runs += 1
            why = f" · changed: {_describe(changed, root)}" if changed else ""
            console.print(
                f"crack test --watch · run {runs} · {time.strftime('%H:%M:%S')}{why}",
                style="bold",
                markup=False,
            )
            try:
                code = grade_once()
            except CrackError as exc:  # a broken crack.yml, say: show it, keep watching
                console.print(f"crack: error: {exc.message}", style="red", markup=False)
                code = int(exc.exit_code)
            if code == ExitCode.INTERRUPTED:
                return code
            try:
                console.print()
                after = LearnerRepo.load(root)
                show_status(console, after)
                if code == ExitCode.OK:
                    _say_what_next(console, after)
            except CrackError:
                pass
            if max_runs is not None and runs >= max_runs:
                return code
            watcher.ready.wait(READY_WAIT_S)
            console.print(f"Watching {root} for changes (Ctrl-C to stop)…", style="dim", markup=False)
            changed = watcher.wait()
    except KeyboardInterrupt:
        console.print("\nStopped watching.")
        return int(ExitCode.INTERRUPTED)
    finally:
        watcher.stop()
