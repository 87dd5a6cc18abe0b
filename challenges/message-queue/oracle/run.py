"""The message-queue challenge's oracle: beanstalkd and redis-server behind one port.

crack appends ``--port N --data-dir D``. The learner's server speaks beanstalk's protocol
for the work-queue stages and RESP (Redis streams, pub/sub) for the later stages, on the
same port, telling them apart by a connection's first byte (``*`` begins a RESP command; a beanstalk
command begins with a letter). This adapter starts the two real servers on free ports of
their own, each keeping its files under ``D`` (beanstalkd's binlog, ``-b``; Redis's
append-only file, written before each reply), and passes each connection's bytes
through to one of them, unchanged, both ways. Every reply the tester reads comes from the
real server; the adapter decides only which one. Both servers are its children, so crack's
process-tree teardown (and its SIGKILL) ends them with it.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import threading
import time


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_listening(port: int, process: subprocess.Popen[bytes], name: str) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} exited at start with status {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.02)
    raise SystemExit(f"{name} did not listen on port {port} within 10 s")


def pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, sink):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(client: socket.socket, beanstalk_port: int, redis_port: int) -> None:
    first = client.recv(1)
    if not first:
        client.close()
        return
    upstream = socket.create_connection(("127.0.0.1", redis_port if first == b"*" else beanstalk_port))
    for sock in (client, upstream):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    upstream.sendall(first)
    threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()
    pipe(client, upstream)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data-dir", required=True)
    args = parser.parse_args()
    for binary, package in (("beanstalkd", "beanstalkd"), ("redis-server", "redis-server")):
        if shutil.which(binary) is None:
            print(f"{binary} is not installed: apt-get install {package}", file=sys.stderr)
            raise SystemExit(1)
    beanstalk_port, redis_port = free_port(), free_port()
    beanstalkd = subprocess.Popen(
        ["beanstalkd", "-l", "127.0.0.1", "-p", str(beanstalk_port), "-b", args.data_dir]
    )
    redis = subprocess.Popen(
        [
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(redis_port),
            "--dir",
            args.data_dir,
            "--save",
            "",
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
            "--daemonize",
            "no",
            "--loglevel",
            "warning",
        ]
    )
    wait_until_listening(beanstalk_port, beanstalkd, "beanstalkd")
    wait_until_listening(redis_port, redis, "redis-server")
    server = socket.create_server(("127.0.0.1", args.port))
    while True:
        client, _ = server.accept()
        threading.Thread(target=serve, args=(client, beanstalk_port, redis_port), daemon=True).start()


if __name__ == "__main__":
    main()
