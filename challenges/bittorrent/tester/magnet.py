"""Stage 12: ``magnet_info <magnet link>``: a torrent known only by its info hash.

A magnet link carries the info hash and a tracker, not the info dictionary. The program
gets the dictionary from a peer with the extension protocol (BEP 10) and its ut_metadata
messages (BEP 9), checks it against the info hash, and prints what ``info`` prints. One of
the tester's peers speaks no extensions at all, as many peers in a real swarm."""

from __future__ import annotations

import urllib.parse
from functools import partial

from crack.harness import Harness

from .info import INFO_HASH_HINT, expect_info, fields_of
from .program import output_text, run_program
from .seeder import Behaviour
from .swarm import Swarm, add_seeder, start_swarm
from .torrents import BLOCK, PIECE_LENGTH, Torrent


def magnet_link(torrent: Torrent, extra_first: bool) -> str:
    """A magnet link as clients write them: ``xt`` with the hex info hash, ``dn``, and ``tr``
    percent-encoded; the order of the parameters varies."""
    params = [
        ("xt", f"urn:btih:{torrent.info_hash.hex()}"),
        ("dn", torrent.name),
        ("tr", torrent.tracker),
    ]
    if extra_first:
        params.reverse()
    return "magnet:?" + "&".join(
        f"{key}={urllib.parse.quote(value, safe=':' if key == 'xt' else '')}" for key, value in params
    )


def _explain(swarm: Swarm) -> tuple[str, str | None]:
    lines: list[str] = []
    for seeder in swarm.seeders:
        for seen in seeder.connections:
            if seen.handshake and not seen.handshake[25] & 0x10 and seeder.behaviour.extensions:
                lines.append(
                    f"  peer {seeder.address}: your handshake's reserved bytes are "
                    f"{seen.handshake[20:28].hex()}, without the extension protocol's bit"
                )
            lines.extend(f"  peer {seeder.address}: your program {v}" for v in seen.violations)
    said = "\n" + "\n".join(dict.fromkeys(lines)) if lines else ""
    hint = (
        "set bit 0x10 of the 6th reserved byte of your handshake, send an extension handshake "
        "(message 20, extended id 0) naming ut_metadata, then ask for piece 0 of the metadata with "
        "the id the peer gave ut_metadata in its own extension handshake"
    )
    return said, hint if said else None


def magnet_info(h: Harness) -> None:
    size = h.random.randint(2, 5) * PIECE_LENGTH + h.random.randint(1, BLOCK)
    swarm = start_swarm(h, [("several pieces", size)])
    torrent = swarm.torrents[0]
    torrent.path.unlink()  # only the magnet link is given
    plain = add_seeder(h, swarm, torrent, Behaviour(extensions=False))
    sharing = add_seeder(h, swarm, torrent, Behaviour(extensions=True))
    h.log(
        f"peer {plain.address} speaks no extensions; peer {sharing.address} shares the metadata (ut_metadata)"
    )
    link = magnet_link(torrent, h.random.random() < 0.5)
    h.log(f"the magnet link: {link}")
    ran = run_program(h, ["magnet_info", link], timeout=15, explain=partial(_explain, swarm))
    fields = fields_of(output_text(h, ran))
    command = "magnet_info <the link above>"
    expect_info(
        h,
        command,
        fields,
        "Tracker URL",
        torrent.tracker,
        "the tracker is the link's `tr` parameter, URL-decoded",
    )
    expect_info(h, command, fields, "Info Hash", torrent.info_hash.hex(), INFO_HASH_HINT)
    expect_info(
        h,
        command,
        fields,
        "Length",
        str(len(torrent.data)),
        "the length is in the metadata: its `length` integer",
    )
    expect_info(
        h, command, fields, "Piece Length", str(torrent.piece_length), "the metadata's `piece length`"
    )
    h.log("the metadata came through ut_metadata, and every line is right")
