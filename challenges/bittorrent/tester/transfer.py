"""Stages 5 to 11: the tracker, the peer wire protocol, and downloads from a swarm that
misbehaves."""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path

from crack.harness import Harness
from crack.harness.bytes_display import show

from .program import output_text, run_program, where
from .seeder import PSTR, Behaviour, Seeder
from .swarm import Swarm, add_aria2c_seeder, add_seeder, start_swarm
from .torrents import BLOCK, PIECE_LENGTH, Torrent, sizes

ADDRESS = re.compile(r"^(\d+\.\d+\.\d+\.\d+):(\d+)$")


def peers(h: Harness) -> None:
    swarm = start_swarm(h, [("a few pieces", 3 * PIECE_LENGTH + h.random.randint(1, BLOCK))])
    torrent = swarm.torrents[0]
    for _ in range(h.random.randint(2, 4)):
        add_seeder(h, swarm, torrent)
    expected = {seeder.address for seeder in swarm.seeders}
    h.log(f"the tracker at {swarm.tracker.url} knows the peers {', '.join(sorted(expected))}")
    command = f"peers {where(h, torrent.path)}"
    ran = run_program(h, ["peers", str(torrent.path)])
    lines = [line.strip() for line in output_text(h, ran).splitlines() if line.strip()]
    printed = {line for line in lines if ADDRESS.match(line)}
    missing = expected - printed
    if missing:
        h.fail(
            f"`{command}`: the tracker answered with the peers {', '.join(sorted(expected))} "
            "(and perhaps your program's own address)\n"
            f"missing from your output: {', '.join(sorted(missing))}\n" + _printed(lines),
            hint=_peers_hint(printed, missing),
        )
    h.log(f"every peer the tracker gave is printed as IP:port ({len(expected)})")


def _printed(lines: list[str]) -> str:
    """What the program printed, in short: its lines are in the log above, and addresses it
    made up from the tracker's bytes hold ports that change from run to run."""
    if not lines:
        return "your program printed nothing"
    addresses = sum(1 for line in lines if ADDRESS.match(line))
    return (
        f"your program printed {len(lines)} line(s), {addresses} of them IP:port, none of those the "
        "missing peers (its output is in the log above)"
    )


def _peers_hint(printed: set[str], missing: set[str]) -> str:
    swapped = {
        f"{a.rsplit(':', 1)[0]}:{int.from_bytes(int(a.rsplit(':', 1)[1]).to_bytes(2, 'big'), 'little')}"
        for a in missing
    }
    if swapped & printed:
        return "a compact peer's port is 2 bytes in network byte order (big-endian)"
    if not printed:
        return (
            "announce with the 20 raw bytes of the info hash, URL-encoded byte by byte (not its hex), "
            "and compact=1; then read `peers` as 6 bytes per peer: 4 of IP, 2 of port"
        )
    return "each peer is 6 bytes of `peers`: 4 bytes of IPv4 address, then 2 of port (big-endian)"


def handshake(h: Harness) -> None:
    swarm = start_swarm(h, [("a few pieces", 2 * PIECE_LENGTH + h.random.randint(1, BLOCK))])
    torrent = swarm.torrents[0]
    ours = add_seeder(h, swarm, torrent, Behaviour(split_writes=True), announce=False)
    h.log(f"a peer of the tester's own listens on {ours.address}; it writes its handshake a byte at a time")
    got = _handshake(h, torrent, ours.address, ours)
    if got != ours.peer_id.hex():
        h.fail(
            f"`handshake` with {ours.address}\n"
            f"expected: Peer ID: {ours.peer_id.hex()}\n     got: Peer ID: {got}",
            hint=(
                "the peer id is the last 20 bytes of the peer's 68-byte handshake; a handshake can "
                "arrive in several reads, so read until you have all 68 bytes"
            ),
        )
    received = ours.connections[-1].handshake
    expected_start = PSTR + bytes(8) + torrent.info_hash
    if received[:20] != PSTR or received[28:48] != torrent.info_hash:
        h.fail(
            f"the peer received the handshake {show(received, 100)}\nexpected it to start with "
            f"{show(expected_start, 100)} (reserved bytes aside), then your 20-byte peer id"
        )
    port = add_aria2c_seeder(h, swarm, torrent)
    h.log(f"real aria2c seeds the torrent on 127.0.0.1:{port}")
    got = _handshake(h, torrent, f"127.0.0.1:{port}", None)
    if not got.startswith(b"A2-".hex()):
        h.fail(
            f"`handshake` with aria2c printed Peer ID: {got}, which is not aria2c's peer id (it starts "
            f"with {b'A2-'.hex()}, the bytes A2-)",
            hint="print the last 20 bytes of the handshake the peer sent back, as 40 hex digits",
        )
    h.log(f"aria2c's peer id {got} is right")


