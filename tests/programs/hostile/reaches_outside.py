"""Tries to reach the machine's loopback port given as its first argument (where a test
listens, outside any namespace) and a public address, then serves correctly."""

import socket
import sys

from _serve import serve

for address in (("127.0.0.1", int(sys.argv[1])), ("151.101.0.223", 80)):
    try:
        socket.create_connection(address, timeout=1).close()
        print(f"reached {address}", flush=True)
    except OSError as exc:
        print(f"could not reach {address}: {exc}", flush=True)
serve()
