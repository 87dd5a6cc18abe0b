#!/usr/bin/env python3
"""The oracle: real aria2c, behind the challenge's command line.

aria2c is a BitTorrent client with a command line of its own, so this adapter turns the
tester's commands into aria2c runs and prints what the tester reads:

- ``info FILE``: ``aria2c --show-files`` (its info hash, total length and tracker);
- ``download -o OUT FILE``: aria2c fetches the torrent from the swarm, the file is moved to OUT;
- ``download_piece -o OUT FILE INDEX``: the same, then OUT gets that piece's bytes;
- ``seed FILE DATA --port N``: aria2c seeds DATA on port N (it announces itself);
- ``magnet_info LINK``: aria2c fetches the metadata from the swarm and saves it as a
  torrent, which ``--show-files`` reads.

aria2c cannot print a piece hash, ask a tracker alone, decode bencode or stop after a
handshake, so those stages are proven by the reference and the scenarios only.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

OPTIONS = [
    "--seed-time=0",
    "--enable-dht=false",
    "--bt-enable-lpd=false",
    "--enable-peer-exchange=false",
    "--file-allocation=none",
    "--console-log-level=warn",
    "--summary-interval=0",
    "--download-result=hide",
]


UNITS = {"": 1, "KiB": 1024, "MiB": 1024**2}


def info(path: str, tracker_url: str | None = None) -> None:
    shown = subprocess.run(
        ["aria2c", "--show-files", path], capture_output=True, text=True, check=True
    ).stdout
    tracker = re.search(r"^Announce:\n\s*(\S+)", shown, re.M)
    piece = re.search(r"^Piece Length: (\d+)(KiB|MiB|)$", shown, re.M)
    length = re.search(r"^Total Length: .*\(([\d,]+)\)", shown, re.M)
    info_hash = re.search(r"^Info Hash: ([0-9a-f]{40})", shown, re.M)
    if not ((tracker or tracker_url) and length and info_hash and piece):
        sys.exit(f"unexpected aria2c output:\n{shown}")
    print(f"Tracker URL: {tracker_url or (tracker[1] if tracker else '')}")
    print(f"Length: {length[1].replace(',', '')}")
    print(f"Info Hash: {info_hash[1]}")
    print(f"Piece Length: {int(piece[1]) * UNITS[piece[2]]}")


def magnet_info(link: str) -> None:
    """aria2c fetches the metadata from the swarm (ut_metadata) and saves it as a torrent."""
    tracker = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)["tr"][0]
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            [
                "aria2c",
                *OPTIONS,
                "--bt-metadata-only=true",
                "--bt-save-metadata=true",
                f"--dir={folder}",
                link,
            ],
            check=True,
            stdout=sys.stderr,
        )
        saved = sorted(Path(folder).glob("*.torrent"))
        if len(saved) != 1:
            sys.exit(f"aria2c saved no metadata: {sorted(Path(folder).iterdir())}")
        info(str(saved[0]), tracker)


def fetch(path: str) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["aria2c", *OPTIONS, f"--dir={folder}", path], check=True, stdout=sys.stderr)
        files = [p for p in Path(folder).iterdir() if p.is_file() and not p.name.endswith(".aria2")]
        if len(files) != 1:
            sys.exit(f"aria2c left {files}")
        return files[0].read_bytes()


def piece_length(path: str) -> int:
    data = Path(path).read_bytes()
    match = re.search(rb"12:piece lengthi(\d+)e", data)
    if match is None:
        sys.exit("no piece length")
    return int(match[1])


def seed(path: str, data: str, port: str) -> None:
    """aria2c seeds the file from its folder in the foreground, announcing itself."""
    os.execvp(
        "aria2c",
        [
            "aria2c",
            "--seed-ratio=0.0",
            "--check-integrity=true",
            "--enable-dht=false",
            "--bt-enable-lpd=false",
            "--enable-peer-exchange=false",
            f"--listen-port={port}",
            "--console-log-level=warn",
            "--summary-interval=0",
            f"--dir={Path(data).parent}",
            path,
        ],
    )


def main(args: list[str]) -> None:
    command = args[0]
    if command == "info":
        info(args[1])
    elif command == "magnet_info":
        magnet_info(args[1])
    elif command == "seed" and args[3] == "--port":
        seed(args[1], args[2], args[4])
    elif command == "download" and args[1] == "-o":
        out, path = args[2], args[3]
        Path(out).write_bytes(fetch(path))
    elif command == "download_piece" and args[1] == "-o":
        out, path, index = args[2], args[3], int(args[4])
        size = piece_length(path)
        Path(out).write_bytes(fetch(path)[index * size : (index + 1) * size])
    else:
        sys.exit(f"the aria2c adapter does not take: {' '.join(args)}")


if __name__ == "__main__":
    shutil.which("aria2c") or sys.exit("aria2c is not installed")
    main(sys.argv[1:])