def _handshake(h: Harness, torrent: Torrent, address: str, seeder: Seeder | None) -> str:
    def explain() -> tuple[str, str | None]:
        if seeder is None or not seeder.connections:
            return "", None
        got = seeder.connections[-1].handshake
        # Up to the info hash: what follows is the program's peer id, random bytes as often as not.
        shown = show(got[:48], 48) + (f" and {len(got) - 48} more byte(s)" if len(got) > 48 else "")
        return (
            f"\nthe peer received {len(got)} of the 68 bytes of a handshake: {shown}",
            _handshake_hint(got),
        )

    ran = run_program(h, ["handshake", str(torrent.path), address], timeout=10, explain=explain)
    return _peer_id_line(h, ran.command, output_text(h, ran))


def _handshake_hint(got: bytes) -> str | None:
    if len(got) == 68:
        return (
            "the peer's 68-byte handshake came a byte at a time: read in a loop until all 68 "
            "bytes have arrived, then take the peer id from the last 20"
        )
    if len(got) < 68:
        return (
            'a handshake is 68 bytes: 19, "BitTorrent protocol", 8 reserved bytes, the 20-byte info '
            "hash and a peer id of exactly 20 bytes"
        )
    return None


def _peer_id_line(h: Harness, command: str, text: str) -> str:
    match = re.search(r"Peer ID:\s*([0-9a-fA-F]+)", text)
    if match is None:
        h.fail(
            f"`{command}` printed no line `Peer ID: <40 hex digits>`; it printed:\n"
            f"{text.strip() or '(nothing)'}"
        )
    return match[1].lower()


def _connections_since(swarm: Swarm, before: dict[int, int]) -> list[tuple[Seeder, int]]:
    """(seeder, connection index) for every connection made after ``before`` was taken."""
    return [
        (seeder, index)
        for seeder in swarm.seeders
        for index in range(before.get(id(seeder), 0), len(seeder.connections))
    ]


def _snapshot(swarm: Swarm) -> dict[int, int]:
    return {id(seeder): len(seeder.connections) for seeder in swarm.seeders}


def _violations(swarm: Swarm, before: dict[int, int]) -> str:
    lines: list[str] = []
    for seeder, index in _connections_since(swarm, before):
        for violation in seeder.connections[index].violations:
            line = f"  your program {violation}"
            if line not in lines:
                lines.append(line)
    return "\n" + "\n".join(lines) if lines else ""


def _explain_for(swarm: Swarm, before: dict[int, int]) -> tuple[str, str | None]:
    said = _violations(swarm, before)
    if not said:
        return "", None
    if "bytes long" in said:
        return said, (
            "the last piece holds what is left of the file (length minus piece length times the "
            "number of pieces before it), and its last block is shorter than 16 KiB"
        )
    return said, (
        "ask a peer only for pieces its bitfield or a later `have` announced, and for at most "
        f"{BLOCK} bytes (one block) per request: a peer hangs up on any other request"
    )


def _check_file(
    h: Harness, command: str, path: Path, expected: bytes, torrent: Torrent, first_piece: int = 0
) -> None:
    if not path.is_file():
        h.fail(f"`{command}` exited 0 but wrote no file {where(h, path)}")
    got = path.read_bytes()
    if got == expected:
        return
    if len(got) != len(expected):
        h.fail(
            f"`{command}` wrote {len(got)} bytes to {where(h, path)}; expected {len(expected)}",
            hint=(
                "every piece is `piece length` bytes except the last, which holds what is left of the "
                "file's length; the last block of a piece is shorter too"
            ),
        )
    at = next(i for i, (a, b) in enumerate(zip(expected, got, strict=True)) if a != b)
    piece = first_piece + at // torrent.piece_length
    h.fail(
        f"`{command}` wrote {where(h, path)} with the right length, but it differs from byte {at} "
        f"(piece {piece}, block {at % torrent.piece_length // BLOCK})\n"
        f"expected from byte {at}: {show(expected[at : at + 24], 24)}\n"
        f"     got from byte {at}: {show(got[at : at + 24], 24)}",
        hint=(
            "check each piece's SHA-1 against the torrent's `pieces` before you write it; a piece "
            "that does not match is fetched again, from another peer"
        ),
    )


