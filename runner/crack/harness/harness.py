"""What a tester touches: start the program, talk to it, register teardown, log, fail.

A stage function receives one :class:`Harness`. Everything it starts is ended at teardown,
every blocking call is bounded by the stage's deadline, and everything it does is logged
in the session log the learner reads.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from crack.durations import format_seconds
from crack.harness import listening, proctree
from crack.harness.case_pool import CasePool, CaseSlots, usable_cores
from crack.harness.clock import LogicalClock
from crack.harness.compiled import Build, compile_build, place
from crack.harness.crash import kill_hard
from crack.harness.data import EdgeData
from crack.harness.failure import ReadTimeout, StageFailure
from crack.harness.growth import Growth, measure_growth
from crack.harness.hints import caused_by, flush_hint, hint_from_output, stderr_hint
from crack.harness.lines import LineSession
from crack.harness.log import SessionLog
from crack.harness.net import (
    Connection,
    UdpEndpoint,
    describe_connect_error,
    free_port,
    try_connect,
)
from crack.harness.oneshot import RunResult, run_capped
from crack.harness.process import ProgramProcess, ProgramSpec
from crack.harness.writes import WriteMode, WritePlan, choose_mode

if TYPE_CHECKING:
    import pexpect


PORT_POLL_S = 0.005
"""How often the harness looks for the program's listening socket (a /proc read, no connect)."""

T = TypeVar("T")


ELSEWHERE_SETTLE_S = 0.5
"""How long a program may listen on other ports only before crack says so: a server that
opens two listeners opens them within milliseconds of each other."""

ELSEWHERE_POLL_S = 0.05


class _Elsewhere:
    """Watches for a program that listens, but on other ports than the one it was given (a
    hard-coded port): no need to wait out the start timeout to say so."""

    def __init__(self, port: int, handed_out: Sequence[int]) -> None:
        self.port = port
        self.handed_out = set(handed_out)
        self.since: float | None = None
        self.next_look = 0.0

    def settled(self, process: ProgramProcess) -> bool:
        now = time.monotonic()
        if now < self.next_look:
            return False
        self.next_look = now + ELSEWHERE_POLL_S
        ports = listening.listening_ports(proctree.descendants({process.pid}))
        if not ports or self.port in ports or ports <= self.handed_out:
            self.since = None
            return False
        if self.since is None:
            self.since = now
        return now - self.since >= ELSEWHERE_SETTLE_S


