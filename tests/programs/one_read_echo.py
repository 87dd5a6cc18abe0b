"""Answers each connection with what its first recv() returned and reads no more: a server
that reads once per message (right only when every message arrives in one piece)."""

from __future__ import annotations

import socket
import sys

port = int(sys.argv[sys.argv.index("--port") + 1])
server = socket.create_server(("127.0.0.1", port))
connections = []
while True:
    conn, _ = server.accept()
    conn.sendall(conn.recv(65536))
    connections.append(conn)  # kept open: the tester reads until the program falls silent
