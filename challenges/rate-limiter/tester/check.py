"""Driving the program's limiter over the line protocol and explaining wrong replies.

Every ``ALLOW`` reply is compared with the exact model (:mod:`.model`). A wrong reply fails
with what was sent, what was expected and what came back, the configuration, and that
client's requests just before it (per client, since clients are independent). Known
mistakes are modelled too and run beside the model: when the program's replies so far are
exactly those of a mistake, the hint names it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from crack.harness import Harness, LogicalClock, StageFailure
from crack.harness.lines import LineSession

from .model import Config, Limiter, build

HISTORY = 8
FIRST_REPLY_S = 10.0
"""A program may start slowly (a JVM, a compile on first run): the first reply may take
this long; later ones are expected promptly."""
BATCH = 2_000


@dataclass
class Mistake:
    """A known wrong algorithm, run beside the model on the same requests.

    It stays a suspect while it takes the same decisions as the program (ALLOWED, DENIED
    or QUEUED; the numbers may differ, since a mistake in one place rarely leaves the
    retry arithmetic untouched). At the first wrong reply, a suspect that gives exactly
    that reply, or at least the same wrong decision, names the mistake.
    """

    limiter: Limiter
    hint: str
    consistent: bool = True
    last: str = ""


@dataclass
class Exchange:
    now: int
    command: str
    reply: str


@dataclass
class Driver:
    """One program, one limiter configuration at a time."""

    h: Harness
    session: LineSession
    clock: LogicalClock
    first: bool = True
    config: Config | None = None
    model: Limiter | None = None
    mistakes: list[Mistake] = field(default_factory=list)
    default_hint: str | None = None
    history: dict[str, deque[Exchange]] = field(default_factory=dict)
    sent: int = 0

    def _timeout(self) -> float:
        limit = FIRST_REPLY_S if self.first else 2.0
        self.first = False
        return max(min(limit, self.h.remaining() - 0.2), 0.1)

    def configure(
        self,
        config: Config,
        mistakes: Sequence[tuple[Limiter, str]] = (),
        hint: str | None = None,
    ) -> None:
        """Send ``CONFIG`` (a fresh limiter: every client forgotten) and expect ``OK``."""
        reply = self.session.ask(config.line, self._timeout())
        if reply != "OK":
            raise StageFailure(
                f"sent {config.line!r}: expected 'OK', got {reply!r}",
                hint="CONFIG replaces the limiter with a new one (every client forgotten) and "
                "is answered with OK; its parameters are key=value words, e.g. limit=5 window=1000",
            )
        self.config = config
        self.model = build(config)
        self.mistakes = [Mistake(limiter, text) for limiter, text in mistakes]
        self.default_hint = hint
        self.history = {}

    def allow(self, now: int, client: str, note: str = "") -> str:
        """One request, one reply, checked; ``note`` says why this moment matters."""
        command = f"ALLOW {now} {client}"
        if note and not self.session.quiet:
            self.h.log(f"({note})")
        reply = self.session.ask(command, self._timeout())
        self._check(now, client, command, reply, note)
        return reply

    def many(self, requests: Sequence[tuple[int, str]]) -> list[str]:
        """A workload: requests written in batches, replies read after each batch."""
        replies: list[str] = []
        for start in range(0, len(requests), BATCH):
            chunk = requests[start : start + BATCH]
            commands = [f"ALLOW {now} {client}" for now, client in chunk]
            got = self.session.ask_many(commands[:1], timeout=self._timeout())
            got += self.session.ask_many(commands[1:], timeout=10.0)
            for (now, client), command, reply in zip(chunk, commands, got, strict=True):
                self._check(now, client, command, reply, "")
            replies += got
        return replies

    def _check(self, now: int, client: str, command: str, reply: str, note: str) -> None:
        assert self.model is not None and self.config is not None
        self.clock.set(max(self.clock.now_ms, now))
        expected = str(self.model.allow(client, now))
        for mistake in self.mistakes:
            if mistake.consistent:
                mistake.last = str(mistake.limiter.allow(client, now))
                mistake.consistent = _word(mistake.last) == _word(reply)
        self.sent += 1
        if reply != expected:
            raise self._failure(now, client, command, expected, reply, note)
        self.history.setdefault(client, deque(maxlen=HISTORY)).append(Exchange(now, command, reply))

    def _failure(
        self, now: int, client: str, command: str, expected: str, reply: str, note: str
    ) -> StageFailure:
        assert self.config is not None
        when = self.clock_text(now)
        lines = [
            f"sent {command!r} ({when}{'; ' + note if note else ''})",
            f"expected {expected!r}",
            f"     got {reply!r}",
            f"The limiter: {self.config.line}",
        ]
        earlier = self.history.get(client)
        if earlier:
            lines.append(f"{client}'s requests just before it:")
            lines += [f"  {e.command}  →  {e.reply}   ({self.clock_text(e.now)})" for e in earlier]
        else:
            lines.append(f"It was {client}'s first request since the CONFIG.")
        suspects = [m for m in self.mistakes if m.consistent]
        exact = [m for m in suspects if m.last == reply]
        decision = [m for m in suspects if _word(reply) != _word(expected)]
        hint = next((m.hint for m in exact + decision), None)
        if hint is None and _word(reply) == "ERROR":
            hint = (
                "your program answered with an error instead of a decision: its text says what "
                "is missing, and `crack task` shows the exact replies this stage expects"
            )
        elif hint is None and _word(reply) not in ("ALLOWED", "DENIED", "QUEUED"):
            hint = (
                "each ALLOW is answered with one line: ALLOWED <remaining> or DENIED <retry-ms> "
                "(QUEUED <wait-ms> for the leaky bucket); write logs to stderr, never to stdout"
            )
        return StageFailure("\n".join(lines), hint=hint or self.default_hint)

    def clock_text(self, now: int) -> str:
        return f"t={now}, +{now - self.clock.start_ms:,} ms"


def _word(reply: str) -> str:
    return reply.split(" ")[0]


def start(h: Harness) -> Driver:
    """Start the program on the line protocol, with a fresh logical clock."""
    session = h.start_line_session()
    return Driver(h, session, h.clock())


def window_start_after(now: int, window: int) -> int:
    """The first window start at or after ``now``."""
    return -(-now // window) * window
