"""Starting the learner's DNS server: a port free for UDP and TCP, and a wait until the
program has bound its UDP port (read from the kernel's tables, no probe query)."""

from __future__ import annotations

from collections.abc import Sequence

from crack.harness import Harness, StageFailure

from .zone import ZoneData


def start(h: Harness, zone: ZoneData, extra: Sequence[str] = ()) -> int:
    """Start the learner's server for ``zone``; return its port once UDP is bound."""
    port = h.free_port(udp=True)
    h.log(f"The zone file {zone.path.name} serves {zone.origin} ({zone.text.count(chr(10))} lines).")
    process = h.start_program(["--port", str(port), "--zone", str(zone.path), *extra])
    h.wait_for_port(process, port, udp=True)
    return port


def wait_for_tcp(h: Harness, port: int) -> None:
    """Wait (briefly) for the program's TCP listener on the DNS port."""
    process = next(p for p in h.processes if p.is_learner)
    try:
        h.wait_for_port(process, port, timeout=2.0)
    except StageFailure as failure:
        message = failure.message
        if "did not accept connections" in message:
            message = f"your program does not accept TCP connections on port {port} (waited 2 s)"
        raise StageFailure(
            message,
            "a client that gets a truncated (TC) answer asks again over TCP on the same port: "
            "listen on a TCP socket (SOCK_STREAM) bound to the --port number as well as on UDP",
        ) from None
