"""What the well-behaved part of a hostile program does: answer PING with PONG on --port."""

import socket
import sys
import threading


def port() -> int:
    return int(sys.argv[sys.argv.index("--port") + 1])


def handle(conn: socket.socket) -> None:
    with conn:
        buffer = b""
        while chunk := conn.recv(1024):
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                if line.strip() == b"PING":
                    conn.sendall(b"PONG\n")


def serve(listener: socket.socket | None = None) -> None:
    listener = listener or socket.create_server(("127.0.0.1", port()))
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()
