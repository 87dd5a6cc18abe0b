"""Waiting for the tester's own servers (opentracker, aria2c) to listen."""

from __future__ import annotations

import time

from crack.harness import Harness, listening, proctree
from crack.harness.process import ProgramProcess

POLL_S = 0.05


def wait_listening(h: Harness, process: ProgramProcess, port: int, name: str, timeout: float = 15.0) -> None:
    """Block until ``name`` listens on ``port``. Its failing is the tester's trouble, not the
    learner's, so it raises (an internal error) rather than failing the stage."""
    h.log(f"waiting for {name} to listen on port {port}")
    deadline = time.monotonic() + min(timeout, h.remaining())
    while time.monotonic() < deadline:
        if port in listening.listening_ports(proctree.descendants({process.pid})):
            return
        if process.returncode is not None:
            raise RuntimeError(f"{name} {process.exit_description()}: {process.last_output()}")
        time.sleep(POLL_S)
    raise RuntimeError(f"{name} did not listen on port {port} within {timeout:.0f} s")
