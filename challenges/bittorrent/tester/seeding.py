"""Stage 13: ``seed <file.torrent> <file> --port N``: the program serves, and real aria2c
downloads from it.

Every earlier stage had the program take from peers; here it is the only seeder of a
torrent. It announces itself to the tracker (``left=0``), and aria2c, a real client with
its own idea of pipelining, piece order and extension messages, must end with the file
byte for byte."""

from __future__ import annotations

import shutil
import subprocess

from crack.harness import Harness

from .program import where
from .swarm import start_swarm
from .torrents import BLOCK, PIECE_LENGTH

ARIA2C_S = 25.0


def seed(h: Harness) -> None:
    size = h.random.randint(3, 6) * PIECE_LENGTH + h.random.randint(1, BLOCK - 1)
    swarm = start_swarm(h, [("several pieces", size)])
    torrent = swarm.torrents[0]
    data = h.scratch / "to-seed" / torrent.name
    data.parent.mkdir()
    data.write_bytes(torrent.data)
    port = h.free_port()
    h.log(f"{where(h, data)} holds the file; your program seeds it on port {port}")
    h.start_server(["seed", str(torrent.path), str(data), "--port", str(port)], port)
    h.log("waiting for your program to announce itself to the tracker as a seeder (left=0)")
    while swarm.tracker.seeders(torrent.info_hash) < 1:
        if h.remaining() < ARIA2C_S:
            h.fail(
                f"your program listens on port {port}, but the tracker still counts no seeder "
                "for the torrent",
                hint="announce to the tracker with your port, left=0 and event=started, so clients find you",
            )
        h.sleep(0.1)
    out = h.scratch / "aria2c-download"
    out.mkdir()
    command = [
        "aria2c",
        "--seed-time=0",
        "--enable-dht=false",
        "--bt-enable-lpd=false",
        "--enable-peer-exchange=false",
        "--file-allocation=none",
        "--console-log-level=warn",
        "--summary-interval=0",
        "--bt-stop-timeout=15",
        f"--dir={out}",
        str(torrent.path),
    ]
    h.log("$ " + " ".join(command[:1] + command[-2:]) + "  (real aria2c downloads from your program)")
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=min(ARIA2C_S, h.remaining()))
    except subprocess.TimeoutExpired:
        h.fail(
            f"aria2c did not finish downloading {torrent.name} ({size} bytes) from your program within "
            f"{ARIA2C_S:.0f} seconds",
            hint="after `interested`, send unchoke, then answer every request aria2c sends, in any order",
        )
    got = out / torrent.name
    data_got = got.read_bytes() if got.is_file() else b""
    if result.returncode != 0 or data_got != torrent.data:
        right = sum(
            1
            for index in range(torrent.pieces)
            if data_got[index * PIECE_LENGTH : (index + 1) * PIECE_LENGTH] == torrent.piece(index)
        )
        h.fail(
            f"aria2c could not download {torrent.name} ({size} bytes, {torrent.pieces} pieces) from your "
            f"program: it exited with code {result.returncode}, with {right} of the {torrent.pieces} "
            "pieces right",
            hint=(
                "answer the handshake with the same info hash, send a bitfield of (pieces + 7) / 8 "
                "bytes with every piece's bit set, unchoke after `interested`, and answer each request "
                "with a piece message holding exactly the bytes asked for"
            ),
        )
    shutil.rmtree(out, ignore_errors=True)
    h.log(f"aria2c downloaded all {torrent.pieces} pieces from your program, byte for byte")
