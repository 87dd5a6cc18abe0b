"""Running the learner's program: its own session, its output captured, its tree ended."""

from __future__ import annotations

import os
import shlex
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from crack.harness import proctree
from crack.harness.log import SessionLog
from crack.harness.pipes import chunks

if TYPE_CHECKING:
    from crack.containment.sandbox import Confinement, Containment

OUTPUT_CAP_BYTES = 30_000
"""Learner output kept in the log per process; the rest is drained and counted."""


@dataclass(frozen=True)
class ProgramSpec:
    """How to start the learner's program: a command line run in a working directory.

    The tester appends its own arguments (``--port N``...) to ``command``.
    """

    command: tuple[str, ...]
    cwd: Path
    env: Mapping[str, str] = field(default_factory=dict)
    containment: Containment | None = None
    """Limits, user and environment for each start (None: the tester's own processes)."""
    build: str | None = None
    """A command line that builds the program, run once in ``cwd`` before grading
    (``crack.yml``'s ``build:``; see :mod:`crack.build`). None: nothing to build."""
    language: str | None = None
    """The learner's language (``crack.yml``), so that hints name its own API; None when
    not known (a program named with ``--run`` outside a learner repository, an oracle)."""

    @classmethod
    def parse(cls, command_line: str, cwd: Path) -> ProgramSpec:
        return cls(tuple(shlex.split(command_line)), cwd)

    def argv(self, extra: Sequence[str] = ()) -> list[str]:
        """The command line to run, with a relative program path (``./your_program.sh``)
        made absolute against ``cwd``, so the program can be run from any folder (a tester
        may run it in a directory of its own); so is any later word of the command that is
        a relative path to a file in ``cwd`` (``python3 app/main.py``)."""
        first = self.command[0]
        if "/" in first and not os.path.isabs(first):
            first = str(self.cwd / first)
        rest = [str(self.cwd / word) if self._local_path(word) else word for word in self.command[1:]]
        return [first, *rest, *extra]

    def _local_path(self, word: str) -> bool:
        return "/" in word and not os.path.isabs(word) and (self.cwd / word).exists()

    def display(self, extra: Sequence[str] = ()) -> str:
        return shlex.join([*self.command, *extra])

    def build_argv(self) -> list[str]:
        """The build command as argv, a relative script path made absolute like ``argv``."""
        assert self.build is not None
        words = shlex.split(self.build)
        if words and "/" in words[0] and not os.path.isabs(words[0]):
            words[0] = str(self.cwd / words[0])
        return words

    def build_display(self) -> str:
        return self.build or ""


class OutputCapture:
    """Reads a pipe to its end in a thread, logging lines up to a byte cap.

    Past the cap the rest is still read (so the program never blocks on a full pipe) but
    only counted; a notice says where the log was cut.
    """

    def __init__(self, pipe: object, emit: Callable[[str], None], cap: int = OUTPUT_CAP_BYTES) -> None:
        self._pipe = pipe
        self._log_line = emit
        self._cap = cap
        self.total_bytes = 0
        self.logged_bytes = 0
        self.truncated = False
        self.tail: deque[str] = deque(maxlen=12)
        self._thread = threading.Thread(target=self._pump, name="program-output", daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        pending = b""
        for chunk in chunks(self._pipe):  # type: ignore[arg-type]
            self.total_bytes += len(chunk)
            if self.truncated:
                continue
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for raw in lines:
                self._emit(raw)
            if len(pending) > 4096:  # a very long line without a newline
                self._emit(pending)
                pending = b""
        if pending and not self.truncated:
            self._emit(pending)

    def _emit(self, raw: bytes) -> None:
        if self.truncated:
            return
        self.logged_bytes += len(raw) + 1
        if self.logged_bytes > self._cap:
            self.truncated = True
            self._log_line(f"… output truncated after {self._cap:,} bytes (the rest is not shown)")
            return
        text = raw.rstrip(b"\r").decode("utf-8", errors="replace")
        self.tail.append(text)
        self._log_line(text)

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)


