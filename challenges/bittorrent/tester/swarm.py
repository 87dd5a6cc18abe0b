"""A swarm on loopback: real opentracker, the tester's own seeders and real aria2c seeding."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from crack.harness import Harness

from .program import where
from .seeder import Behaviour, Seeder
from .servers import wait_listening
from .torrents import Torrent, make
from .tracker import Tracker


@dataclass
class Swarm:
    tracker: Tracker
    torrents: list[Torrent]
    seeders: list[Seeder] = field(default_factory=list)
    aria2c_ports: list[int] = field(default_factory=list)

    def seeders_of(self, torrent: Torrent) -> list[Seeder]:
        return [seeder for seeder in self.seeders if seeder.torrent is torrent]


def start_swarm(h: Harness, sizes: Sequence[tuple[str, int]]) -> Swarm:
    """A tracker and one torrent per size; no seeders yet."""
    folder = h.scratch
    tracker_port = h.free_port(udp=True)
    url = f"http://127.0.0.1:{tracker_port}/announce"
    torrents = []
    for label, size in sizes:
        torrent = make(folder / "files", h.random, size, url)
        torrent = _moved(torrent, folder)
        h.log(
            f"{where(h, torrent.path)}: {size} bytes ({label}), {torrent.pieces} piece(s), made by mktorrent"
        )
        torrents.append(torrent)
    tracker = Tracker(h, [t.info_hash for t in torrents], port=tracker_port)
    return Swarm(tracker, torrents)


def _moved(torrent: Torrent, folder: object) -> Torrent:
    """The torrent file beside the stage's folder, its data kept away from the program."""
    from dataclasses import replace
    from pathlib import Path

    target = Path(str(folder)) / torrent.path.name
    torrent.path.replace(target)
    return replace(torrent, path=target)


def add_seeder(
    h: Harness, swarm: Swarm, torrent: Torrent, behaviour: Behaviour | None = None, *, announce: bool = True
) -> Seeder:
    seeder = Seeder(torrent, h.random, behaviour, port=h.free_port())
    h.defer(seeder.stop)
    swarm.seeders.append(seeder)
    if announce:
        swarm.tracker.announce(torrent.info_hash, seeder.peer_id, seeder.port)
    return seeder


def add_aria2c_seeder(h: Harness, swarm: Swarm, torrent: Torrent) -> int:
    """Real aria2c seeding ``torrent`` from the file's folder; it announces itself."""
    port = h.free_port()
    folder = torrent.path.parent / "files"
    process = h.start_helper(
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
            "--bt-max-peers=0",
            f"--dir={folder}",
            str(torrent.path),
        ],
        name="aria2c seeder",
        cwd=folder,
    )
    wait_listening(h, process, port, "aria2c")
    swarm.aria2c_ports.append(port)
    return port
