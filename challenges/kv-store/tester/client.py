"""Talking to the learner's store: one command line, one reply line, each checked against a
model map of what every acknowledged write left.

The protocol (stage pages): ``PUT key value`` → ``OK``; ``GET key`` → ``VALUE value`` or
``NOT_FOUND``; ``DEL key`` → ``OK``; ``COMPACT`` → ``OK``; ``SCAN start end`` → one line
``key value`` per key in [start, end), in key order, then ``END``. Long values are shortened
wherever they are shown, so a 100,000-byte value never floods the log.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from crack.harness import Connection, Harness, ProgramProcess, StageFailure, WriteMode
from crack.harness.bytes_display import show

SHOWN = 60
REPLY_S = 5.0
BULK_S = 20.0
LINE_LIMIT = 4 << 20


def shorten(text: str, limit: int = SHOWN) -> str:
    if len(text) <= limit:
        return text
    return f"{text[: limit - 20]}…{text[-8:]} ({len(text.encode()):,} bytes)"


def describe(expected: str | None) -> str:
    return "NOT_FOUND" if expected is None else f"VALUE {shorten(expected)}"


@dataclass
class Store:
    """One run of the learner's program on a data directory, with its connection."""

    h: Harness
    data_dir: Path
    model: dict[str, str] = field(default_factory=dict)
    maybe: dict[str, list[str | None]] = field(default_factory=dict)
    """Keys whose writes were sent but not acknowledged before a kill: each may hold any of
    these values (None: deleted) instead of the model's."""
    process: ProgramProcess | None = None
    conn: Connection | None = None
    runs: int = 0

    # --- runs --------------------------------------------------------------------------
    def start(self) -> None:
        port = self.h.free_port()
        self.process = self.h.start_server(["--port", str(port), "--data-dir", str(self.data_dir)], port)
        self.conn = self.h.connect(port, name=f"run {self.runs + 1}", show_bytes=False)
        self.runs += 1

    def kill(self, why: str = "") -> None:
        assert self.process is not None and self.conn is not None
        self.h.log(f"Killing your program with SIGKILL{why} (no chance to save anything on exit).")
        self.conn.close()
        self.h.kill(self.process)

    def restart(self, why: str = "") -> None:
        self.kill(why)
        self.h.log("Starting it again on the same --data-dir…")
        self.start()

    # --- the protocol ------------------------------------------------------------------
    def call(self, line: str, *, quiet: bool = False, timeout: float = REPLY_S) -> str:
        assert self.conn is not None
        if not quiet:
            self.h.log(f"> {shorten(line, 100)}")
        # Quiet exchanges are bulk ones: written whole, or a byte-at-a-time connection would
        # spend a tenth of a second on each (the logged ones are cut as the seed says).
        self.conn.send(f"{line}\n".encode(), mode=WriteMode.WHOLE if quiet else None)
        reply = self.read_reply(line, timeout)
        if not quiet:
            self.h.log(f"< {shorten(reply, 100)}")
        return reply

    def read_reply(self, line: str, timeout: float = REPLY_S) -> str:
        assert self.conn is not None
        raw = self.conn.read_until(
            b"\n",
            timeout=min(timeout, self.h.remaining()),
            waiting_for=f"the reply to {shorten(line, 80)}",
            limit=LINE_LIMIT,
        )
        try:
            return raw[:-1].decode()
        except UnicodeDecodeError:
            raise StageFailure(
                f"sent {shorten(line)}\n  expected a reply line of UTF-8 text\n       got {show(raw)}"
            ) from None

    def mismatch(self, line: str, expected: str, got: str, hint: str | None) -> StageFailure:
        return StageFailure(f"sent {shorten(line)}\n  expected {expected}\n       got {shorten(got)}", hint)

    def put(self, key: str, value: str, *, quiet: bool = False) -> None:
        line = f"PUT {key} {value}"
        reply = self.call(line, quiet=quiet)
        if reply != "OK":
            raise self.mismatch(line, "OK", reply, _error_hint(reply))
        self.model[key] = value

    def delete(self, key: str, *, quiet: bool = False) -> None:
        line = f"DEL {key}"
        reply = self.call(line, quiet=quiet)
        if reply != "OK":
            raise self.mismatch(line, "OK (whether or not the key existed)", reply, _error_hint(reply))
        self.model.pop(key, None)

    def get(
        self, key: str, *, hint: str | None = None, quiet: bool = False, accept: Sequence[str | None] = ()
    ) -> None:
        line = f"GET {key}"
        reply = self.call(line, quiet=quiet)
        expected = self.model.get(key)
        allowed = [expected, *accept]
        if any(_reply_for(value) == reply for value in allowed):
            if accept and reply != _reply_for(expected):
                # One of the other answers the stage allows: the model follows the program.
                value = reply.removeprefix("VALUE ") if reply.startswith("VALUE ") else None
                if value is None:
                    self.model.pop(key, None)
                else:
                    self.model[key] = value
            return
        shown = " or ".join(dict.fromkeys(describe(value) for value in allowed))
        raise self.mismatch(line, shown, reply, hint or _get_hint(reply, expected))

    def compact(self, *, timeout: float = BULK_S) -> None:
        reply = self.call("COMPACT", timeout=timeout)
        if reply != "OK":
            raise self.mismatch("COMPACT", "OK once compaction is done", reply, _error_hint(reply))

    def check_all(self, *, hint: str | None = None, gone: Sequence[str] = ()) -> None:
        """GET every key of the model (and every key in ``gone``, which must be missing),
        pipelined, and compare; one summary line in the log."""
        keys = list(dict.fromkeys([*self.model, *gone, *self.maybe]))
        self.h.log(f"Checking all {len(keys)} keys with GET…")
        replies = self.pipeline([f"GET {key}" for key in keys])
        for key, reply in zip(keys, replies, strict=True):
            expected = self.model.get(key)
            allowed = [expected, *self.maybe.get(key, [])]
            matched = next((value for value in allowed if reply == _reply_for(value)), "")
            if matched == "":
                shown = " or ".join(dict.fromkeys(describe(value) for value in allowed))
                raise self.mismatch(f"GET {key}", shown, reply, hint or _get_hint(reply, expected))
            if matched is None:
                self.model.pop(key, None)
            else:
                self.model[key] = matched
        after_kill = " (or a write sent after it, before the kill)" if self.maybe else ""
        self.maybe.clear()
        self.h.log(f"All {len(keys)} keys hold what was acknowledged last{after_kill}.")

    def load(self, pairs: Sequence[tuple[str, str | None]], *, what: str) -> None:
        """PUT (value) or DEL (None) every pair, pipelined in batches, checking each OK."""
        self.h.log(f"Sending {len(pairs):,} {what}…")
        for start in range(0, len(pairs), 500):
            batch = pairs[start : start + 500]
            lines = [f"PUT {k} {v}" if v is not None else f"DEL {k}" for k, v in batch]
            for line, reply, (key, value) in zip(lines, self.pipeline(lines), batch, strict=True):
                if reply != "OK":
                    raise self.mismatch(line, "OK", reply, _error_hint(reply))
                if value is None:
                    self.model.pop(key, None)
                else:
                    self.model[key] = value

    def load_then_kill(self, pairs: Sequence[tuple[str, str | None]], acknowledged: int) -> None:
        """Send every pair in one write, read ``acknowledged`` replies, then SIGKILL the
        program while it works on the rest: those may or may not have been applied."""
        assert self.conn is not None
        lines = [f"PUT {k} {v}" if v is not None else f"DEL {k}" for k, v in pairs]
        self.h.log(
            f"Sending {len(lines):,} writes in one go; crack kills your program after the OK of "
            f"write {acknowledged:,}."
        )
        self.conn.send("".join(f"{line}\n" for line in lines).encode(), mode=WriteMode.WHOLE)
        for line, (key, value) in zip(lines[:acknowledged], pairs[:acknowledged], strict=True):
            reply = self.read_reply(line, BULK_S)
            if reply != "OK":
                raise self.mismatch(line, "OK", reply, _error_hint(reply))
            if value is None:
                self.model.pop(key, None)
            else:
                self.model[key] = value
            self.maybe.pop(key, None)
        for key, value in pairs[acknowledged:]:
            self.maybe.setdefault(key, []).append(value)
        self.kill(f" after {acknowledged:,} of {len(lines):,} OKs")

    def pipeline(self, lines: Sequence[str]) -> list[str]:
        """Send ``lines`` in one write and read one reply per line."""
        assert self.conn is not None
        self.conn.send("".join(f"{line}\n" for line in lines).encode(), mode=WriteMode.WHOLE)
        return [self.read_reply(line, BULK_S) for line in lines]

    def scan(self, start: str, end: str, *, hint: str | None = None) -> None:
        line = f"SCAN {start} {end}"
        self.h.log(f"> {line}")
        assert self.conn is not None
        self.conn.send(f"{line}\n".encode())
        expected = sorted((k, v) for k, v in self.model.items() if start <= k < end)
        got: list[str] = []
        while True:
            reply = self.read_reply(line)
            if reply == "END":
                break
            if not got and reply.startswith("ERR"):
                raise self.mismatch(line, "the keys in range, then END", reply, _error_hint(reply))
            got.append(reply)
            if len(got) > len(self.model) + 10:
                break
        self.h.log(f"< {len(got)} lines, then END" if reply == "END" else f"< {len(got)} lines and no END")
        wanted = [f"{k} {v}" for k, v in expected]
        if got == wanted and reply == "END":
            return
        for index, (want, have) in enumerate(zip(wanted, got, strict=False)):
            if want != have:
                raise self.mismatch(
                    line,
                    f"line {index + 1} to be {shorten(want)}",
                    have,
                    hint or _scan_hint(want, have, wanted, got, (start, end)),
                )
        raise StageFailure(
            f"sent {line}\n  expected {len(wanted)} lines (keys in [{start}, {end}) in key order), then END\n"
            f"       got {len(got)} lines{', then END' if reply == 'END' else ''}"
            + (f"; the first extra one: {shorten(got[len(wanted)])}" if len(got) > len(wanted) else ""),
            hint
            or "SCAN lists every live key from start (included) to end (excluded), no deleted key, then END",
        )


