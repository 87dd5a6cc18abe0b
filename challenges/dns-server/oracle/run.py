#!/usr/bin/env python3
"""Runs BIND (named) as the DNS server the challenge describes.

Usage: run.py --port N --zone FILE [--resolver HOST:PORT]

named serves the zone file as its primary (authoritative) server on 127.0.0.1, UDP and
TCP, port N. With --resolver, names outside the zone are forwarded to that resolver
("forward only"; no DNSSEC validation); without it, named does no recursion at all.
The zone's origin is read from the file's $ORIGIN line.

Why BIND: the challenge sends questions whose name ends in a compression pointer, which
RFC 1035 allows anywhere a name is. BIND follows it; Knot drops such a query unanswered,
and dnsmasq in front of Knot passes it on unchanged.

Everything named writes (configuration, pid file, session key, managed keys) goes to one
fresh temporary directory, removed when named stops. named runs in the foreground (-f,
logging warnings to stderr) as a child that gets SIGTERM if this adapter dies, even by
SIGKILL. Standard library only.
"""

from __future__ import annotations

import argparse
import ctypes
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path


def zone_origin(text: str) -> str:
    match = re.search(r"^\$ORIGIN\s+(\S+)", text, re.MULTILINE)
    if match is None:
        raise SystemExit("oracle: the zone file has no $ORIGIN line")
    return match.group(1)


def named_conf(workdir: Path, port: int, zone_file: Path, origin: str, resolver: str | None) -> str:
    if resolver:
        host, _, upstream_port = resolver.rpartition(":")
        recursion = (
            "    recursion yes;\n"
            "    allow-recursion { 127.0.0.1; };\n"
            f"    forwarders {{ {host} port {upstream_port}; }};\n"
            "    forward only;\n"
        )
    else:
        recursion = "    recursion no;\n"
    return (
        "options {\n"
        f'    directory "{workdir}";\n'
        f'    pid-file "{workdir}/named.pid";\n'
        f'    session-keyfile "{workdir}/session.key";\n'
        f'    managed-keys-directory "{workdir}";\n'
        f"    listen-on port {port} {{ 127.0.0.1; }};\n"
        "    listen-on-v6 { none; };\n"
        "    allow-query { any; };\n"
        "    dnssec-validation no;\n"
        "    max-cache-size 16m;\n"
        "    notify no;\n"
        f"{recursion}"
        "};\n"
        "controls { };\n"
        "logging {\n"
        "    channel errors { stderr; severity warning; };\n"
        "    category default { errors; };\n"
        "    category general { errors; };\n"
        "};\n"
        f'zone "{origin}" {{ type primary; file "{zone_file}"; }};\n'
    )


def set_parent_death_signal() -> None:
    """named gets SIGTERM if this adapter dies, even by SIGKILL."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--zone", required=True)
    parser.add_argument("--resolver")
    args = parser.parse_args()
    named = shutil.which("named") or "/usr/sbin/named"
    zone_file = Path(args.zone).resolve()
    origin = zone_origin(zone_file.read_text())
    workdir = Path(tempfile.mkdtemp(prefix="dns-oracle-"))
    conf = workdir / "named.conf"
    conf.write_text(named_conf(workdir, args.port, zone_file, origin, args.resolver))
    child = subprocess.Popen(
        [named, "-f", "-4", "-n", "1", "-c", str(conf)], preexec_fn=set_parent_death_signal
    )

    def stop(signum: int, frame: object) -> None:
        child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        code = child.wait()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
