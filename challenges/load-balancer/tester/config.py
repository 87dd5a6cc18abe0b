"""The balancer's configuration file: written by the tester in the challenge's YAML subset.

The layout is always the one the stage instructions document: top-level ``key: value``
lines, a ``backends`` list of mappings (``- name: b1`` then indented keys), and optional
``health_check`` and ``sticky`` mappings. Comments and blank lines may appear.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from crack.harness import Harness, ProgramProcess

from .backends import Backend


@dataclass(frozen=True)
class HealthCheck:
    path: str = "/health"
    interval_ms: int = 100
    timeout_ms: int = 500
    unhealthy_threshold: int = 2
    healthy_threshold: int = 2

    MARGIN_S = 0.7
    """Scheduling slack on top of the time the thresholds take (a loaded machine)."""

    @property
    def removal_bound(self) -> float:
        """Seconds after which a backend that stopped answering must be out of the pool."""
        return (self.unhealthy_threshold + 1) * self.interval_ms / 1000 + self.MARGIN_S

    @property
    def hang_removal_bound(self) -> float:
        """Seconds after which a backend that accepts but never answers must be out of the
        pool: each failed check takes timeout_ms before the next one starts."""
        checks = self.unhealthy_threshold * (self.timeout_ms + self.interval_ms) + self.interval_ms
        return checks / 1000 + self.MARGIN_S

    @property
    def return_bound(self) -> float:
        """Seconds after which a backend that answers again must be back in the pool."""
        return (self.healthy_threshold + 1) * self.interval_ms / 1000 + self.MARGIN_S

    def describe(self) -> str:
        return (
            f"GET {self.path} every {self.interval_ms} ms (timeout {self.timeout_ms} ms), "
            f"unhealthy after {self.unhealthy_threshold} failures in a row, "
            f"healthy again after {self.healthy_threshold} successes in a row"
        )


@dataclass
class LbConfig:
    algorithm: str
    backends: list[Backend]
    weights: dict[str, int] = field(default_factory=dict)
    health: HealthCheck | None = None
    sticky_cookie: str | None = None

    def render(self, comment: str) -> str:
        lines = [f"# {comment}", f"algorithm: {self.algorithm}", "", "backends:"]
        for backend in self.backends:
            lines += [f"  - name: {backend.name}", f"    host: {backend.host}", f"    port: {backend.port}"]
            if backend.name in self.weights:
                lines.append(f"    weight: {self.weights[backend.name]}")
        if self.health is not None:
            hc = self.health
            lines += [
                "",
                "health_check:",
                f"  path: {hc.path}",
                f"  interval_ms: {hc.interval_ms}",
                f"  timeout_ms: {hc.timeout_ms}",
                f"  unhealthy_threshold: {hc.unhealthy_threshold}",
                f"  healthy_threshold: {hc.healthy_threshold}",
            ]
        if self.sticky_cookie is not None:
            lines += ["", "sticky:", f"  cookie: {self.sticky_cookie}"]
        return "\n".join(lines) + "\n"

    def summary(self) -> list[str]:
        """What the file says, in lines whose port numbers the golden files can normalise."""
        out = [f"algorithm: {self.algorithm}"]
        for backend in self.backends:
            weight = f" (weight {self.weights[backend.name]})" if backend.name in self.weights else ""
            out.append(f"  backend {backend.name} at {backend.host}:{backend.port}{weight}")
        if self.health is not None:
            out.append(f"  health_check: {self.health.describe()}")
        if self.sticky_cookie is not None:
            out.append(f"  sticky: cookie {self.sticky_cookie}")
        return out

    def write(self, path: Path, comment: str) -> None:
        """Replace the file atomically, so a reload never sees half of it."""
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(self.render(comment), encoding="utf-8")
        os.replace(tmp, path)


def make_backends(h: Harness, names: list[str], health_path: str = "/health") -> list[Backend]:
    backends = []
    for name in names:
        # A port from the harness, so golden outputs can normalise it like the program's.
        backend = Backend(name, health_path, port=h.free_port())
        h.defer(backend.close)
        backends.append(backend)
    return backends


def start_balancer(h: Harness, config: LbConfig) -> tuple[int, ProgramProcess, Path]:
    """Write the config file and start the program with ``--port N --config FILE``."""
    path = h.scratch / "lb.yaml"
    config.write(path, f"load balancer configuration for stage {h.stage_slug}")
    h.log(f"Config file {path.name}:")
    for line in config.summary():
        h.log(f"  {line}")
    port = h.free_port()
    process = h.start_server(["--port", str(port), "--config", str(path)], port)
    return port, process, path
