"""RESP, the protocol of the stream stages: commands out, replies in, each logged.

A command is an array of bulk strings (``*3\\r\\n$4\\r\\nXLEN\\r\\n…``); a reply is a simple
string (``+OK``), an error (``-ERR …``), an integer (``:3``), a bulk string (``$5\\r\\nhello``,
``$-1`` for none) or an array of replies (``*2\\r\\n…``, ``*-1`` for none). Replies are
read strictly, so a missing ``\\r\\n`` or a wrong length is reported with the bytes seen.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import TypeAlias

import redis

from crack.harness import Connection, Harness, StageFailure, WriteMode
from crack.harness.bytes_display import show

REPLY_S = 5.0


@dataclass(frozen=True)
class RespError:
    message: str


Reply: TypeAlias = str | int | bytes | list["Reply"] | RespError | None


def encode(*args: str | bytes) -> bytes:
    parts = [f"*{len(args)}\r\n".encode()]
    for arg in args:
        data = arg.encode() if isinstance(arg, str) else arg
        parts.append(f"${len(data)}\r\n".encode() + data + b"\r\n")
    return b"".join(parts)


def brief(reply: Reply, limit: int = 160) -> str:
    """A reply as a reader would write it: strings quoted, arrays in brackets."""
    if isinstance(reply, RespError):
        text = f"(error) {reply.message}"
    elif isinstance(reply, bytes):
        text = show(reply, 60)
    elif isinstance(reply, list):
        text = "[" + ", ".join(brief(item, limit) for item in reply) + "]"
    elif reply is None:
        text = "(nil)"
    else:
        text = repr(reply) if isinstance(reply, str) else str(reply)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def library_client(port: int) -> redis.Redis:
    """redis-py, a real client library, speaking RESP2 without its CLIENT SETINFO handshake
    (the pages ask for the stream and pub/sub commands only). redis-py 8 says so with
    ``driver_info=None``; older versions, which the project allows, with ``lib_name=None``."""
    if "driver_info" in inspect.signature(redis.Redis.__init__).parameters:
        quiet: dict[str, None] = {"driver_info": None}
    else:
        quiet = {"lib_name": None, "lib_version": None}
    return redis.Redis(host="127.0.0.1", port=port, socket_timeout=10, protocol=2, **quiet)  # type: ignore[arg-type]


class RespClient:
    """One RESP connection to the learner's server."""

    def __init__(self, h: Harness, port: int, name: str) -> None:
        self.h = h
        self.name = name
        self.conn: Connection = h.connect(port, name=name, show_bytes=False)

    def call(self, *args: str | bytes, quiet: bool = False, mode: WriteMode | None = None) -> Reply:
        """Send one command (cut as the connection's seeded plan says, unless ``mode`` is
        given: bulk traffic goes whole, as each piece of a cut write costs a pause) and read
        its reply."""
        shown = " ".join(a if isinstance(a, str) else show(a, 40) for a in args)
        if not quiet:
            self.h.log(f"{self.name}> {shown}")
        self.conn.send(encode(*args), mode=mode)
        reply = self.read(shown)
        if not quiet:
            self.h.log(f"{self.name}< {brief(reply)}")
        return reply

    def send(self, *args: str | bytes, quiet: bool = False) -> None:
        """Send one command and read nothing (a subscriber's replies come later, pushed)."""
        if not quiet:
            self.h.log(f"{self.name}> {' '.join(a if isinstance(a, str) else show(a, 40) for a in args)}")
        self.conn.send(encode(*args))

    def close(self) -> None:
        self.conn.close()

    def read(self, sent: str) -> Reply:
        line = self.conn.read_until(
            b"\n", timeout=min(REPLY_S, self.h.remaining()), waiting_for=f"the reply to {sent}"
        )
        if not line.endswith(b"\r\n"):
            raise StageFailure(
                f"{self.name} sent {sent}\n"
                f"  expected a RESP reply line ending in \\r\\n\n       got {show(line)}",
                "every line of RESP ends with \\r\\n",
            )
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode(errors="replace")
        if kind == b"-":
            return RespError(rest.decode(errors="replace"))
        if kind in (b":", b"$", b"*"):
            try:
                number = int(rest)
            except ValueError:
                raise StageFailure(
                    f"{self.name} sent {sent}\n"
                    f"  expected a number after {kind.decode()}\n       got {show(line)}"
                ) from None
            if kind == b":":
                return number
            if number < 0:
                return None
            if kind == b"$":
                data = self.conn.read_exactly(
                    number + 2, timeout=REPLY_S, waiting_for=f"the {number} bytes of a bulk string"
                )
                if not data.endswith(b"\r\n"):
                    raise StageFailure(
                        f"{self.name} sent {sent}\n"
                        f"  expected {number} bytes then \\r\\n\n       got {show(data)}",
                        "a bulk string's length counts bytes, and \\r\\n follows them",
                    )
                return data[:-2]
            return [self.read(sent) for _ in range(number)]
        raise StageFailure(
            f"{self.name} sent {sent}\n  expected a RESP reply (+, -, :, $ or *)\n       got {show(line)}",
            "a connection whose first byte is * speaks RESP: answer it in RESP",
        )
