"""The build step: compile the learner's program once, before its first stage is graded.

A compiled language's repository names a ``build:`` command in ``crack.yml`` (``crack start``
writes it from the language's descriptor). It runs in the repository, where and as the
program will run (so inside whatever containment wraps the grading), with a time limit of
its own: a first ``cargo build`` may take a minute, and that is not the stage's fault. Its
output (stdout and stderr, interleaved as the compiler wrote them) is kept up to a cap, and
it is the end that is kept: that is where ``make`` and ``cargo`` summarise what failed.

A failed build becomes the first graded stage's failure ("your program failed to build",
with the compiler's output), and every other stage is skipped, so each report format shows
it without knowing builds exist.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from crack.harness import proctree
from crack.harness.log import SessionLog
from crack.harness.pipes import chunks
from crack.report import StageResult, StageStatus

if TYPE_CHECKING:
    from crack.grading import GradingPlan, Reporter
    from crack.harness.process import ProgramSpec

BUILD_TIMEOUT_S = 300.0
"""The build's own limit, not counted in any stage's timeout."""
BUILD_KEEP_BYTES = 64 * 1024
"""Output kept in memory: the end of it. The rest is read and counted, never stored."""
SHOWN_LINES = 60
SHOWN_CHARS = 6000
"""How much of the kept output a failure message shows (the end of it)."""
LOG_LABEL = "build"


@dataclass(frozen=True)
class BuildResult:
    command: str
    returncode: int | None
    """None when the build was stopped at its time limit, or could not start."""
    output: str
    """The end of what the build printed (at most ``BUILD_KEEP_BYTES``)."""
    total_bytes: int
    duration_s: float
    timed_out: bool = False
    start_error: str | None = None
    """Why the command could not be started at all (not found, not executable)."""
    limit_s: float = BUILD_TIMEOUT_S
    """The time limit the build ran under."""

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def truncated(self) -> bool:
        return self.total_bytes > len(self.output.encode("utf-8", errors="replace"))


def _pump(pipe: IO[bytes], kept: deque[bytes], counter: list[int]) -> None:
    """Read the build's output to its end, keeping only the last ``BUILD_KEEP_BYTES``."""
    size = 0
    for chunk in chunks(pipe):
        counter[0] += len(chunk)
        kept.append(chunk)
        size += len(chunk)
        while size - len(kept[0]) >= BUILD_KEEP_BYTES:
            size -= len(kept.popleft())


