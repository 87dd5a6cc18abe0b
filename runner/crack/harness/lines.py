"""A line protocol over the program's stdin and stdout: one command, one reply.

Component challenges (a cache, a rate limiter) are graded through this so any language
works: the tester writes a command line, the program answers with one line. Replies are
read by a thread into a queue, so every wait is bounded; a wrong reply fails with the
transcript of the exchanges just before it.
"""

from __future__ import annotations

import queue
import subprocess
import threading
from collections import deque
from collections.abc import Sequence
from typing import TYPE_CHECKING

from crack.durations import format_seconds
from crack.harness.bytes_display import show
from crack.harness.failure import ConnectionClosed, ReadTimeout, StageFailure

if TYPE_CHECKING:
    from crack.harness.log import SessionLog
    from crack.harness.process import ProgramProcess

TRANSCRIPT_LINES = 8
_EOF = object()


class LineSession:
    def __init__(self, process: ProgramProcess, log: SessionLog, *, quiet: bool = False) -> None:
        assert process.popen.stdin is not None and process.popen.stdout is not None
        self.process = process
        self.log = log
        self.quiet = quiet
        self._stdin = process.popen.stdin
        self._replies: queue.Queue[bytes | object] = queue.Queue()
        self.transcript: deque[tuple[str, str]] = deque(maxlen=TRANSCRIPT_LINES)
        self.exchanges = 0
        threading.Thread(target=self._read, args=(process.popen.stdout,), daemon=True).start()

    def _read(self, stream: object) -> None:
        for raw in stream:  # type: ignore[attr-defined]
            self._replies.put(raw)
        self._replies.put(_EOF)

    # --- sending and receiving --------------------------------------------------------------
    def send(self, lines: Sequence[str]) -> None:
        """Write command lines in one go (a batch: replies are read afterwards)."""
        data = "".join(f"{line}\n" for line in lines).encode()
        if not self.quiet:
            for line in lines:
                self.log.tester(f"> {line}")
        try:
            self._stdin.write(data)
            self._stdin.flush()
        except (BrokenPipeError, ValueError):
            pass  # the program has exited: the next read says so

    def receive(self, command: str, timeout: float = 2.0) -> str:
        try:
            item = self._replies.get(timeout=timeout)
        except queue.Empty:
            raise ReadTimeout(
                f"sent {command!r}: expected a reply line within {format_seconds(timeout)}, got nothing"
                + self._transcript_text(),
                hint="print exactly one line per command, and flush stdout after it",
            ) from None
        if item is _EOF:
            try:  # its output ended: it is exiting, so its exit status is a moment away
                self.process.popen.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                pass
            raise ConnectionClosed(
                f"sent {command!r}: your program closed its output ({self.process.exit_description()}) "
                f"instead of replying" + self._transcript_text(),
                hint="read commands in a loop until stdin ends",
            )
        assert isinstance(item, bytes)
        if not item.endswith(b"\n"):
            raise StageFailure(f"sent {command!r}: the reply {show(item)} does not end with a newline")
        reply = item[:-1].decode("utf-8", errors="replace").rstrip("\r")
        if not self.quiet:
            self.log.tester(f"< {reply}")
        self.transcript.append((command, reply))
        self.exchanges += 1
        return reply

    def ask(self, command: str, timeout: float = 2.0) -> str:
        self.send([command])
        return self.receive(command, timeout)

    def ask_many(self, commands: Sequence[str], timeout: float = 10.0) -> list[str]:
        """Send a batch, then read one reply per command (for workloads: no round trips)."""
        self.send(commands)
        return [self.receive(command, timeout) for command in commands]

    def expect(self, command: str, expected: str, hint: str | None = None, timeout: float = 2.0) -> None:
        reply = self.ask(command, timeout)
        if reply != expected:
            raise StageFailure(
                f"sent {command!r}: expected {expected!r}, got {reply!r}" + self._transcript_text(),
                hint=hint,
            )

    def _transcript_text(self) -> str:
        if not self.transcript:
            return ""
        lines = [f"  > {command}\n  < {reply}" for command, reply in self.transcript]
        return "\nThe last exchanges before it:\n" + "\n".join(lines)

    def close(self) -> None:
        try:
            self._stdin.close()
        except (BrokenPipeError, OSError):
            pass
