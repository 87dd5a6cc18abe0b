"""Talking to the learner's cache: one command line, one reply line, each checked against
the model (model.py) and, in the write-through stage, against the store file.

Every command carries the logical time (``PUT <now_ms> <key> <value>``), also for the
caches that ignore it, so the protocol is the same in every stage. Long keys and values
are shortened wherever they are shown, so a 100,000-character value never floods the
log or a failure message.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from crack.harness import Harness, StageFailure
from crack.harness.lines import LineSession

from .model import LFU, LRU, TTL, Model

NOT_FOUND = "NOT_FOUND"
FIRST_REPLY_S = 10.0
REPLY_S = 5.0
SHOWN_CHARS = 60
ERROR_HINT = "your program answered with an error: its traceback is in the log above"
STDOUT_HINT = (
    "every command gets exactly one reply line on stdout, so anything else printed there is "
    "read as a reply: write debug output to stderr (print(..., file=sys.stderr))"
)
STARTER_HINT = " (the starter's methods raise NotImplementedError until you write them)"


def shorten(text: str, limit: int = SHOWN_CHARS) -> str:
    if len(text) <= limit:
        return text
    return f"{text[: limit - 20]}…{text[-8:]} ({len(text):,} characters)"


class StoreFile:
    """The write-through stage's backing store: an append-only file the tester reads after
    every reply, so each command's lines are checked exactly and at once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.history: list[str] = []

    def read_new(self) -> str:
        try:
            with self.path.open("rb") as file:
                file.seek(self.offset)
                data = file.read()
        except FileNotFoundError:
            return ""
        self.offset += len(data)
        return data.decode("utf-8", errors="replace")


