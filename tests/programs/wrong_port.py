"""Ignores --port and listens on the port named by WRONG_PORT."""

import os
import socket
import time

server = socket.create_server(("127.0.0.1", int(os.environ["WRONG_PORT"])))
time.sleep(60)
