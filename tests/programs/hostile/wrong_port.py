"""Listens on the port after the one it was given."""

import socket
import sys

server = socket.create_server(("127.0.0.1", int(sys.argv[sys.argv.index("--port") + 1]) + 1))
while True:
    server.accept()[0].close()
