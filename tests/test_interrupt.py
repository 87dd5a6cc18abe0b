"""Ctrl-C during a grading ends the learner's tree, shows what ran, and exits 130."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from crack.harness import proctree

PROGRAMS = Path(__file__).parent / "programs"

HANG_TESTER = """
from crack.tester import Tester
tester = Tester("fake")

@tester.stage("quick")
def quick(h):
    pass

@tester.stage("hang")
def hang(h):
    port = h.free_port()
    h.start_server(["--port", str(port)], port)
    h.log("connected; now waiting for an answer that never comes")
    conn = h.connect(port)
    conn.read_until(b"\\n", timeout=60)
"""


def test_ctrl_c_kills_the_tree_and_exits_130(fake_challenges: Callable[..., Path], tmp_path: Path) -> None:
    fake_challenges(
        "fake",
        [{"slug": "quick"}, {"slug": "hang", "timeout": 60}, {"slug": "later"}],
        HANG_TESTER + '\n@tester.stage("later")\ndef later(h): pass\n',
    )
    crack = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "crack",
            "test",
            "--challenge",
            "fake",
            "--all",
            "--run",
            f"{sys.executable} {PROGRAMS / 'mute.py'}",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert crack.stdout is not None
    program = None
    deadline = time.monotonic() + 20
    for line in crack.stdout:
        if "now waiting for an answer" in line:
            procs = proctree.snapshot()
            program = next(
                p
                for p in proctree.descendants({crack.pid}, procs)
                if "mute.py" in Path(f"/proc/{p}/cmdline").read_text()
            )
            break
        assert time.monotonic() < deadline
    assert program is not None
    crack.send_signal(signal.SIGINT)
    rest = crack.stdout.read()
    assert crack.wait(timeout=10) == 130
    assert "Interrupted: your program was stopped." in rest
    assert "✓  1. quick" in rest and "·  2. hang" in rest
    assert (
        not Path(f"/proc/{program}").exists()
        or "Z" in Path(f"/proc/{program}/stat").read_text().split(")")[-1][:3]
    )
