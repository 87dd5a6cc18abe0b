"""Talking to the learner's program: one command line, one reply line.

Single exchanges are logged as they happen; workloads of thousands of lookups are sent in
batches (one write, then one reply per command) and summarised in the log instead, so a
failure shows the exchange that went wrong and the few before it, not ten thousand lines.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from crack.harness import Harness, StageFailure
from crack.harness.lines import LineSession

FIRST_REPLY_S = 10.0
REPLY_S = 5.0
BATCH_S = 30.0
ERROR_HINT = (
    "your program answered with an error: its message is in the reply, and what it wrote to "
    "stderr is in the log above"
)
STARTER_HINT = ' (the starter answers "not written yet" for each part until you write it)'
STDOUT_HINT = (
    "every command gets exactly one reply line on stdout, so anything else written there is "
    "read as a reply: write debug output to stderr"
)


def error_hint(reply: str) -> str:
    return ERROR_HINT + (STARTER_HINT if "NotImplementedError" in reply or "not written yet" in reply else "")


class LineClient:
    def __init__(self, h: Harness) -> None:
        self.h = h
        self.session: LineSession = h.start_line_session(quiet=True)
        self.quiet = False
        """While set, single exchanges are not logged (a workload logs a summary instead)."""

    def _timeout(self, wait: float) -> float:
        # The first reply waits for the program to start, which a busy machine slows down.
        if self.session.exchanges == 0:
            wait = max(wait, FIRST_REPLY_S)
        return max(min(wait, self.h.remaining() - 0.5), 0.1)

    def ask(self, line: str) -> str:
        self.session.send([line])
        if not self.quiet:
            self.h.log(f"> {line}")
        reply = self.session.receive(line, timeout=self._timeout(REPLY_S))
        if not self.quiet:
            self.h.log(f"< {reply}")
        if reply.startswith("ERROR"):
            self.fail(line, reply, "a reply, not an error", error_hint(reply))
        return reply

    def expect(self, line: str, expected: str, hint: str | None = None) -> None:
        reply = self.ask(line)
        if reply != expected:
            self.fail(line, reply, repr(expected), STDOUT_HINT if expected == "OK" else hint)

    def batch(self, lines: Sequence[str], check: Callable[[str, str], None] | None = None) -> list[str]:
        """Send ``lines`` in one write and read one reply each (not logged one by one).

        Each reply is checked as it arrives (an error, then ``check``), so a failure's
        transcript ends at the exchange that failed."""
        self.session.send(lines)
        timeout = self._timeout(BATCH_S)
        replies = []
        for line in lines:
            reply = self.session.receive(line, timeout=timeout)
            if reply.startswith("ERROR"):
                self.fail(line, reply, "a reply, not an error", error_hint(reply))
            if check is not None:
                check(line, reply)
            replies.append(reply)
        return replies

    def expect_all(self, lines: Sequence[str], expected: str) -> None:
        def check(line: str, reply: str) -> None:
            if reply != expected:
                self.fail(line, reply, repr(expected), STDOUT_HINT if expected == "OK" else None)

        self.batch(lines, check)

    def fail(self, line: str, reply: str, expected: str, hint: str | None = None, *, more: str = "") -> None:
        text = f"sent {line!r}: expected {expected}, got {reply!r}"
        if more:
            text += "\n" + more
        raise StageFailure(text + self.transcript(), hint)

    def transcript(self) -> str:
        exchanges = list(self.session.transcript)[-5:]
        if len(exchanges) < 2:
            return ""
        lines = [f"  > {command}\n  < {reply}" for command, reply in exchanges]
        return "\nThe last exchanges before it:\n" + "\n".join(lines)