class Harness:
    def __init__(
        self,
        *,
        stage_slug: str,
        program: ProgramSpec,
        log: SessionLog,
        seed: int,
        deadline: float,
        scratch: Path,
    ) -> None:
        self.stage_slug = stage_slug
        self.program = program
        self.log_session = log
        self.seed = seed
        self.random = random.Random(f"{seed}:{stage_slug}")
        self.data = EdgeData(seed, stage_slug)
        """Seeded edge values (case, non-ASCII, huge and negative integers, binary): see
        :mod:`crack.harness.data`."""
        self.deadline = deadline
        self.scratch = scratch
        self._processes: list[ProgramProcess] = []
        self._connections: list[Connection | UdpEndpoint] = []
        self._interactive: list[pexpect.spawn[Any]] = []
        self._teardown: list[Callable[[], Any]] = []
        self._runs: list[tuple[RunResult, bytes, Path | None]] = []
        """One-shot runs of the program: result, stdin and working directory."""
        self._client_count = 0
        self._stopped = threading.Event()
        """Set with ``aborted``: ends a one-shot run in progress at once."""
        self._pools: list[CasePool[Any]] = []
        self._case_processes: list[ProgramProcess] = []
        self.aborted = False
        self.ports: list[int] = []
        """Ports handed out in this stage (golden outputs normalise exactly these)."""
        self.writes: WriteMode | None = None
        """How this stage's connections write (see :mod:`crack.harness.writes`); ``None``:
        each connection draws its mode from the seed. A stage whose lesson comes before
        partial reads sets ``WriteMode.WHOLE``."""
        self.case_slots: CaseSlots | None = None
        """Shared with the stage that overlaps this one, if any: bounds the cases both run
        at once (see :mod:`crack.stage_overlap`)."""
        self.on_cases_handed_out: Callable[[], None] | None = None
        """Called once the last case of a :meth:`run_cases` has been handed to a worker."""

    # --- time ----------------------------------------------------------------------------
    def remaining(self) -> float:
        """Seconds left before the stage times out."""
        return max(self.deadline - time.monotonic(), 0.0)

    def sleep(self, seconds: float) -> None:
        time.sleep(min(seconds, self.remaining()))

    def clock(self) -> LogicalClock:
        """A logical clock starting at a seeded epoch: send its time with each command
        instead of sleeping (see :mod:`crack.harness.clock`)."""
        return LogicalClock(self.random)

    # --- logging and failing -------------------------------------------------------------
    def log(self, text: str) -> None:
        self.log_session.tester(text)

    def fail(self, message: str, hint: str | None = None) -> NoReturn:
        raise StageFailure(message, hint)

    def defer(self, callback: Callable[[], Any]) -> None:
        """Run ``callback`` at teardown (last registered, first run), even after a failure."""
        self._teardown.append(callback)

    # --- the learner's program -----------------------------------------------------------
    @property
    def processes(self) -> list[ProgramProcess]:
        """Every instance of the program this stage started, in order."""
        return [*self._case_processes, *self._processes]

    def free_port(self, *, udp: bool = False) -> int:
        """A free TCP port (with ``udp``, free for UDP as well: a DNS server takes both)."""
        port = free_port(udp=udp)
        self.ports.append(port)
        return port

    def start_program(
        self,
        args: Sequence[str] = (),
        *,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        stdin_pipe: bool = False,
        name: str | None = None,
    ) -> ProgramProcess:
        """Start the learner's program with ``args``; ``name`` labels its output (one node
        of several)."""
        import subprocess

        self._check_not_aborted()
        self._open_scratch()
        process = ProgramProcess(
            self.program,
            args,
            self.log_session,
            env=env,
            cwd=cwd,
            stdin=subprocess.PIPE if stdin_pipe else subprocess.DEVNULL,
            home=self.scratch,
            name=name,
        )
        self._processes.append(process)
        return process

    def start_helper(
        self,
        argv: Sequence[str],
        *,
        name: str,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> ProgramProcess:
        """Start a process of the tester's own (a backend, an upstream resolver, a server to
        clone from). Its output is logged under ``[name]``; it is ended at teardown like the
        learner's program, and ``wait_for_port`` works on it too."""
        self._check_not_aborted()
        process = ProgramProcess(
            ProgramSpec(tuple(argv), cwd or self.scratch), (), self.log_session, env=env, label=name
        )
        self._processes.append(process)
        return process

    def start_line_session(
        self, args: Sequence[str] = (), *, env: dict[str, str] | None = None, quiet: bool = False
    ) -> LineSession:
        """Start the program with stdin/stdout as a line protocol (one command, one reply).

        ``quiet`` keeps bulk workloads out of the log; only failures show their transcript.
        """
        self._check_not_aborted()
        self._open_scratch()
        process = ProgramProcess(
            self.program, args, self.log_session, env=env, stdio_protocol=True, home=self.scratch
        )
        self._processes.append(process)
        session = LineSession(process, self.log_session, quiet=quiet)
        self.defer(session.close)
        return session

    def compiled(self, build: Build) -> Path:
        """The tester's driver program ``build`` compiled (or taken from the cache, see
        :mod:`crack.harness.compiled`) and copied into this stage's scratch folder."""
        self._check_not_aborted()
        placed = place(compile_build(build), self.scratch / "drivers")
        self._open_scratch()
        return placed

    def growth(
        self,
        workload: Callable[[int], float],
        *,
        small: int,
        large: int,
        operation: str,
        rounds: int = 3,
        confirm_above: float | None = None,
    ) -> Growth:
        """Run ``workload`` at two sizes (see :mod:`crack.harness.growth`) and log the result;
        a ratio above ``confirm_above`` is measured again before it is believed."""
        self.log(f"Measuring how the time per {operation} grows from {small:,} to {large:,} items…")
        result = measure_growth(workload, small, large, rounds, confirm_above=confirm_above)
        self.log(result.describe(operation))
        return result

    def wait_for_port(
        self,
        process: ProgramProcess,
        port: int,
        timeout: float | None = None,
        host: str = "127.0.0.1",
        *,
        udp: bool = False,
    ) -> None:
        """Block until the program listens on TCP ``port`` (with ``udp``: has bound that UDP
        port); fail if it dies first. Read from the kernel's socket tables, never by
        connecting or sending a probe, so the program's first client is the tester."""
        limit = self.remaining() - 0.25 if timeout is None else min(timeout, self.remaining())
        what = f"bound UDP port {port}" if udp else f"accepted connections on port {port}"
        self.log(
            f"Waiting for your program to {'bind UDP port' if udp else 'accept connections on port'} {port}…"
        )
        deadline = time.monotonic() + max(limit, 0.0)
        elsewhere = _Elsewhere(port, self.ports) if not udp and listening.PROC_AVAILABLE else None
        while True:
            if self._is_ready(process, port, host, udp):
                return
            if elsewhere is not None and elsewhere.settled(process):
                self._fail_not_ready(process, port, timeout, udp, elsewhere=True)
            if process.returncode is not None:
                output = process.last_output()
                self.fail(
                    f"your program {process.exit_description()} before it {what}. Its last output:\n{output}",
                    hint=hint_from_output(output)
                    or (
                        "it ended on its own: a server keeps running, serving clients in a loop"
                        if process.returncode == 0
                        else "run it yourself with the same command to see why it stops"
                    ),
                )
            if time.monotonic() >= deadline:
                break
            time.sleep(PORT_POLL_S)
        self._fail_not_ready(process, port, timeout, udp)

    @staticmethod
    def _is_ready(process: ProgramProcess, port: int, host: str, udp: bool) -> bool:
        """Whether the program's tree holds ``port``. For TCP a bind tells first, cheaply,
        whether anything holds the port at all: only then is the tree looked up, a read of
        every process's /proc entry that would otherwise take a good part of a core while a
        slow program starts (the two cores it shares with crack)."""
        if udp:
            return port in listening.udp_ports(proctree.descendants({process.pid}))
        if listening.PROC_AVAILABLE:
            if not listening.port_taken(host, port):
                return False
            return port in listening.listening_ports(proctree.descendants({process.pid}))
        sock = try_connect(host, port, timeout=0.5)
        if sock is None:
            return False
        sock.close()
        return True

    def _fail_not_ready(
        self, process: ProgramProcess, port: int, timeout: float | None, udp: bool, *, elsewhere: bool = False
    ) -> NoReturn:
        tree = proctree.descendants({process.pid})
        tcp, datagram = sorted(listening.listening_ports(tree)), sorted(listening.udp_ports(tree))
        wrong, protocol = (datagram, "binds UDP port") if udp else (tcp, "listens on port")
        if wrong:
            hint = (
                f"your program {protocol} {', '.join(map(str, wrong))} instead: it must use the port "
                f"given by --port {port}"
            )
        elif udp and port in tcp:
            hint = "your program listens on TCP only: this server receives UDP datagrams (SOCK_DGRAM)"
        elif udp:
            hint = "does it read the port from --port and bind a UDP socket (SOCK_DGRAM) on 127.0.0.1?"
        else:
            hint = "does it read the port from --port and listen on 127.0.0.1 (or 0.0.0.0)?"
        if elsewhere and wrong:
            others = ", ".join(map(str, wrong))
            self.fail(
                f"your program listens on port {others}, not on port {port} (--port {port})",
                hint=f"it must listen on the port given by --port {port}: read it from its "
                "arguments instead of using a fixed port",
            )
        when = "before the stage's time ran out" if timeout is None else f"within {format_seconds(timeout)}"
        verb = f"bind UDP port {port}" if udp else f"accept connections on port {port}"
        self.fail(f"your program did not {verb} {when}", hint=hint)

    def start_server(self, args: Sequence[str], port: int) -> ProgramProcess:
        """Start the program and wait until it accepts connections on ``port``."""
        process = self.start_program(args)
        self.wait_for_port(process, port)
        return process

    def kill(self, process: ProgramProcess) -> None:
        """End ``process`` and everything it started with SIGKILL, as a crash would: no
        handler runs, nothing is flushed (see :mod:`crack.harness.crash`)."""
        kill_hard(process)

    # --- talking to it -------------------------------------------------------------------
    def connect(
        self,
        port: int,
        *,
        name: str | None = None,
        host: str = "127.0.0.1",
        show_bytes: bool = True,
        writes: WriteMode | None = None,
    ) -> Connection:
        """A connection to ``port``. Its writes are cut as ``writes`` says, else as the
        stage's :attr:`writes`, else in a mode drawn from the seed."""
        self._check_not_aborted()
        self._client_count += 1
        label = name or f"client {self._client_count}"
        rng = random.Random(f"{self.seed}:{self.stage_slug}:writes:{self._client_count}")
        plan = WritePlan(writes or self.writes or choose_mode(rng), rng)
        import socket

        try:
            sock = socket.create_connection((host, port), timeout=min(2.0, self.remaining()))
        except OSError as exc:
            raise describe_connect_error(exc, port) from None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn = Connection(sock, label, self.log_session, self.remaining, show_bytes=show_bytes, writes=plan)
        self._connections.append(conn)
        return conn

    def udp(self, port: int, *, name: str | None = None, host: str = "127.0.0.1") -> UdpEndpoint:
        self._client_count += 1
        endpoint = UdpEndpoint(
            host, port, name or f"client {self._client_count}", self.log_session, self.remaining
        )
        self._connections.append(endpoint)
        return endpoint

    def run(
        self,
        args: Sequence[str] = (),
        *,
        stdin: bytes = b"",
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
        quiet: bool = False,
    ) -> RunResult:
        """Run the learner's program once to completion (a CLI-style challenge), in ``cwd``
        (default: its own folder) with ``env`` added to its environment. ``quiet``: the
        tester logs the command itself (as a pipeline the learner can paste, say)."""
        self._check_not_aborted()
        argv = self.program.argv(args)
        if not quiet:
            self.log(f"$ {self.program.display(args)}")
        limit = self.remaining() if timeout is None else min(timeout, self.remaining())
        self._open_scratch()
        containment = self.program.containment
        base = containment.environment(os.environ, self.scratch) if containment else os.environ
        try:
            result = run_capped(
                argv,
                cwd=str(cwd or self.program.cwd),
                env={**base, **self.program.env, **(env or {})},
                stdin=stdin,
                timeout=limit,
                containment=containment,
                cancel=self._stopped,
            )
            self._runs.append((result, stdin, cwd))
            return result
        except FileNotFoundError:
            self.fail(f"could not start your program: {argv[0]} was not found")
        except PermissionError:
            self.fail(
                f"could not start your program: {argv[0]} is not executable",
                hint=f"make it executable: chmod +x {argv[0]}",
            )

    def run_node_driver(self, driver: Path, request: Mapping[str, Any]) -> dict[str, Any]:
        """Run the learner's program with a Node script of the tester's (``driver``) that
        loads the learner's module and checks it: see :mod:`crack.harness.node_driver`."""
        from crack.harness.node_driver import run_node_driver

        return run_node_driver(self, driver, request)

    def run_cases(
        self, cases: Sequence[T], check: Callable[[Harness, T], None], *, workers: int | None = None
    ) -> None:
        """Call ``check(case_harness, case)`` for each of ``cases``, several at once.

        For cases that share nothing (each runs the program on its own input, in its own
        folder): as many run at a time as crack may use cores (or ``workers``). Each gets a
        harness of its own (same program, scratch and deadline, a random generator seeded
        per case) whose log is shown whole and in case order, so the log reads exactly as a
        serial run's. The failure raised is the first by case order; cases after it are
        stopped. See :mod:`crack.harness.case_pool`."""
        self._check_not_aborted()
        if self.program.containment is not None:
            # Made once here rather than by the first runs at the same time.
            self.program.containment.environment(os.environ, self.scratch)
        pool = CasePool(self, cases, check, usable_cores() if workers is None else workers)
        self._pools.append(pool)
        try:
            pool.run()
        finally:
            self._pools.remove(pool)

    def for_case(self, index: int) -> Harness:
        """A harness for case ``index`` of :meth:`run_cases`: its log is kept back."""
        case = Harness(
            stage_slug=self.stage_slug,
            program=self.program,
            log=SessionLog(self.log_session.stage_label),
            seed=self.seed,
            deadline=self.deadline,
            scratch=self.scratch,
        )
        case.random = random.Random(f"{self.seed}:{self.stage_slug}:case {index + 1}")
        return case

    def adopt(self, case: Harness) -> None:
        """Take over what a finished case handed out (ports) and started (for the verdict's
        notes) and ran (for the known-mistake hints: the failing case is adopted last);
        the case has already ended its processes."""
        self.ports += case.ports
        self._case_processes += case.processes
        self._runs += case._runs

    def spawn_interactive(self, args: Sequence[str] = (), *, timeout: float = 2.0) -> pexpect.spawn[Any]:
        """The program on a pseudo-terminal, driven with ``expect``/``sendline`` (pexpect)."""
        import pexpect

        self._check_not_aborted()
        self.log(f"$ {self.program.display(args)}")
        argv = self.program.argv(args)
        env: dict[str, str] = {**os.environ}
        containment = self.program.containment
        if containment is not None:
            self._open_scratch()
            env = containment.environment(env, self.scratch)
            confinement = containment.start(argv, env.get("PATH"))
            argv = confinement.argv
            self.defer(confinement.end)
        child = pexpect.spawn(
            argv[0],
            argv[1:],
            cwd=str(self.program.cwd),
            env={**env, **self.program.env},
            timeout=min(timeout, self.remaining()),
        )
        assert child.pid is not None
        proctree.track(child.pid)
        if containment is not None:
            confinement.started(child.pid)
        self._interactive.append(child)
        return child

    # --- known mistakes -----------------------------------------------------------------
    def known_mistakes(self, failure: BaseException | None) -> list[str]:
        """Hints for mistakes the harness recognises in any challenge (see
        :mod:`crack.harness.hints`), whatever hint the tester gave. Called when the stage
        failed, before teardown (the program must still be running to be called silent)."""
        if failure is None:
            return []
        hints = []
        if caused_by(failure, ReadTimeout) and self._kept_every_reply():
            hints.append(flush_hint(self.program.language))
        if self._runs:
            result, stdin, cwd = self._runs[-1]
            given = stdin + self._files_under(cwd)
            if (hint := stderr_hint(result.stdout, given, self.program.language)) is not None:
                hints.append(hint)
        return hints

    def _kept_every_reply(self) -> bool:
        """Whether the program, still running, read everything the tester sent on every
        open connection and yet never sent one byte back: what a buffered writer that is
        never flushed looks like (one that never read is busy elsewhere, or not reading)."""
        tcp = [conn for conn in self._connections if isinstance(conn, Connection)]
        running = any(p.is_learner and p.returncode is None for p in self._processes)
        if not tcp or not running or any(conn.received_bytes for conn in tcp):
            return False
        open_ = [conn for conn in tcp if not conn.closed]
        return bool(open_) and all(listening.unread_by_peer(conn.sock) == 0 for conn in open_)

    def _files_under(self, folder: Path | None, cap: int = 1 << 20) -> bytes:
        """What the files of a folder the tester made (in scratch) hold, up to ``cap`` bytes."""
        if folder is None or not folder.resolve().is_relative_to(self.scratch.resolve()):
            return b""
        parts, size = [], 0
        for path in sorted(folder.rglob("*")):
            try:
                if path.is_file() and not path.is_symlink():
                    parts.append(path.read_bytes()[: cap - size])
                    size += len(parts[-1])
            except OSError:
                continue
            if size >= cap:
                break
        return b"\n".join(parts)

    # --- ending --------------------------------------------------------------------------
    def _open_scratch(self) -> None:
        """Before each start: let the program's user write what the tester put in scratch."""
        if self.program.containment is not None:
            self.program.containment.grant(self.scratch)

    def _check_not_aborted(self) -> None:
        if self.aborted:
            raise StageFailure("the stage was stopped (time is up)")

    def abort(self) -> None:
        """Called from the runner thread when time is up: unblock the tester, end the program."""
        self.aborted = True
        self._stopped.set()
        for pool in list(self._pools):
            pool.abort()
        for conn in self._connections:
            conn.close()
        for process in self._processes:
            process.stop(grace=0.2)

    def teardown(self) -> list[str]:
        """Run deferred callbacks, close everything, end every process. Returns problems."""
        problems: list[str] = []
        for callback in reversed(self._teardown):
            try:
                callback()
            except Exception as exc:  # a teardown problem must not hide the verdict
                problems.append(f"teardown step failed: {exc!r}")
        for conn in self._connections:
            conn.close()
        for child in self._interactive:
            child.close(force=True)
            if child.pid is not None:
                proctree.untrack(child.pid)
        for process in self._processes:
            process.stop()
        return problems
