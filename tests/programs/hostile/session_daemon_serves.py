"""Exits 0 at once, leaving a daemon in a new session that binds the port and keeps serving."""

import os
import time

from _serve import serve

child = os.fork()
if child == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(0.5)  # its parent is surely gone by now: an orphan nobody waits for
        serve()
    os._exit(0)
os.waitpid(child, 0)
os._exit(0)
