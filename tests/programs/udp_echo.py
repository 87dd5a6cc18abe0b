"""Echoes every UDP datagram on --port, upper-cased."""

import socket
import sys

port = int(sys.argv[sys.argv.index("--port") + 1])
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", port))
while True:
    data, addr = sock.recvfrom(65535)
    sock.sendto(data.upper(), addr)
