"""Prints without end, then listens on --port."""

import socket
import sys

port = int(sys.argv[sys.argv.index("--port") + 1])
for i in range(20000):
    print(f"log line {i} " + "x" * 40)
sys.stdout.flush()
server = socket.create_server(("127.0.0.1", port))
server.accept()
