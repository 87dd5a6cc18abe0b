"""The hostile programs and what a learner must be told about each, per isolation mode.

Shared by tests/test_containment.py (which asserts it) and bench/hostile_table.py (which
prints the time to verdict and the message per program and mode).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from crack.cli import cli

HOSTILE = Path(__file__).parent / "programs" / "hostile"
STAGE_TIMEOUT = 5
MEMORY_LIMIT_MB = 256
ESCAPE = Path(f"/tmp/crack-hostile-escaped-{os.getpid()}.txt")
"""Where writes_outside tries to write in the machine's /tmp: one name per test process, as
the isolation modes' cases run at once on parallel workers and only some of them may write."""

TESTER = """
from crack.tester import Tester
tester = Tester("hostile")

@tester.stage("serve")
def serve(h):
    port = h.free_port()
    h.start_server(["--port", str(port)], port)
    conn = h.connect(port)
    conn.send(b"PING\\n")
    reply = conn.read_until(b"\\n", timeout=h.remaining())
    if reply != b"PONG\\n":
        h.fail(f"expected PONG, got {reply!r}")

@tester.stage("again")
def again(h):
    port = h.free_port()
    h.start_server(["--port", str(port)], port)
"""

CHALLENGE_YAML = f"""\
slug: hostile
name: Hostile programs
summary: A server that answers PING with PONG, for containment tests.
difficulty: easy
stages:
  - slug: serve
    name: serve
    difficulty: easy
    timeout: {STAGE_TIMEOUT}
    concepts: {{pattern: p, data_structure: d, algorithm: a}}
    hints: [h]
    interview: [q]
  - slug: again
    name: again
    difficulty: easy
    timeout: {STAGE_TIMEOUT}
    concepts: {{pattern: p, data_structure: d, algorithm: a}}
    hints: [h]
    interview: [q]
"""


@dataclass(frozen=True)
class Case:
    program: str
    status: str
    """The first stage's expected verdict."""
    says: tuple[str, ...]
    """Words the learner must read (in the stage's message or its log)."""
    args: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


CASES = [
    Case("hangs_before_bind", "failed", ("did not accept connections on port",)),
    Case("binds_never_answers", "timed_out", ("timed out after 5 s",)),
    Case("floods_output", "failed", ("did not accept connections", "output truncated after 30,000 bytes")),
    Case("fork_bomb", "failed", ("tried to run more than 512 processes",)),
    Case("memory_bomb", "failed", (f"memory limit of {MEMORY_LIMIT_MB} MB",)),
    Case("ignores_sigterm", "passed", ()),
    Case("double_fork_daemon", "passed", ()),
    Case("session_daemon_serves", "failed", ("exited with code 0 before it accepted connections",)),
    Case("closes_stdout", "passed", ()),
    Case("invalid_utf8", "passed", ("caf\ufffd",)),
    Case("exits_zero", "failed", ("exited with code 0 before it accepted connections",)),
    Case("wrong_port", "failed", (", not on port", "instead of using a fixed port")),
    Case("reaches_outside", "passed", ("could not reach ('151.101.0.223', 80)",)),
    Case("writes_outside", "passed", ("could not write",)),
]


def make_challenge(root: Path) -> Path:
    folder = root / "hostile"
    (folder / "stages").mkdir(parents=True)
    (folder / "tester").mkdir()
    (folder / "challenge.yaml").write_text(CHALLENGE_YAML)
    for slug in ("serve", "again"):
        (folder / "stages" / f"{slug}.md").write_text(f"# {slug}\n")
    (folder / "tester" / "__init__.py").write_text(TESTER)
    return folder


def program_dir(base: Path, case: Case) -> Path:
    """The program's working copy: the hostile script and its helper, world-readable."""
    folder = base / case.program
    folder.mkdir(parents=True)
    for name in ("_serve.py", f"{case.program}.py"):
        shutil.copy(HOSTILE / name, folder / name)
    return folder


def run_command(case: Case, folder: Path, outside: Path, outside_port: int) -> str:
    args: list[str] = []
    if case.program == "reaches_outside":
        args = [str(outside_port)]
    if case.program == "writes_outside":
        args = [str(outside / "escaped.txt"), str(ESCAPE)]
    return " ".join([sys.executable, f"{case.program}.py", *args])


@dataclass
class Outcome:
    exit_code: int
    seconds: float
    report: dict[str, Any]

    @property
    def first(self) -> dict[str, Any]:
        return dict(self.report["stages"][0])

    def text(self) -> str:
        return self.first["message"] + "\n" + self.first["log"]


def grade(folder: Path, run: str, isolation: str, *, stage: str | None = None) -> Outcome:
    out = folder.parent / f"{folder.name}-{isolation}.json"
    args = ["test", "--challenge", "hostile", "--run", run, "--isolation", isolation]
    args += ["--memory-limit", str(MEMORY_LIMIT_MB), "--format", "json", "--output", str(out)]
    args += ["--stage", stage] if stage else ["--all"]
    started = time.monotonic()
    old = Path.cwd()
    try:
        os.chdir(folder)
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
    finally:
        os.chdir(old)
    return Outcome(result.exit_code, time.monotonic() - started, json.loads(out.read_text()))


class OutsideListener:
    """A socket on the machine's own loopback, counting who reached it."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]

    def reached(self) -> bool:
        try:
            self.sock.accept()[0].close()
            return True
        except OSError:
            return False

    def close(self) -> None:
        self.sock.close()
