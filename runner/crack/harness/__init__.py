"""The harness a tester drives the learner's program with."""

from crack.harness.clock import LogicalClock
from crack.harness.failure import ConnectionClosed, ProgramIOError, ReadTimeout, StageFailure
from crack.harness.harness import Harness
from crack.harness.net import Connection, UdpEndpoint
from crack.harness.process import ProgramProcess, ProgramSpec
from crack.harness.writes import WriteMode

__all__ = [
    "Connection",
    "ConnectionClosed",
    "Harness",
    "LogicalClock",
    "ProgramIOError",
    "ProgramProcess",
    "ProgramSpec",
    "ReadTimeout",
    "StageFailure",
    "UdpEndpoint",
    "WriteMode",
]