def _reply_for(value: str | None) -> str:
    return "NOT_FOUND" if value is None else f"VALUE {value}"


def _error_hint(reply: str) -> str | None:
    if reply.startswith("ERR"):
        return "your program answered with an error: its output is in the log above"
    return None


def _get_hint(reply: str, expected: str | None) -> str | None:
    if expected is None and reply.startswith("VALUE "):
        return "this key was deleted (or never written): a DEL must hide every older value of the key"
    if (
        expected is not None
        and reply == f"VALUE {expected[: len(reply) - 6]}"
        and len(reply) - 6 < len(expected)
    ):
        return "the value came back cut short: read the whole record (its length is in the record)"
    if expected is not None and reply.startswith("VALUE ") and reply != f"VALUE {expected}":
        return "an older value came back: the newest record of a key must win"
    return _error_hint(reply)


def _scan_hint(want: str, have: str, wanted: list[str], got: list[str], bounds: tuple[str, str]) -> str:
    if sorted(got) == wanted:
        return "the keys are all there but out of order: SCAN returns keys in byte order (sort them)"
    have_key = have.split(" ", 1)[0]
    if want.split(" ", 1)[0] == have_key:
        return (
            "an older value of the key came back: when merging tables (and the memtable), the "
            "newest version of a key wins"
        )
    if [line.split(" ", 1)[0] for line in got].count(have_key) > 1:
        return (
            "a key was listed twice: when a key has versions in several places (the memtable, "
            "several tables), SCAN lists it once, with its newest version"
        )
    live = {line.split(" ", 1)[0] for line in wanted}
    if bounds[0] <= have_key < bounds[1] and have_key not in live:
        return (
            "a deleted key came back: its newest version is a tombstone (in the memtable or a "
            "newer table), which hides every older version; merge first, then leave out the "
            "keys whose newest version is a tombstone"
        )
    return "SCAN lists every live key in [start, end), the newest value of each, in key order"


@contextmanager
def context(prefix: str, hint: str | None = None) -> Iterator[None]:
    """Put ``prefix`` in front of a failure raised inside, and ``hint`` in place of its own."""
    try:
        yield
    except StageFailure as exc:
        failure = exc.with_context(prefix)
        failure.hint = hint or exc.hint
        raise failure from None
