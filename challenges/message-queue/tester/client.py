"""Talking beanstalk's protocol to the learner's queue, byte for byte.

A command is one line ending in ``\\r\\n``; ``put`` is followed by the job's body and
``\\r\\n``. A reply is one line; ``RESERVED <id> <bytes>``, ``FOUND <id> <bytes>`` and
``OK <bytes>`` are followed by that many bytes and ``\\r\\n``. Every exchange is logged as
``client 1> put 1024 0 60 5`` / ``client 1< INSERTED 7``, bodies shortened, and every
mismatch says what was sent, what was expected and what came back, in bytes.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import yaml

from crack.harness import Connection, Harness, StageFailure, WriteMode
from crack.harness.bytes_display import show

PRI = 1024
"""The priority of every job crack puts (beanstalk's customary default)."""
REPLY_S = 5.0
BULK_S = 20.0


@dataclass(frozen=True)
class Job:
    id: int
    body: bytes


@dataclass(frozen=True)
class Reply:
    line: str
    body: bytes | None = None
    raw: bytes = b""

    @property
    def word(self) -> str:
        return self.line.split(" ", 1)[0]


def short(body: bytes, limit: int = 40) -> str:
    return show(body, limit)


class Client:
    """One connection to the learner's queue: it sends commands and reads replies."""

    def __init__(self, h: Harness, port: int, name: str, *, writes: WriteMode | None = None) -> None:
        self.h = h
        self.name = name
        self.conn: Connection = h.connect(port, name=name, show_bytes=False, writes=writes)

    # --- bytes ---------------------------------------------------------------------------
    def send(self, line: str, body: bytes | None = None, *, quiet: bool = False) -> None:
        data = line.encode() + b"\r\n" + (b"" if body is None else body + b"\r\n")
        if not quiet:
            extra = "" if body is None else f" + body {short(body)}"
            self.h.log(f"{self.name}> {line}{extra}")
        self.conn.send(data, mode=WriteMode.WHOLE if quiet else None)

    def read(self, sent: str, *, timeout: float = REPLY_S, quiet: bool = False) -> Reply:
        raw = self.conn.read_until(
            b"\n", timeout=min(timeout, self.h.remaining()), waiting_for=f"the reply to {sent}", limit=1 << 16
        )
        if not raw.endswith(b"\r\n"):
            raise StageFailure(
                f"{self.name} sent {sent}\n  expected a reply line ending in \\r\\n\n       got {show(raw)}",
                "beanstalk's lines end with the two bytes \\r\\n (carriage return, line feed), "
                "replies as well as commands",
            )
        try:
            line = raw[:-2].decode()
        except UnicodeDecodeError:
            raise StageFailure(
                f"{self.name} sent {sent}\n  expected a reply line of text\n       got {show(raw)}"
            ) from None
        parts = line.split(" ")
        body: bytes | None = None
        if parts[0] in ("RESERVED", "FOUND", "OK") and len(parts) == (2 if parts[0] == "OK" else 3):
            try:
                size = int(parts[-1])
            except ValueError:
                raise StageFailure(
                    f"{self.name} sent {sent}\n"
                    f"  expected {parts[0]} with a byte count\n       got {show(raw)}"
                ) from None
            data = self.conn.read_exactly(
                size + 2,
                timeout=min(timeout, self.h.remaining()),
                waiting_for=f"the {size} bytes announced by {line}, then \\r\\n",
            )
            if not data.endswith(b"\r\n"):
                raise StageFailure(
                    f"{self.name} sent {sent}\n  expected {size} bytes of body then \\r\\n after {line}\n"
                    f"       got {show(data)}",
                    "the number in the reply line is the body's length in bytes (not characters), "
                    "and the body is followed by \\r\\n",
                )
            body = data[:-2]
            raw += data
        if not quiet:
            extra = "" if body is None else f" + body {short(body)}"
            self.h.log(f"{self.name}< {line}{extra}")
        return Reply(line, body, raw)

    def call(
        self, line: str, body: bytes | None = None, *, timeout: float = REPLY_S, quiet: bool = False
    ) -> Reply:
        self.send(line, body, quiet=quiet)
        return self.read(line, timeout=timeout, quiet=quiet)

    def mismatch(self, sent: str, expected: str, reply: Reply, hint: str | None = None) -> StageFailure:
        return StageFailure(
            f"{self.name} sent {sent}\n  expected {expected}\n       got {show(reply.raw, 120)}",
            hint or _reply_hint(reply),
        )

    def expect(
        self, line: str, expected: str, *, hint: str | None = None, body: bytes | None = None
    ) -> Reply:
        reply = self.call(line, body)
        if reply.line != expected:
            raise self.mismatch(line, expected, reply, hint)
        return reply

    # --- commands ------------------------------------------------------------------------
    def put(
        self, body: bytes, *, delay: int = 0, ttr: int = 60, quiet: bool = False, hint: str | None = None
    ) -> int:
        line = f"put {PRI} {delay} {ttr} {len(body)}"
        reply = self.call(line, body, quiet=quiet)
        return self.inserted(line, reply, hint)

    def inserted(self, line: str, reply: Reply, hint: str | None = None) -> int:
        parts = reply.line.split(" ")
        if len(parts) != 2 or parts[0] != "INSERTED" or not parts[1].isdigit():
            if reply.line in ("UNKNOWN_COMMAND", "BAD_FORMAT", "EXPECTED_CRLF"):
                hint = hint or (
                    "this reply may belong to an earlier put: a server that reads a body up to "
                    "\\r\\n instead of by its byte count takes the rest of a body that holds \\r\\n "
                    "for a command. Read exactly <bytes> bytes, then the \\r\\n after them"
                )
            raise self.mismatch(line, "INSERTED <id>", reply, hint)
        return int(parts[1])

    def put_many(self, bodies: Sequence[bytes], *, ttr: int = 60) -> list[int]:
        """Every put in one write (pipelined), then one INSERTED per put."""
        lines = [f"put {PRI} 0 {ttr} {len(body)}" for body in bodies]
        self.h.log(f"{self.name}> {len(bodies)} puts in one write")
        self.conn.send(
            b"".join(
                line.encode() + b"\r\n" + body + b"\r\n" for line, body in zip(lines, bodies, strict=True)
            ),
            mode=WriteMode.WHOLE,
        )
        ids = [self.inserted(line, self.read(line, timeout=BULK_S, quiet=True)) for line in lines]
        self.h.log(f"{self.name}< {len(ids)} × INSERTED <id>")
        return ids

    def reserve(
        self, timeout: int | None = 0, *, wait: float = REPLY_S, quiet: bool = False, hint: str | None = None
    ) -> Job | None:
        """``reserve-with-timeout`` (``reserve`` when ``timeout`` is None): the job, or None
        for TIMED_OUT."""
        line = "reserve" if timeout is None else f"reserve-with-timeout {timeout}"
        self.send(line, quiet=quiet)
        return self.reserved(line, wait=wait, quiet=quiet, hint=hint)

    def reserved(
        self, line: str, *, wait: float = REPLY_S, quiet: bool = False, hint: str | None = None
    ) -> Job | None:
        reply = self.read(line, timeout=wait, quiet=quiet)
        if reply.line == "TIMED_OUT":
            return None
        parts = reply.line.split(" ")
        if parts[0] != "RESERVED" or len(parts) != 3 or not parts[1].isdigit() or reply.body is None:
            raise self.mismatch(line, "RESERVED <id> <bytes> and the body, or TIMED_OUT", reply, hint)
        return Job(int(parts[1]), reply.body)

    def reserve_job(
        self, timeout: int | None = 0, *, wait: float = REPLY_S, hint: str | None = None, quiet: bool = False
    ) -> Job:
        """A reserve that must hand out a job."""
        line = "reserve" if timeout is None else f"reserve-with-timeout {timeout}"
        job = self.reserve(timeout, wait=wait, quiet=quiet)
        if job is None:
            raise StageFailure(
                f"{self.name} sent {line}\n  expected RESERVED <id> <bytes> and a job\n       got TIMED_OUT",
                hint,
            )
        return job

    def reserve_none(self, timeout: int = 0, *, hint: str | None = None) -> None:
        """A reserve that must answer TIMED_OUT."""
        line = f"reserve-with-timeout {timeout}"
        job = self.reserve(timeout)
        if job is not None:
            raise StageFailure(
                f"{self.name} sent {line}\n"
                f"  expected TIMED_OUT\n       got RESERVED {job.id} {len(job.body)} "
                f"(body {short(job.body)})",
                hint,
            )

    def delete(
        self, job_id: int, *, expected: str = "DELETED", hint: str | None = None, quiet: bool = False
    ) -> None:
        line = f"delete {job_id}"
        reply = self.call(line, quiet=quiet)
        if reply.line != expected:
            raise self.mismatch(line, expected, reply, hint)

    def stats(self, line: str, *, hint: str | None = None) -> dict[str, object]:
        reply = self.call(line)
        if reply.word != "OK" or reply.body is None:
            raise self.mismatch(line, "OK <bytes> and a YAML mapping", reply, hint)
        try:
            data = yaml.safe_load(reply.body.decode())
        except (UnicodeDecodeError, yaml.YAMLError) as exc:
            raise StageFailure(
                f"{self.name} sent {line}\n"
                f"  expected a YAML mapping after OK\n       got {show(reply.body, 300)}\n"
                f"  (it does not parse: {str(exc).splitlines()[0]})"
            ) from None
        if not isinstance(data, dict):
            raise StageFailure(
                f'{self.name} sent {line}\n  expected a YAML mapping (lines "key: value") after OK\n'
                f"       got {show(reply.body, 300)}"
            )
        return {str(k): v for k, v in data.items()}

    def close(self) -> None:
        self.h.log(f"{self.name} closes its connection")
        self.conn.close()


def elapsed_since(start: float) -> float:
    return time.monotonic() - start


@contextmanager
def hinted(hint: str) -> Iterator[None]:
    """Give ``hint`` to a failure raised inside that has none (a read that timed out)."""
    try:
        yield
    except StageFailure as exc:
        if exc.hint is None:
            exc.hint = hint
        raise


def _reply_hint(reply: Reply) -> str | None:
    if reply.line == "UNKNOWN_COMMAND":
        return "your program does not know this command yet: this stage adds it"
    if reply.line in ("BAD_FORMAT", "EXPECTED_CRLF"):
        return (
            "your program could not parse what crack sent: check the arguments, and that a put's "
            "body is read by its byte count"
        )
    return None
