"""Writes bytes that are not UTF-8 (and a very long line), then serves correctly."""

import sys

from _serve import serve

sys.stdout.buffer.write(b"caf\xe9 \xff\xfe\xfd ok\n" + b"\xc3" * 10000 + b"\n")
sys.stdout.flush()
serve()
