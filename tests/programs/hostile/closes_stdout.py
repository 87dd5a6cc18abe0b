"""Closes its stdout and stderr at once, then serves correctly."""

import os

from _serve import serve

os.close(1)
os.close(2)
serve()
