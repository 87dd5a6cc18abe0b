"""Listens and accepts, but never answers; ignores SIGTERM."""

import signal
import socket
import sys

signal.signal(signal.SIGTERM, signal.SIG_IGN)
server = socket.create_server(("127.0.0.1", int(sys.argv[sys.argv.index("--port") + 1])))
held = []
while True:
    held.append(server.accept()[0])
