#!/usr/bin/env python3
"""Runs haproxy as the load balancer the challenge describes.

Usage: run.py --port N --config FILE

The challenge's YAML file is translated into an haproxy configuration written to a fresh
temporary directory, and haproxy runs in master-worker mode in the foreground. SIGHUP
(the challenge's reload signal) regenerates the haproxy configuration from the YAML file
and asks the haproxy master to reload (SIGUSR2); SIGTERM and SIGINT stop haproxy and the
adapter. Standard library only, so any python3 runs it.
"""

from __future__ import annotations

import argparse
import ctypes
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ALGORITHMS = {"round-robin": "roundrobin", "weighted": "roundrobin", "least-connections": "leastconn"}


def scalar(text: str) -> Any:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    try:
        return int(text)
    except ValueError:
        return text


def parse_config(text: str) -> dict[str, Any]:
    """The challenge's YAML subset: top-level keys, nested mappings, lists of mappings."""
    lines = []
    for raw in text.splitlines():
        line = raw.split(" #")[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if line.strip():
            lines.append((len(line) - len(line.lstrip(" ")), line.strip()))
    root: dict[str, Any] = {}
    section: str | None = None
    item: dict[str, Any] | None = None
    for indent, line in lines:
        if indent == 0:
            key, _, value = line.partition(":")
            section = key.strip()
            root[section] = scalar(value) if value.strip() else None
            item = None
            continue
        if line.startswith("- "):
            if not isinstance(root.get(section), list):
                root[section] = []
            item = {}
            root[section].append(item)
            line = line[2:].strip()
        key, _, value = line.partition(":")
        if item is not None and isinstance(root.get(section), list):
            item[key.strip()] = scalar(value)
        else:
            if not isinstance(root.get(section), dict):
                root[section] = {}
            root[section][key.strip()] = scalar(value)
    return root


def haproxy_config(config: dict[str, Any], port: int) -> str:
    algorithm = config.get("algorithm", "round-robin")
    if algorithm not in ALGORITHMS:
        raise SystemExit(f"unknown algorithm {algorithm!r}")
    check = config.get("health_check") or None
    sticky = config.get("sticky") or None
    out = [
        "global",
        "    maxconn 2000",
        "defaults",
        "    mode http",
        "    timeout connect 2s",
        "    timeout client 30s",
        "    timeout server 30s",
        "    retries 1",
        "    option redispatch",
    ]
    if check:
        out.append(f"    timeout check {int(check.get('timeout_ms', 1000))}ms")
    out += [
        "frontend lb",
        f"    bind 127.0.0.1:{port}",
        "    default_backend pool",
        "backend pool",
        f"    balance {ALGORITHMS[algorithm]}",
    ]
    if check:
        out.append(f"    option httpchk GET {check.get('path', '/health')}")
    if sticky:
        out.append(f"    cookie {sticky.get('cookie', 'LBSESSION')} insert indirect nocache")
    for backend in config.get("backends") or []:
        name = backend["name"]
        line = f"    server {name} {backend.get('host', '127.0.0.1')}:{backend['port']}"
        if algorithm == "weighted":
            line += f" weight {int(backend.get('weight', 1))}"
        if check:
            line += (
                f" check inter {int(check.get('interval_ms', 1000))}"
                f" fall {int(check.get('unhealthy_threshold', 1))}"
                f" rise {int(check.get('healthy_threshold', 1))}"
            )
        if sticky:
            line += f" cookie {name}"
        out.append(line)
    return "\n".join(out) + "\n"


def set_parent_death_signal() -> None:
    """haproxy gets SIGTERM if this adapter dies, even by SIGKILL."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--config", required=True)
    args = parser.parse_args()
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    workdir = Path(tempfile.mkdtemp(prefix="lb-oracle-"))
    cfg = workdir / "haproxy.cfg"

    def generate() -> None:
        text = haproxy_config(parse_config(Path(args.config).read_text()), args.port)
        tmp = workdir / "haproxy.cfg.new"
        tmp.write_text(text)
        tmp.replace(cfg)

    generate()
    master = subprocess.Popen([haproxy, "-W", "-db", "-f", str(cfg)], preexec_fn=set_parent_death_signal)

    def reload(signum: int, frame: object) -> None:
        try:
            generate()
        except Exception as exc:  # keep the running configuration
            print(f"reload: {exc}; keeping the old configuration", flush=True)
            return
        master.send_signal(signal.SIGUSR2)

    def stop(signum: int, frame: object) -> None:
        master.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGHUP, reload)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        code = master.wait()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