class CacheClient:
    def __init__(self, h: Harness) -> None:
        self.h = h
        # Quiet: the client logs each exchange itself, with long keys and values shortened.
        self.session: LineSession = h.start_line_session(quiet=True)
        self.clock = h.clock()
        self.model: Model = LRU(0)
        self.store: StoreFile | None = None
        self.bulk = False
        """While set, exchanges are not logged (random workloads log a summary instead)."""

    @property
    def now(self) -> int:
        return self.clock.now_ms

    def advance(self, ms: int) -> None:
        self.clock.advance(ms)

    # --- the protocol ------------------------------------------------------------------
    def ask(self, line: str) -> str:
        shown = shorten(line, 160)
        self.session.send([line])
        if not self.bulk:
            self.h.log(f"> {shown}")
        # The first reply waits for the program to start, which a busy machine slows down.
        wait = FIRST_REPLY_S if self.session.exchanges == 0 else REPLY_S
        reply = self.session.receive(shown, timeout=max(min(wait, self.h.remaining() - 0.5), 0.1))
        if not self.bulk:
            self.h.log(f"< {shorten(reply, 160)}")
        return reply

    def new(self, kind: str, capacity: int, *, ttl: int | None = None, store: Path | None = None) -> None:
        line = f"NEW {kind} {capacity}"
        if kind == "TTL":
            assert ttl is not None
            line += f" {ttl}"
            self.model = TTL(capacity, ttl)
        elif kind == "LFU":
            self.model = LFU(capacity)
        else:
            self.model = LRU(capacity)
        if store is not None:
            line += f" STORE {store}"
            self.store = StoreFile(store)
        else:
            self.store = None
        self.check(line, self.ask(line), "OK")

    def put(self, key: str, value: str, *, hint: str | None = None) -> list[str]:
        evicted = self.model.put(key, value, self.now)
        line = f"PUT {self.now} {key} {value}"
        self.check(line, self.ask(line), "OK", hint)
        if self.store is not None:
            self.check_store(line, [f"PUT {key} {value}", *(f"EVICT {victim}" for victim in evicted)])
        return evicted

    def get(self, key: str, *, hint: str | None = None) -> str | None:
        expected = self.model.get(key, self.now)
        line = f"GET {self.now} {key}"
        reply = self.ask(line)
        self.check(line, reply, NOT_FOUND if expected is None else expected, hint, key=key)
        if self.store is not None:
            self.check_store(line, [])
        return expected

    def size(self, *, hint: str | None = None) -> int:
        expected = self.model.size(self.now)
        line = f"SIZE {self.now}"
        self.check(line, self.ask(line), str(expected), hint)
        return expected

    # --- explaining a wrong reply --------------------------------------------------------
    def check(
        self, line: str, reply: str, expected: str, hint: str | None = None, *, key: str | None = None
    ) -> None:
        if reply == expected:
            return
        lines = [f"sent {shorten(line, 160)!r}: expected {shorten(expected)!r}, got {shorten(reply)!r}"]
        if reply.startswith("ERROR"):
            hint = ERROR_HINT + (STARTER_HINT if "NotImplementedError" in reply else "")
        elif expected == "OK":
            hint = STDOUT_HINT
        elif key is not None or line.startswith("SIZE"):
            if key is not None:
                lines.append(self.explain_get(key, expected, reply))
            lines.append(self.describe_contents())
        raise StageFailure("\n".join(lines) + self.transcript(), hint)

    def explain_get(self, key: str, expected: str, reply: str) -> str:
        model = self.model
        if expected == NOT_FOUND:
            return model.why_missing(key)
        if reply == NOT_FOUND:
            return f"{shorten(key)!r} is still in the cache: {self.standing(key)}"
        return f"{shorten(key)!r} was last put with the value {shorten(expected)!r}"

    def standing(self, key: str) -> str:
        model = self.model
        order = model.keys(self.now)
        place = order.index(key) + 1
        if isinstance(model, LFU):
            return (
                f"it has been used {model.frequency(key)} times, and is number {place} of "
                f"{len(order)} in eviction order"
            )
        if isinstance(model, TTL):
            expiry = model.expires[key]
            return (
                f"it expires at t={expiry}, {expiry - self.now} ms from now, and is number "
                f"{place} of {len(order)} from the least recently used"
            )
        return f"it is number {place} of {len(order)} from the least recently used"

    def describe_contents(self) -> str:
        model = self.model
        keys = [shorten(key, 24) for key in model.keys(self.now)]
        shown = ", ".join(keys[:8]) + (", …" if len(keys) > 8 else "")
        if isinstance(model, LFU):
            counted = [f"{shorten(key, 24)} ({model.frequency(key)})" for key in model.keys(self.now)]
            shown = ", ".join(counted[:8]) + (", …" if len(counted) > 8 else "")
            order = "next to evict first, with use counts"
        else:
            order = "least recently used first"
        return (
            f"The {model.kind} cache (capacity {model.capacity}) should hold {len(keys)} "
            f"key{'s' if len(keys) != 1 else ''}, {order}: [{shown}]"
        )

    def transcript(self) -> str:
        exchanges = list(self.session.transcript)
        if not exchanges:
            return ""
        lines = [f"  > {command}\n  < {shorten(reply, 160)}" for command, reply in exchanges]
        return "\nThe last exchanges before it:\n" + "\n".join(lines)

    # --- the write-through store ---------------------------------------------------------
    def check_store(self, line: str, expected: Sequence[str]) -> None:
        assert self.store is not None
        text = self.store.read_new()
        if text and not text.endswith("\n"):
            raise StageFailure(
                f"sent {shorten(line, 160)!r}: the store file ends in a partial line "
                f"{shorten(text.rsplit(chr(10), 1)[-1])!r} after your program replied",
                hint="write each store line whole, ending in \\n, and flush it before you reply",
            )
        got = text.split("\n")[:-1] if text else []
        self.store.history.extend(got)
        if got == list(expected):
            return
        lines = [
            f"sent {shorten(line, 160)!r}: the store should have received, before the reply:",
            *(f"  {shorten(entry, 100)}" for entry in expected or ["(nothing)"]),
            "but it received:",
            *(f"  {shorten(entry, 100)}" for entry in got or ["(nothing)"]),
            self.describe_contents(),
        ]
        raise StageFailure("\n".join(lines) + self.transcript(), self.store_hint(list(expected), got))

    @staticmethod
    def store_hint(expected: list[str], got: list[str]) -> str | None:
        if got and sorted(got) == sorted(expected):
            return (
                "write through first, then evict: the store hears of the new value (PUT) before "
                "it hears which key left to make room (EVICT)"
            )
        if not got and expected and expected[0].startswith("PUT"):
            return "every PUT must reach the store before your program replies OK (store.put in put())"
        missing = [entry for entry in expected if entry not in got]
        if any(entry.startswith("EVICT") for entry in missing):
            return "tell the store about every key the cache evicts (store.evict), right after the PUT"
        extra = [entry for entry in got if entry not in expected]
        if any(entry.startswith("EVICT") for entry in extra):
            return "only a new key in a full cache evicts: updating a cached key evicts nothing"
        if expected == [] and got:
            return "a GET reads the cache only: it writes nothing to the store"
        return None
