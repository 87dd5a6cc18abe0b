"""Reading a child's output pipe to its end, whatever is kept of it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import IO, Any


def chunks(pipe: IO[Any]) -> Iterator[bytes]:
    """What ``pipe`` delivers, chunk by chunk as it arrives, until its end (or an error, as
    when it is closed under us); the pipe is closed afterwards. Readers decide what to keep,
    but always read on: a program blocked on a full pipe would look hung."""
    fd = pipe.fileno()
    try:
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            yield chunk
    finally:
        try:
            pipe.close()
        except OSError:
            pass