class ProgramProcess:
    """One running instance of the learner's program."""

    def __init__(
        self,
        spec: ProgramSpec,
        args: Sequence[str],
        log: SessionLog,
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        stdin: int | None = subprocess.DEVNULL,
        label: str | None = None,
        stdio_protocol: bool = False,
        home: Path | None = None,
        name: str | None = None,
    ) -> None:
        """Start ``spec`` with ``args``; output is logged as the learner's, or as ``label``'s.

        With ``stdio_protocol`` the program's stdin and stdout are the tester's channel to
        it (``self.popen.stdin``/``stdout``) and only its stderr is logged. ``home`` is the
        program's home and temp dir when containment runs it as another user. ``name``
        labels the output of one copy of the learner's program among several (a node).
        """
        self.argv = spec.argv(args)
        self.display = spec.display(args)
        self.confinement: Confinement | None = None
        base_env: Mapping[str, str] = os.environ
        if spec.containment is not None:
            base_env = spec.containment.environment(os.environ, home)
        full_env = {**base_env, **spec.env, **(env or {}), "PYTHONUNBUFFERED": "1"}
        self._log = log
        self._log.tester(f"$ {self.display}")
        proctree.become_subreaper()
        launch = self.argv
        try:
            if spec.containment is not None:
                self.confinement = spec.containment.start(self.argv, full_env.get("PATH"))
                launch = self.confinement.argv
            self.popen = subprocess.Popen(
                launch,
                cwd=cwd or spec.cwd,
                env=full_env,
                stdin=subprocess.PIPE if stdio_protocol else stdin,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE if stdio_protocol else subprocess.STDOUT,
                start_new_session=True,
            )
        except FileNotFoundError:
            from crack.harness.failure import StageFailure

            self._end_confinement()
            raise StageFailure(
                f"could not start your program: {self.argv[0]} was not found "
                f"(working directory {cwd or spec.cwd})",
                hint="check the run command in crack.yml, or the --run option",
            ) from None
        except PermissionError:
            from crack.harness.failure import StageFailure

            self._end_confinement()
            raise StageFailure(
                f"could not start your program: {self.argv[0]} is not executable",
                hint=f"make it executable: chmod +x {self.argv[0]}",
            ) from None
        self.pid = self.popen.pid
        proctree.track(self.pid)
        if self.confinement is not None:
            self.confinement.started(self.pid)
        self.is_learner = label is None
        if label is not None:
            emit: Callable[[str], None] = lambda text: log.helper(label, text)  # noqa: E731
        else:
            emit = (lambda text: log.program(text, name)) if name else log.program
        self.output = OutputCapture(self.popen.stderr if stdio_protocol else self.popen.stdout, emit)
        self.ended_by_us = False

    def send_signal(self, sig: int) -> None:
        """Signal the program itself (e.g. SIGHUP to reload its configuration)."""
        if self.popen.poll() is None:
            self.popen.send_signal(sig)

    @property
    def returncode(self) -> int | None:
        return self.popen.poll()

    def settle(self, timeout: float) -> int | None:
        """Wait up to ``timeout`` seconds for the program to end on its own: its exit code,
        or None if it is still running."""
        try:
            return self.popen.wait(timeout=max(timeout, 0.0))
        except subprocess.TimeoutExpired:
            return None

    def exit_description(self) -> str:
        code = self.popen.poll()
        if code is None:
            return "still running"
        if self.confinement is not None and (why := self.confinement.explain(code)):
            return why
        if code < 0:
            import signal

            return f"was killed by signal {signal.Signals(-code).name}"
        return f"exited with code {code}"

    def last_output(self) -> str:
        self.output.join(0.2)
        if not self.output.tail:
            return "(it printed nothing)"
        return "\n".join(f"  {line}" for line in self.output.tail)

    def stop(self, grace: float = 1.0) -> None:
        """End the program and every process it started, and collect the leader's status."""
        self.ended_by_us = self.popen.poll() is None
        procs = proctree.snapshot()
        roots = {self.pid} | proctree.orphans_of_ours(procs)
        ended = proctree.kill_tree(roots, grace=grace, procs=procs, leader=self.popen)
        try:
            self.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
        proctree.untrack(self.pid)
        self._end_confinement()
        proctree.reap(ended - {self.pid})
        self.output.join(1.0)

    def _end_confinement(self) -> None:
        if self.confinement is not None:
            self.confinement.end()

    def limit_notes(self) -> list[str]:
        """Limits the program ran into without being killed for them (a fork that failed)."""
        return self.confinement.notes() if self.confinement is not None else []


def wait_gone(process: ProgramProcess, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            return True
        time.sleep(0.01)
    return False
