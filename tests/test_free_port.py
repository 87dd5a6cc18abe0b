"""free_port: ports outgoing connections cannot take before the program binds them."""

from __future__ import annotations

import socket

import pytest

from crack.harness import net
from crack.harness.net import free_port


def test_ports_come_from_below_the_ephemeral_range() -> None:
    low = net._ephemeral_low()
    if low is None or low - net.QUIET_LOW < 1000:
        pytest.skip("no room below this machine's ephemeral port range")
    ports = {free_port() for _ in range(20)}
    assert all(net.QUIET_LOW <= port < low for port in ports)
    assert len(ports) > 1  # drawn at random, so two testers rarely hand out the same one


def test_the_port_handed_out_can_be_bound_for_tcp_and_udp() -> None:
    port = free_port(udp=True)
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp,
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp,
    ):
        tcp.bind(("127.0.0.1", port))
        udp.bind(("127.0.0.1", port))


def test_a_port_in_use_is_never_handed_out(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        picks = iter([busy, busy])
        monkeypatch.setattr(net._pick, "randrange", lambda low, high: next(picks, 0) or low + 7)
        monkeypatch.setattr(net, "_ephemeral_low", lambda: 65000)
        assert free_port() != busy
