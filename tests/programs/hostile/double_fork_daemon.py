"""Serves correctly, after double-forking a daemon into a new session that sleeps forever."""

import os
import time

from _serve import serve

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        while True:
            time.sleep(1)
    os._exit(0)
serve()
