"""A server that answers through a buffered file over its socket and never flushes it, as
Java's PrintWriter or Go's bufio.Writer without Flush: the replies never leave the buffer.
The first argument picks the reply: "redis" (+PONG) or "http" (an empty 200 response)."""

import socket
import sys
import threading

REPLY = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" if sys.argv[1] == "http" else b"+PONG\r\n"


def serve(conn: socket.socket) -> None:
    out = conn.makefile("wb")  # buffered: 8 KB before it writes anything
    while conn.recv(4096):
        out.write(REPLY)  # no out.flush()


server = socket.create_server(("127.0.0.1", int(sys.argv[sys.argv.index("--port") + 1])))
while True:
    threading.Thread(target=serve, args=(server.accept()[0],), daemon=True).start()
