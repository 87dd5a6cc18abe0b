"""Listens on --port, accepts, reads, never answers; ignores SIGTERM."""

import signal
import socket
import sys

signal.signal(signal.SIGTERM, signal.SIG_IGN)
port = int(sys.argv[sys.argv.index("--port") + 1])
server = socket.create_server(("127.0.0.1", port))
conns = []
while True:
    conn, _ = server.accept()
    conns.append(conn)