def run_build(program: ProgramSpec, timeout: float = BUILD_TIMEOUT_S) -> BuildResult:
    """Run ``program.build`` in ``program.cwd`` to completion or ``timeout``.

    The build runs in a session of its own and its whole process tree is ended afterwards
    (a ``make -j`` or a Gradle daemon must not outlive it). Ctrl-C ends the tree too, then
    propagates.
    """
    assert program.build is not None
    shown = program.build_display()
    try:
        argv = program.build_argv()
    except ValueError as exc:  # unbalanced quotes
        return BuildResult(shown, None, "", 0, 0.0, start_error=f"it cannot be parsed: {exc}")
    if not argv:
        return BuildResult(shown, None, "", 0, 0.0, start_error="the command is empty")
    env = {**os.environ, **program.env}
    confinement = None
    if program.containment is not None:
        # Contained like the program (limits, cgroup, allow-listed environment), but as
        # crack's own user: the build writes its output into the learner's repository.
        builder = dataclasses.replace(program.containment, user=None)
        env = {**builder.environment(os.environ, None), **program.env}
    proctree.become_subreaper()
    started = time.monotonic()
    try:
        if program.containment is not None:
            confinement = builder.start(argv, env.get("PATH"))
        popen = subprocess.Popen(
            confinement.argv if confinement is not None else argv,
            cwd=program.cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    except FileNotFoundError:
        return BuildResult(shown, None, "", 0, 0.0, start_error=f"{argv[0]} was not found")
    except PermissionError:
        return BuildResult(shown, None, "", 0, 0.0, start_error=f"{argv[0]} is not executable")
    proctree.track(popen.pid)
    if confinement is not None:
        confinement.started(popen.pid)
    kept: deque[bytes] = deque()
    counter = [0]
    reader = threading.Thread(target=_pump, args=(popen.stdout, kept, counter), daemon=True)
    reader.start()
    timed_out = False
    try:
        try:
            popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
    finally:
        ended = proctree.kill_tree({popen.pid} | proctree.orphans_of_ours(), grace=0.5, leader=popen)
        popen.wait()
        proctree.untrack(popen.pid)
        proctree.reap(ended - {popen.pid})
        reader.join(2.0)
        limited = confinement.explain(popen.returncode) if confinement is not None else None
        if confinement is not None:
            confinement.end()
    raw = b"".join(kept)[-BUILD_KEEP_BYTES:]
    if limited:
        raw += f"\n(crack: the build {limited})\n".encode()
    return BuildResult(
        shown,
        None if timed_out else popen.returncode,
        raw.decode("utf-8", errors="replace"),
        counter[0],
        time.monotonic() - started,
        timed_out=timed_out,
        limit_s=timeout,
    )


def tail(text: str, max_lines: int = SHOWN_LINES, max_chars: int = SHOWN_CHARS) -> tuple[str, bool]:
    """The end of ``text``: at most ``max_lines`` lines and ``max_chars`` characters."""
    lines = text.rstrip("\n").splitlines()
    cut = len(lines) > max_lines
    out = "\n".join(lines[-max_lines:])
    if len(out) > max_chars:
        out = out[-max_chars:]
        out = out[out.find("\n") + 1 :] if "\n" in out else out
        cut = True
    return out, cut


def failure_message(result: BuildResult) -> tuple[str, str]:
    """What the learner reads when the build failed: (message, hint)."""
    command = f"`{result.command}`"
    if result.start_error is not None:
        return (
            f"your program failed to build: the build command {command} could not be started "
            f"({result.start_error})",
            "check the `build:` line of crack.yml (a script needs chmod +x)",
        )
    if result.timed_out:
        head = (
            f"your program failed to build: {command} was still running after "
            f"{result.limit_s:g} s and was stopped"
        )
        hint = "a build that waits for input or for the network never ends here: crack builds offline"
    else:
        head = (
            f"your program failed to build: {command} exited with code {result.returncode} "
            f"after {result.duration_s:.2f} s"
        )
        hint = "fix what the compiler reports, then run crack test again"
    shown, cut = tail(result.output)
    if cut or result.truncated:
        hint += f" (run {result.command} yourself to see all of its output)"
    if not shown.strip():
        return head + ", and printed nothing.", hint
    lead = "The end of its output:" if cut or result.truncated else "Its output:"
    body = "\n".join(f"  {line}" for line in shown.splitlines())
    return f"{head}. {lead}\n{body}", hint


def build_before_grading(plan: GradingPlan, reporter: Reporter) -> StageResult | None:
    """Build the program if it has a build command. None: built (or nothing to build);
    otherwise the failed result of the first stage, already reported."""
    if plan.program.build is None or not plan.stages:
        return None
    log = SessionLog(LOG_LABEL, sink=reporter.log_line)
    log.tester(f"Building your program (not counted in stage timeouts): $ {plan.program.build_display()}")
    result = run_build(plan.program)
    if result.ok:
        shown, cut = tail(result.output, max_lines=20, max_chars=2000)
        if shown.strip():
            log.tester("The build printed (its end):" if cut else "The build printed:")
            for line in shown.splitlines():
                log.helper(LOG_LABEL, line)
        log.tester(f"Built in {result.duration_s:.2f} s")
        return None
    log.tester(f"The build failed after {result.duration_s:.2f} s: no stage can run without a program")
    first = plan.stages[0]
    number = plan.challenge.stage_number(first.slug)
    reporter.stage_started(first, number)
    message, hint = failure_message(result)
    failed = StageResult(
        first.slug,
        first.name,
        number,
        StageStatus.FAILED,
        result.duration_s,
        message=message,
        hint=hint,
        log=[line.render() for line in log.lines],
    )
    reporter.stage_finished(failed)
    return failed
