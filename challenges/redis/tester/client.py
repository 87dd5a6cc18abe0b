"""A RESP client for the tester: sends commands, reads replies, explains mismatches."""

from __future__ import annotations

from collections.abc import Callable

from crack.harness import Connection, Harness, ProgramIOError, StageFailure, WriteMode
from crack.harness.bytes_display import show

from .resp import (
    Array,
    Bulk,
    Error,
    RespValue,
    Simple,
    describe,
    describe_command,
    encode,
    encode_command,
    read_value,
)

REPLY_TIMEOUT_S = 2.0


def known_mistake(expected: RespValue, got: RespValue) -> str | None:
    """A hint for the mistakes learners make most, judged from the two values."""
    if isinstance(expected, Simple) and isinstance(got, Bulk) and got.value == expected.value.encode():
        return f'"{expected.value}" is a simple string: send +{expected.value}\\r\\n, not a bulk string'
    if isinstance(expected, Bulk) and isinstance(got, Simple) and expected.value == got.value.encode():
        return "this reply is a bulk string: $<length>\\r\\n<data>\\r\\n, not a simple string"
    if expected == Bulk(None) and got == Bulk(b""):
        return "a missing key is the null bulk string $-1\\r\\n, not the empty bulk string $0\\r\\n\\r\\n"
    if expected == Bulk(b"") and got == Bulk(None):
        return "the value is an empty string: $0\\r\\n\\r\\n, not the null bulk string"
    if isinstance(expected, Error) and isinstance(got, Error):
        return "the error text must match Redis's word for word (after the leading '-')"
    if isinstance(expected, Bulk) and expected.value is not None and got == Bulk(None):
        return "the key should still exist here"
    if expected == Bulk(None) and isinstance(got, Bulk):
        return "this key should not exist (anymore) here"
    return None


class RespClient:
    def __init__(self, harness: Harness, conn: Connection) -> None:
        self.h = harness
        self.conn = conn
        self.name = conn.name

    def send(self, *args: str | bytes) -> bytes:
        data = encode_command(*args)
        self.h.log(f"{self.name}: > {describe_command(args)}")
        self.conn.send(data)
        return data

    def send_raw(self, data: bytes, what: str, mode: WriteMode | None = None) -> None:
        self.h.log(f"{self.name}: > {what} {show(data)}")
        self.conn.send(data, mode=mode)

    def read(self, waiting_for: str, timeout: float = REPLY_TIMEOUT_S) -> tuple[RespValue, bytes]:
        value, raw = read_value(self.conn, timeout, waiting_for)
        self.h.log(f"{self.name}: < {show(raw)}")
        return value, raw

    def expect_reply(
        self,
        command: tuple[str | bytes, ...],
        sent: bytes,
        expected: RespValue,
        *,
        timeout: float = REPLY_TIMEOUT_S,
        hint: str | None = None,
        normalize: Callable[[RespValue], RespValue] | None = None,
    ) -> RespValue:
        what = f"the reply to {describe_command(command)}"
        try:
            got, raw = self.read(what, timeout)
        except ProgramIOError as exc:
            if hint and not exc.hint:  # the stage's hint explains a silence as well as a wrong reply
                raise type(exc)(exc.message, hint, exc.received) from None
            raise
        compared = normalize(got) if normalize else got
        if compared != expected:
            raise StageFailure(
                f"{self.name} sent {describe_command(command)} ({show(sent)})\n"
                f"expected {describe(expected)}\n"
                f"     got {describe(got)}\n"
                f"expected bytes: {show(encode(expected))}\n"
                f"received bytes: {show(raw)}",
                hint=hint or known_mistake(expected, got),
            )
        return got

    def expect(
        self,
        *command: str | bytes,
        reply: RespValue,
        timeout: float = REPLY_TIMEOUT_S,
        hint: str | None = None,
        normalize: Callable[[RespValue], RespValue] | None = None,
    ) -> RespValue:
        sent = self.send(*command)
        return self.expect_reply(command, sent, reply, timeout=timeout, hint=hint, normalize=normalize)


def unordered(value: RespValue) -> RespValue:
    """An array with its items sorted: for replies whose order Redis does not define."""
    if isinstance(value, Array) and value.items is not None:
        return Array(tuple(sorted(value.items, key=repr)))
    return value


def connect(h: Harness, port: int, name: str | None = None) -> RespClient:
    return RespClient(h, h.connect(port, name=name, show_bytes=False))


WHOLE_WRITE_STAGES = frozenset(
    {"bind", "ping", "ping-multiple", "concurrent-clients", "echo", "set-get", "expiry"}
)
"""The stages before pipelining, where a command arrives in one read: partial reads are
that stage's lesson. From it on, the harness cuts every command at seeded points."""


def start(h: Harness) -> int:
    """Start the learner's server on a fresh port; return the port once it accepts."""
    if h.stage_slug in WHOLE_WRITE_STAGES:
        h.writes = WriteMode.WHOLE
    port = h.free_port()
    h.start_server(["--port", str(port)], port)
    return port
