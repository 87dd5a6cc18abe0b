"""Serves correctly but ignores SIGTERM: only SIGKILL ends it."""

import signal

from _serve import serve

signal.signal(signal.SIGTERM, signal.SIG_IGN)
serve()
