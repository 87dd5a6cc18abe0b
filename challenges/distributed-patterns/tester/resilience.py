"""The retry and circuit-breaker stages: calls to a flaky upstream on logical time.

The tester scripts what the upstream answers to the next attempts, sends ``CALL <now>``,
and reads what the program decided: ``OK <body>``, ``WAIT <ms>`` (it will try again after
that long: the tester moves its clock on and sends ``RESUME <now>``), ``FAILED <error>``
or ``REJECTED`` (the breaker is open). After every reply it counts the upstream's
connections, so an attempt that was not made, or one made while the breaker was open,
shows. The models below decide every expected reply: the retry policy as tenacity's
``stop_after_attempt`` and ``wait_exponential`` / ``wait_random_exponential`` compute it,
the breaker as pybreaker's state machine runs (tests hold both to those libraries).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from crack.harness import Harness
from crack.harness.clock import LogicalClock

from .client import LineClient
from .upstream import TRANSIENT, ScriptedUpstream

DelayCheck = Callable[[int, int], tuple[str, str, str] | None]
"""(attempt, delay) -> None, or what was expected, why, and a hint."""

SHOWN = {"ok": "OK token-…", "reset": "a TCP reset", "close": "a close without a reply"}


def shown(outcome: str) -> str:
    return SHOWN.get(outcome, f"ERROR {outcome}")


def backoff(base: int, cap: int, attempt: int) -> int:
    """The exponential delay after failed attempt ``attempt``: base·2^(attempt-1), capped."""
    return min(cap, base * (1 << (attempt - 1)))


class Breaker:
    """The circuit breaker as pybreaker runs it (success_threshold 1)."""

    def __init__(self, threshold: int, reset_ms: int, start: int = 0) -> None:
        self.start = start  # the clock's first reading, so messages say "t+1,500 ms"
        self.threshold = threshold
        self.reset_ms = reset_ms
        self.state = "closed"
        self.failures = 0
        self.opened_at = 0

    def allow(self, now: int) -> bool:
        if self.state == "open":
            if now < self.opened_at + self.reset_ms:
                return False
            self.state = "half-open"
        return True

    def success(self) -> None:
        self.state = "closed"
        self.failures = 0

    def failure(self, now: int) -> None:
        self.failures += 1
        if self.state == "half-open" or self.failures >= self.threshold:
            self.state = "open"
            self.opened_at = now
            self.failures = 0

    def describe(self, now: int) -> str:
        if self.state == "open":
            opened = self.opened_at - self.start
            return (
                f"the breaker opened at t+{opened:,} ms, so it is open until t+{opened + self.reset_ms:,} ms "
                f"(now t+{now - self.start:,} ms)"
            )
        if self.state == "half-open":
            return (
                "the breaker is half-open (reset_ms have passed since it opened), so this call is its trial"
            )
        return (
            f"the breaker is closed, with {self.failures} failure(s) in a row so far "
            f"(it opens at {self.threshold})"
        )


@dataclass
class Session:
    h: Harness
    client: LineClient
    upstream: ScriptedUpstream
    clock: LogicalClock

    @property
    def t(self) -> int:
        return self.clock.elapsed_ms

    def new(self, line: str) -> None:
        self.client.expect(line, "OK")

    def log(self, text: str) -> None:
        if not self.client.quiet:
            self.h.log(text)

    def send(self, verb: str) -> tuple[str, str, int]:
        """Send CALL or RESUME at the current time; the reply and how many connections it made."""
        before = self.upstream.connections
        line = f"{verb} {self.clock.now_ms}"
        reply = self.client.ask(line)
        return line, reply, self.upstream.connections - before

    def fail(self, line: str, reply: str, expected: str, why: str, hint: str | None) -> None:
        self.client.fail(line, reply, expected, hint, more=why)

    def check_connections(
        self, line: str, reply: str, made: int, want: int, why: str, hint: str | None = None
    ) -> None:
        if made != want:
            self.fail(
                line,
                reply,
                f"{want} connection(s) to the upstream",
                f"your program made {made} connection(s) to the upstream for this command; {why}",
                hint or "one attempt is one connection; no attempt at all while the breaker is open",
            )


def retry_call(
    s: Session,
    outcomes: Sequence[str],
    attempts: int,
    delay_check: DelayCheck,
    *,
    hint: str | None = None,
) -> list[int]:
    """One call whose attempts meet ``outcomes``; every reply checked. Returns the delays."""
    s.upstream.script(outcomes)
    s.log(f"The upstream will answer: {', '.join(shown(o) for o in outcomes)}")
    delays: list[int] = []
    verb = "CALL"
    for attempt, outcome in enumerate(outcomes, start=1):
        token = s.upstream.token()
        line, reply, made = s.send(verb)
        s.check_connections(line, reply, made, 1, f"attempt {attempt} is one request")
        word, _, rest = reply.partition(" ")
        if outcome == "ok":
            if reply != f"OK {token}":
                s.fail(
                    line,
                    reply,
                    repr(f"OK {token}"),
                    f"attempt {attempt} succeeded: the upstream answered OK {token}",
                    hint,
                )
            return delays
        transient = outcome in TRANSIENT
        if transient and attempt < attempts:
            if word != "WAIT" or not rest.isdigit():
                s.fail(
                    line,
                    reply,
                    "WAIT <ms>",
                    f"attempt {attempt} of {attempts} met {shown(outcome)}, a transient error: try again",
                    hint
                    or "503, 502, a reset and a close without a reply are transient: retry them until the "
                    "attempts run out",
                )
            delay = int(rest)
            wrong = delay_check(attempt, delay)
            if wrong:
                expected, why, delay_hint = wrong
                s.fail(line, reply, expected, why, hint or delay_hint)
            delays.append(delay)
            s.clock.advance(delay)
            verb = "RESUME"
            continue
        if word != "FAILED":
            if transient:
                why = f"attempt {attempt} was the last of {attempts} allowed (the first one included)"
                h = "count every attempt, the first one included: stop after max_attempts"
            else:
                why = f"{shown(outcome)} is a permanent error: the same request would fail again"
                h = "400 and 404 are the caller's fault: retrying repeats the same bad request; fail at once"
            s.fail(line, reply, "FAILED <error>", why, hint or h)
        return delays
    raise AssertionError("a scripted call ends in ok, a permanent error or its last attempt")


def breaker_call(s: Session, breaker: Breaker, outcome: str, *, hint: str | None = None) -> str:
    """One call through the breaker alone; every reply checked against the model."""
    allowed = breaker.allow(s.clock.now_ms)
    state = breaker.describe(s.clock.now_ms) if not allowed else ""
    s.upstream.script([outcome] if allowed else [])
    token = s.upstream.token()
    line, reply, made = s.send("CALL")
    if not allowed:
        if reply != "REJECTED" or made:
            s.fail(
                line,
                reply,
                "'REJECTED', without calling the upstream",
                f"{state}: an open breaker fails fast",
                hint
                or "while open, allow() answers false until reset_ms have passed since the breaker opened",
            )
        return "REJECTED"
    was = breaker.describe(s.clock.now_ms)
    if outcome == "ok":
        breaker.success()
        expected = f"OK {token}"
    else:
        breaker.failure(s.clock.now_ms)
        expected = "FAILED"
    s.check_connections(line, reply, made, 1, f"{was}, so the call goes to the upstream", hint)
    if reply.split(" ")[0] != expected.split(" ")[0] or (outcome == "ok" and reply != expected):
        s.fail(
            line,
            reply,
            repr(expected) if outcome == "ok" else "FAILED <error>",
            f"the upstream answered {shown(outcome)}",
            hint,
        )
    return reply


def client_call(
    s: Session, breaker: Breaker, outcomes: Sequence[str], attempts: int, base: int, cap: int
) -> None:
    """One call through retries and the breaker together (no jitter): each attempt first asks
    the breaker; an attempt it refuses ends the call with REJECTED."""
    s.upstream.script(outcomes)
    s.log(f"The upstream will answer: {', '.join(shown(o) for o in outcomes)}")
    verb = "CALL"
    remaining = list(outcomes)
    for attempt in range(1, attempts + 1):
        now = s.clock.now_ms
        if not breaker.allow(now):
            line, reply, made = s.send(verb)
            if reply != "REJECTED" or made:
                s.fail(
                    line,
                    reply,
                    "'REJECTED', without calling the upstream",
                    f"attempt {attempt}: {breaker.describe(now)}; every attempt, retries included, asks "
                    "the breaker first",
                    "check the breaker before each attempt, not only the first: a retry into an open "
                    "breaker must fail fast",
                )
            s.upstream.script([])
            return
        was = breaker.describe(now)
        outcome = remaining.pop(0)
        token = s.upstream.token()
        line, reply, made = s.send(verb)
        s.check_connections(line, reply, made, 1, f"attempt {attempt}: {was}")
        if outcome == "ok":
            breaker.success()
            if reply != f"OK {token}":
                s.fail(line, reply, repr(f"OK {token}"), f"attempt {attempt} succeeded", None)
            return
        breaker.failure(now)
        if attempt < attempts:
            want = backoff(base, cap, attempt)
            if reply != f"WAIT {want}":
                s.fail(
                    line,
                    reply,
                    repr(f"WAIT {want}"),
                    f"attempt {attempt} of {attempts} met {shown(outcome)}; then {breaker.describe(now)}. "
                    "The retry policy decides on the error alone; the breaker answers at the next attempt",
                    "record the failure in the breaker, then ask the retry policy; do not give up because "
                    "the breaker just opened: the next attempt finds it open and ends the call",
                )
            s.clock.advance(want)
            verb = "RESUME"
            continue
        if not reply.startswith("FAILED"):
            s.fail(line, reply, "FAILED <error>", f"attempt {attempt} was the last of {attempts}", None)
        return
