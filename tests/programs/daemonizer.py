"""Listens on --port, after double-forking a daemon into its own session that keeps running."""

import os
import socket
import sys
import time

port = int(sys.argv[sys.argv.index("--port") + 1])
pidfile = os.environ["DAEMON_PIDFILE"]
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        with open(pidfile + ".tmp", "w") as f:
            f.write(str(os.getpid()))
        os.rename(pidfile + ".tmp", pidfile)
        while True:
            time.sleep(1)
    os._exit(0)
while not os.path.exists(pidfile):  # listen only once the daemon is surely running
    time.sleep(0.01)
server = socket.create_server(("127.0.0.1", port))
while True:
    conn, _ = server.accept()
    conn.close()