PIPELINE = 5
"""Requests a program keeps outstanding on a connection while a piece has that many blocks left."""


def download_piece(h: Harness) -> None:
    drawn = sizes(h.random)
    labels = [
        "a last piece that is not a whole number of blocks",
        "a last piece that ends on a block boundary",
    ]
    swarm = start_swarm(h, [(label, drawn[label]) for label in labels])
    for torrent in swarm.torrents:
        add_seeder(h, swarm, torrent)
    h.log("each peer answers a request 100 ms after it arrives, as over a real network")
    first, second = swarm.torrents
    cases = [
        (first, first.pieces - 1),
        (second, h.random.randrange(second.pieces - 1)),
        (second, second.pieces - 1),
    ]
    for number, (torrent, index) in enumerate(cases):
        out = h.scratch / f"piece-{number}"
        command = ["download_piece", "-o", str(out), str(torrent.path), str(index)]
        before = _snapshot(swarm)
        ran = run_program(h, command, timeout=30, refusals=partial(_explain_for, swarm, before))
        _check_file(h, ran.command, out, torrent.piece(index), torrent, index)
        blocks = -(-len(torrent.piece(index)) // BLOCK)
        needed = min(PIPELINE, blocks)
        used = _connections_since(swarm, before)
        deepest = max((seeder.connections[i].max_outstanding for seeder, i in used), default=0)
        if deepest < needed:
            h.fail(
                f"`{ran.command}` fetched the piece's {blocks} blocks with at most {deepest} request(s) "
                f"outstanding; expected at least {needed} at a time",
                hint=(
                    "pipeline: send several requests before reading the first block, and send another "
                    "each time a block arrives; one request per round trip wastes the connection"
                ),
            )
        h.log(
            f"piece {index} of {torrent.name} is right "
            f"({blocks} blocks, up to {deepest} requests outstanding)"
        )


def download(h: Harness) -> None:
    drawn = sizes(h.random)
    labels = ["a last piece that is not a whole number of blocks", "exactly one piece", "less than one block"]
    swarm = start_swarm(h, [(label, drawn[label]) for label in labels])
    for torrent in swarm.torrents:
        add_seeder(h, swarm, torrent)
    main = swarm.torrents[0]
    add_aria2c_seeder(h, swarm, main)
    swarm.tracker.wait_for_seeders(h, main.info_hash, 2)
    h.log("real aria2c seeds the first torrent beside a peer of the tester's own")
    for number, torrent in enumerate(swarm.torrents):
        out = h.scratch / f"download-{number}"
        command = ["download", "-o", str(out), str(torrent.path)]
        before = _snapshot(swarm)
        ran = run_program(h, command, timeout=30, refusals=partial(_explain_for, swarm, before))
        _check_file(h, ran.command, out, torrent.data, torrent)
        h.log(f"{torrent.name} is right, {len(torrent.data)} bytes in {torrent.pieces} piece(s)")


def _download_one(h: Harness, swarm: Swarm, torrent: Torrent, name: str) -> tuple[str, dict[int, int]]:
    out = h.scratch / name
    command = ["download", "-o", str(out), str(torrent.path)]
    before = _snapshot(swarm)
    ran = run_program(h, command, timeout=40, refusals=partial(_explain_for, swarm, before))
    _check_file(h, ran.command, out, torrent.data, torrent)
    return ran.command, before


def several_peers(h: Harness) -> None:
    size = h.random.randint(6, 8) * PIECE_LENGTH + h.random.randint(1, PIECE_LENGTH - 1)
    swarm = start_swarm(h, [("several pieces", size)])
    torrent = swarm.torrents[0]
    for _ in range(3):
        add_seeder(h, swarm, torrent, Behaviour(latency_s=0.15))
    h.log("three peers of the tester's own seed it; each answers a request 150 ms after it arrives")
    command, before = _download_one(h, swarm, torrent, "download")
    spans: dict[str, list[tuple[float, float]]] = {}
    for seeder, index in _connections_since(swarm, before):
        spans.setdefault(seeder.address, []).extend(seeder.connections[index].waits)
    served = {address: waits for address, waits in spans.items() if waits}
    overlapping = any(
        a_start < b_end and b_start < a_end
        for a, a_waits in served.items()
        for b, b_waits in served.items()
        if a < b
        for a_start, a_end in a_waits
        for b_start, b_end in b_waits
    )
    if not overlapping:
        shown = (
            "\n".join(
                f"  {address}: {len(waits)} block(s), "
                f"from {waits[0][0] - _start(served):.2f} s to {waits[-1][1] - _start(served):.2f} s"
                for address, waits in sorted(served.items(), key=lambda item: item[1][0][0])
            )
            or "  (no peer served a block)"
        )
        h.fail(
            f"`{command}` wrote the right file, but never had requests outstanding at two peers "
            f"at once:\n{shown}",
            hint=(
                "download from several peers at the same time: one connection per peer, each taking the "
                "next piece nobody else is fetching from a shared list (threads, tasks or a poll loop)"
            ),
        )
    h.log(f"the download used {len(served)} peers at once")


def _start(served: dict[str, list[tuple[float, float]]]) -> float:
    return min(waits[0][0] for waits in served.values())


def partial_seeders(h: Harness) -> None:
    pieces = h.random.randint(6, 8)
    size = pieces * PIECE_LENGTH + h.random.randint(1, PIECE_LENGTH - 1)
    swarm = start_swarm(h, [("several pieces", size)])
    torrent = swarm.torrents[0]
    order = list(range(torrent.pieces))
    h.random.shuffle(order)
    third = torrent.pieces // 3
    lacks_a, lacks_b = frozenset(order[:third]), frozenset(order[third : 2 * third])
    later = frozenset(order[2 * third : 2 * third + 2])
    a = add_seeder(h, swarm, torrent, Behaviour(lacking=lacks_a, missing=later))
    b = add_seeder(h, swarm, torrent, Behaviour(lacking=lacks_b, choke_after_blocks=h.random.randint(3, 9)))
    c = add_seeder(h, swarm, torrent, Behaviour(hang_up_after_blocks=h.random.randint(2, 6)))
    h.log(
        f"peer {a.address} lacks pieces {sorted(lacks_a)} and announces {sorted(later)} "
        "with `have` only after "
        f"unchoking; peer {b.address} lacks pieces {sorted(lacks_b)} and chokes after "
        f"{b.behaviour.choke_after_blocks} blocks (dropping the requests it holds) for 300 ms; peer "
        f"{c.address} hangs up after {c.behaviour.hang_up_after_blocks} blocks"
    )
    _download_one(h, swarm, torrent, "download")
    h.log("the file is right, and no peer was asked for a piece it had not announced")


def corrupt_piece(h: Harness) -> None:
    pieces = h.random.randint(4, 6)
    size = pieces * PIECE_LENGTH + h.random.randint(1, PIECE_LENGTH - 1)
    swarm = start_swarm(h, [("several pieces", size)])
    torrent = swarm.torrents[0]
    bad = 0
    liar = add_seeder(h, swarm, torrent, Behaviour(corrupt=frozenset({bad})))
    honest = add_seeder(h, swarm, torrent, Behaviour(missing=frozenset({bad}), have_delay_s=1.5))
    h.log(
        f"peer {liar.address} sends piece {bad} with a changed byte, every time; peer {honest.address} "
        f"announces piece {bad} with `have` 1.5 s after unchoking"
    )
    _download_one(h, swarm, torrent, "download")
    asked = [seen.requests for seen in liar.connections]
    if not any(index == bad for requests in asked for index, _, _ in requests):
        h.log(f"(your program fetched piece {bad} from {honest.address} only)")
    h.log("the file is right: the corrupt piece was fetched again")
