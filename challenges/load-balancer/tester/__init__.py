"""The load balancer challenge's tester: one function per stage slug of challenge.yaml.

The tester runs the backends itself (threads in the tester process, see backends.py), so it
sees exactly where the balancer sent every request and when. Every check here is one
haproxy passes (the test suite runs this tester against it through oracle/run.py), so the
tester encodes what a load balancer must guarantee, not one implementation's choices:
round robin may start anywhere, weighted rotation may interleave, ties may go either way.
"""

from __future__ import annotations

from crack.tester import Tester

from .algorithms import least_connections, weighted
from .forwarding import concurrent_clients, forward, round_robin
from .health import all_backends_down, health_checks, sticky_sessions
from .reload import config_reload

tester = Tester("load-balancer")

for slug, function in [
    ("forward", forward),
    ("round-robin", round_robin),
    ("concurrent-clients", concurrent_clients),
    ("health-checks", health_checks),
    ("weighted", weighted),
    ("least-connections", least_connections),
    ("sticky-sessions", sticky_sessions),
    ("all-backends-down", all_backends_down),
    ("config-reload", config_reload),
]:
    tester.stage(slug)(function)
