"""The bench's baseline: start the Redis program once per stage and send the same commands
crack's tester sends, with raw sockets and redis-py, and nothing of crack.

Usage: python bench/bare_redis_client.py PROGRAM_DIR
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import redis


def no_client_setinfo() -> dict[str, Any]:
    try:
        from redis.driver_info import DriverInfo
    except ImportError:
        return {"lib_name": None, "lib_version": None}
    return {"driver_info": DriverInfo(name=None, lib_version=None)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def enc(*args: str) -> bytes:
    return f"*{len(args)}\r\n".encode() + b"".join(f"${len(a)}\r\n{a}\r\n".encode() for a in args)


class Bare:
    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.buf = b""

    def _line(self) -> bytes:
        while b"\r\n" not in self.buf:
            self.buf += self.sock.recv(65536)
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def reply(self) -> object:
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self.buf += self.sock.recv(65536)
            data, self.buf = self.buf[:n], self.buf[n + 2 :]
            return data
        if kind == b"*":
            return [self.reply() for _ in range(int(rest))]
        return line

    def cmd(self, *args: str) -> object:
        self.sock.sendall(enc(*args))
        return self.reply()


def serve(program: Path, body: Callable[[int], None]) -> None:
    port = free_port()
    proc = subprocess.Popen(
        ["./your_program.sh", "--port", str(port)],
        cwd=program,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    while True:
        try:
            socket.create_connection(("127.0.0.1", port)).close()
            break
        except OSError:
            time.sleep(0.005)
    body(port)
    proc.terminate()
    proc.wait()
    assert proc.stdout is not None
    proc.stdout.read()


def bare_run(program: Path) -> None:
    def ping(port: int) -> None:
        Bare(port).cmd("PING")

    def multiple(port: int) -> None:
        c = Bare(port)
        for _ in range(4):
            c.cmd("PING")

    def concurrent(port: int) -> None:
        a, b = Bare(port), Bare(port)
        a.cmd("PING")
        b.cmd("PING")
        c = Bare(port)
        for x in (a, c, b, a, c, b, c):
            x.cmd("PING")

    def echo(port: int) -> None:
        c = Bare(port)
        c.cmd("ECHO", "mango")
        c.cmd("ECHO", "mango kiwi")

    def set_get(port: int) -> None:
        c = Bare(port)
        for args in (("SET", "k", "v"), ("GET", "k"), ("SET", "k", "w"), ("GET", "k"), ("GET", "m")):
            c.cmd(*args)
        Bare(port).cmd("GET", "k")

    def expiry(port: int) -> None:
        c = Bare(port)
        c.cmd("SET", "k", "v", "PX", "100")
        c.cmd("GET", "k")
        time.sleep(0.2)
        c.cmd("GET", "k")
        c.cmd("set", "k2", "v", "px", "100")
        c.cmd("SET", "k2", "v")
        time.sleep(0.2)
        c.cmd("GET", "k2")
        c.cmd("SET", "k3", "v", "EX", "10")
        time.sleep(0.05)
        c.cmd("GET", "k3")

    def pipelining(port: int) -> None:
        c = Bare(port)
        c.sock.sendall(enc("PING") + enc("ECHO", "t") + enc("SET", "k", "v") + enc("GET", "k") + enc("PING"))
        for _ in range(5):
            c.reply()
        d = Bare(port)
        data = enc("ECHO", "mango")
        d.sock.sendall(data[:7])
        time.sleep(0.1)
        d.sock.sendall(data[7:])
        d.reply()
        d.sock.sendall(enc("SET", "k", "vvv") + enc("GET", "k")[:5])
        d.reply()
        time.sleep(0.1)
        d.sock.sendall(enc("GET", "k")[5:])
        d.reply()

    def incr(port: int) -> None:
        c = Bare(port)
        for args in (
            ("INCR", "c"),
            ("INCR", "c"),
            ("SET", "n", "41"),
            ("INCR", "n"),
            ("GET", "n"),
            ("SET", "t", "x"),
            ("INCR", "t"),
            ("SET", "b", "9223372036854775807"),
            ("INCR", "b"),
            ("EXISTS", "c", "c", "m"),
            ("DEL", "c", "n", "m"),
            ("EXISTS", "c"),
            ("GET", "n"),
        ):
            c.cmd(*args)

    def type_keys(port: int) -> None:
        c = Bare(port)
        c.cmd("KEYS", "*")
        for name in ("hello", "hallo", "hxllo", "hllo", "heeeello", "h*llo", "fig:1"):
            c.cmd("SET", name, "v")
        c.cmd("SET", "gone", "x", "PX", "50")
        time.sleep(0.1)
        c.cmd("TYPE", "hello")
        c.cmd("TYPE", "m")
        for pattern in ("*", "h?llo", "h*llo", "h[ae]llo", "h[^e]llo", "h[a-b]llo", "h\\*llo"):
            c.cmd("KEYS", pattern)

    def transactions(port: int) -> None:
        c, o = Bare(port), Bare(port)
        for args in (
            ("EXEC",),
            ("DISCARD",),
            ("SET", "n", "10"),
            ("MULTI",),
            ("MULTI",),
            ("SET", "k", "v1"),
            ("INCR", "n"),
            ("INCR", "k"),
            ("GET", "k"),
        ):
            c.cmd(*args)
        o.cmd("GET", "k")
        o.cmd("INCR", "n")
        for args in (
            ("EXEC",),
            ("GET", "n"),
            ("MULTI",),
            ("SET", "k", "v2"),
            ("DISCARD",),
            ("GET", "k"),
            ("EXEC",),
            ("MULTI",),
            ("EXEC",),
        ):
            c.cmd(*args)

    def pubsub(port: int) -> None:
        a, b, p = Bare(port), Bare(port), Bare(port)
        a.cmd("SUBSCRIBE", "n", "s")
        a.reply()
        b.cmd("SUBSCRIBE", "n")
        p.cmd("PUBLISH", "n", "m")
        a.reply()
        b.reply()
        p.cmd("PUBLISH", "s", "m")
        a.reply()
        time.sleep(0.2)
        p.cmd("PUBLISH", "e", "m")
        a.cmd("PING")
        a.cmd("GET", "n")
        a.cmd("UNSUBSCRIBE", "n")
        p.cmd("PUBLISH", "n", "m")
        b.reply()

    def library(port: int) -> None:
        opts: dict[str, Any] = {"port": port, "protocol": 2, **no_client_setinfo()}
        r = redis.Redis(**opts)
        r.set("u", "ada"), r.get("u"), r.get("nobody"), r.set("s", "x"), r.ttl("s")
        r.expire("s", 100), r.ttl("s"), r.ttl("nobody"), r.expire("nobody", 10)
        r.pipeline().set("v", 5).incr("v", 3).get("v").execute()
        listener = redis.Redis(**opts)
        ps = listener.pubsub()
        ps.subscribe("c")
        ps.get_message(timeout=2)
        r.publish("c", "hi")
        ps.get_message(timeout=2)
        ps.close(), listener.close(), r.close()

    for body in (
        lambda port: None,
        ping,
        multiple,
        concurrent,
        echo,
        set_get,
        expiry,
        pipelining,
        incr,
        type_keys,
        transactions,
        pubsub,
        library,
    ):
        serve(program, body)


if __name__ == "__main__":
    bare_run(Path(sys.argv[1]))
