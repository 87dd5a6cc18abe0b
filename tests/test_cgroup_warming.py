"""Warming moves into a group (cgroups.WarmMigrations): it writes while no program enters a
group, stays silent while programs do, and never moves crack anywhere."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from conftest import wait_until
from crack.containment import cgroups
from crack.containment.sandbox import Containment, Limits

LAYOUT = cgroups.detect()
needs_cgroups = pytest.mark.skipif(
    LAYOUT is None and not os.environ.get("CI"), reason="needs root and writable cgroups"
)


def _memberships() -> dict[str, str]:
    """The groups of this process and of each of its threads."""
    seen = {"process": Path("/proc/self/cgroup").read_text()}
    for task in Path("/proc/self/task").iterdir():
        try:
            seen[task.name] = (task / "cgroup").read_text()
        except OSError:  # a thread that ended meanwhile
            pass
    return seen


@needs_cgroups
def test_it_writes_while_nothing_enters_a_group_and_moves_nothing() -> None:
    assert LAYOUT is not None
    before = Path("/proc/self/cgroup").read_text()
    with cgroups.WarmMigrations(LAYOUT) as warm:
        wait_until(lambda: warm.writes >= 3)
        during = _memberships()
    assert warm.writes >= 3
    assert all(groups == before for groups in during.values()), during
    assert Path("/proc/self/cgroup").read_text() == before


@needs_cgroups
def test_it_stays_silent_while_launchers_keep_the_lock_warm() -> None:
    assert LAYOUT is not None
    stop = threading.Event()

    def starts() -> None:  # what a one-shot grading's launchers do, every millisecond
        while not stop.is_set():
            cgroups.note_move()
            time.sleep(0.001)

    busy = threading.Thread(target=starts)
    busy.start()
    try:
        time.sleep(0.01)
        with cgroups.WarmMigrations(LAYOUT) as warm:
            time.sleep(0.1)
    finally:
        stop.set()
        busy.join()
    # A stall of the busy thread longer than the warming period may let one write through.
    assert warm.writes <= 2


def test_a_containment_without_cgroups_warms_nothing() -> None:
    with Containment(Limits(), None, use_cgroups=False).warm_starts() as warm:
        assert not isinstance(warm, cgroups.WarmMigrations)
