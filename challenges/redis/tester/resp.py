"""RESP2, the Redis wire protocol, as the tester reads it: strictly, with plain-word errors.

The reader consumes exactly one reply from a :class:`Connection` and keeps the raw bytes of
it, so a mismatch can show both the value and the bytes ("expected simple string "PONG",
got bulk string "PONG"").
"""

from __future__ import annotations

from dataclasses import dataclass

from crack.harness import Connection, ReadTimeout, StageFailure
from crack.harness.bytes_display import show


@dataclass(frozen=True)
class Simple:
    value: str


@dataclass(frozen=True)
class Error:
    value: str


@dataclass(frozen=True)
class Integer:
    value: int


@dataclass(frozen=True)
class Bulk:
    value: bytes | None  # None is the null bulk string


@dataclass(frozen=True)
class Array:
    items: tuple[RespValue, ...] | None  # None is the null array


RespValue = Simple | Error | Integer | Bulk | Array

NULL = Bulk(None)
OK = Simple("OK")
QUEUED = Simple("QUEUED")


def bulk(value: str | bytes) -> Bulk:
    return Bulk(value.encode() if isinstance(value, str) else value)


def array(*items: RespValue) -> Array:
    return Array(tuple(items))


def encode_command(*args: str | bytes) -> bytes:
    parts = [f"*{len(args)}\r\n".encode()]
    for arg in args:
        data = arg.encode() if isinstance(arg, str) else arg
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


def encode(value: RespValue) -> bytes:
    match value:
        case Simple(text):
            return f"+{text}\r\n".encode()
        case Error(text):
            return f"-{text}\r\n".encode()
        case Integer(number):
            return f":{number}\r\n".encode()
        case Bulk(None):
            return b"$-1\r\n"
        case Bulk(data):
            assert data is not None
            return b"$%d\r\n%s\r\n" % (len(data), data)
        case Array(None):
            return b"*-1\r\n"
        case Array(items):
            assert items is not None
            return f"*{len(items)}\r\n".encode() + b"".join(encode(i) for i in items)
    raise TypeError(value)


def describe(value: RespValue) -> str:
    match value:
        case Simple(text):
            return f'simple string "{text}"'
        case Error(text):
            return f'error "{text}"'
        case Integer(number):
            return f"integer {number}"
        case Bulk(None):
            return "null bulk string"
        case Bulk(b""):
            return 'empty bulk string ""'
        case Bulk(data):
            assert data is not None
            return f"bulk string {show(data)}"
        case Array(None):
            return "null array"
        case Array(items):
            assert items is not None
            inner = ", ".join(describe(i) for i in items)
            return f"array of {len(items)} [{inner}]"
    raise TypeError(value)


def describe_command(args: tuple[str | bytes, ...]) -> str:
    def one(arg: str | bytes) -> str:
        text = arg.decode(errors="replace") if isinstance(arg, bytes) else arg
        return text if text and " " not in text and '"' not in text else f'"{text}"'

    return " ".join(one(a) for a in args)


class _Reader:
    """Reads one value; records every byte it consumed."""

    def __init__(self, conn: Connection, timeout: float, waiting_for: str) -> None:
        self.conn = conn
        self.timeout = timeout
        self.waiting_for = waiting_for
        self.raw = b""

    def line(self) -> bytes:
        try:
            data = self.conn.read_until(b"\n", self.timeout, self.waiting_for, limit=1 << 16)
        except ReadTimeout as exc:
            partial = self.raw + exc.received
            hint = exc.hint
            if partial and not partial.endswith(b"\r\n"):
                hint = "RESP ends every line with \\r\\n: is it missing after your reply?"
            raise ReadTimeout(exc.message, hint, partial) from None
        self.raw += data
        if not data.endswith(b"\r\n"):
            raise StageFailure(
                f"{self.conn.name}: a RESP line must end with \\r\\n, got {show(self.raw)}",
                hint='end each line with "\\r\\n" (carriage return + line feed), not "\\n" alone',
            )
        return data[:-2]

    def value(self) -> RespValue:
        line = self.line()
        if not line:
            raise StageFailure(f"{self.conn.name}: expected a RESP reply, got an empty line {show(self.raw)}")
        kind, rest = line[:1], line[1:]
        text = rest.decode("utf-8", errors="replace")
        if kind == b"+":
            return Simple(text)
        if kind == b"-":
            return Error(text)
        if kind in (b":", b"$", b"*"):
            try:
                number = int(rest)
            except ValueError:
                raise StageFailure(
                    f"{self.conn.name}: expected a number after {kind.decode()!r}, got {show(self.raw)}"
                ) from None
            if kind == b":":
                return Integer(number)
            if kind == b"$":
                return self._bulk(number)
            if number < 0:
                return Array(None)
            return Array(tuple(self.value() for _ in range(number)))
        raise StageFailure(
            f"{self.conn.name}: expected a RESP reply (starting with +, -, :, $ or *), got {show(self.raw)}",
            hint="replies are RESP-encoded: a PONG reply is the 7 bytes +PONG\\r\\n",
        )

    def _bulk(self, length: int) -> Bulk:
        if length < 0:
            return NULL
        data = self.conn.read_exactly(length + 2, self.timeout, self.waiting_for)
        self.raw += data
        if data[-2:] != b"\r\n":
            raise StageFailure(
                f"{self.conn.name}: a bulk string of length {length} must be followed by \\r\\n, "
                f"got {show(self.raw)}",
                hint="the length in $<length> counts the bytes of the string, not the \\r\\n after it",
            )
        return Bulk(data[:-2])


def read_value(conn: Connection, timeout: float, waiting_for: str) -> tuple[RespValue, bytes]:
    reader = _Reader(conn, timeout, waiting_for)
    value = reader.value()
    return value, reader.raw
