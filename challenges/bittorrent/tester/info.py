"""Stages 3 and 4: ``info <file.torrent>`` prints what the torrent says.

Torrents are made by real mktorrent from seeded files. The info hash is the SHA-1 of the
``info`` dictionary's bytes exactly as they are in the file."""

from __future__ import annotations

import re

from crack.harness import Harness

from .program import output_text, run_program, where
from .torrents import Torrent, make, sizes

LINE = re.compile(r"^([A-Za-z ]+):\s*(.*)$")


def _torrents(h: Harness, count: int) -> list[Torrent]:
    drawn = list(sizes(h.random).items())
    h.random.shuffle(drawn)
    made = []
    for label, size in drawn[:count]:
        port = h.random.randint(6881, 6999)
        torrent = make(h.scratch, h.random, size, f"http://127.0.0.1:{port}/announce")
        h.log(f"{where(h, torrent.path)}: {torrent.name}, {size} bytes ({label}), made by mktorrent")
        made.append(torrent)
    return made


def fields_of(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in text.splitlines():
        match = LINE.match(line.strip())
        if match:
            fields.setdefault(match[1].strip().lower(), match[2].strip())
    return fields


def expect_info(
    h: Harness, command: str, fields: dict[str, str], name: str, expected: str, hint: str
) -> None:
    got = fields.get(name.lower())
    if got is None:
        h.fail(f"`{command}` printed no line `{name}: …`\nexpected: {name}: {expected}")
    if got != expected:
        h.fail(f"`{command}`\nexpected: {name}: {expected}\n     got: {name}: {got}", hint=hint)


INFO_HASH_HINT = (
    "hash the bytes of the info dictionary exactly as they are in the file, from its `d` to "
    "its matching `e`: re-encoding a decoded copy changes them if any string (such as the "
    "binary `pieces`) went through a text conversion"
)


def torrent_info(h: Harness) -> None:
    for torrent in _torrents(h, 2):
        command = f"info {where(h, torrent.path)}"
        ran = run_program(h, ["info", str(torrent.path)])
        fields = fields_of(output_text(h, ran))
        expect_info(
            h,
            command,
            fields,
            "Tracker URL",
            torrent.tracker,
            "the tracker is the `announce` string of the top-level dictionary",
        )
        expect_info(
            h,
            command,
            fields,
            "Length",
            str(len(torrent.data)),
            "the length is the `length` integer of the info dictionary",
        )
        expect_info(h, command, fields, "Info Hash", torrent.info_hash.hex(), INFO_HASH_HINT)
        h.log(f"Tracker URL, Length and Info Hash of {torrent.name} are right")


def piece_hashes(h: Harness) -> None:
    for torrent in _torrents(h, 2):
        command = f"info {where(h, torrent.path)}"
        ran = run_program(h, ["info", str(torrent.path)])
        text = output_text(h, ran)
        fields = fields_of(text)
        expect_info(h, command, fields, "Info Hash", torrent.info_hash.hex(), INFO_HASH_HINT)
        expect_info(
            h,
            command,
            fields,
            "Piece Length",
            str(torrent.piece_length),
            "the piece length is the `piece length` integer of the info dictionary",
        )
        lines = [line.strip() for line in text.splitlines()]
        marker = next((i for i, line in enumerate(lines) if line.lower().startswith("piece hashes:")), None)
        expected = [digest.hex() for digest in torrent.piece_hashes]
        shown = "\n".join(f"  {line}" for line in expected)
        if marker is None:
            h.fail(
                f"`{command}` printed no line `Piece Hashes:`\nexpected it, then one hash a line:\n{shown}"
            )
        got = [line for line in lines[marker + 1 :] if line][: len(expected) + 1]
        got = [line for line in got if re.fullmatch(r"[0-9a-fA-F]+", line)]
        if [line.lower() for line in got] != expected:
            h.fail(
                f"`{command}`: the piece hashes after `Piece Hashes:` differ\n"
                f"expected ({len(expected)} pieces of {torrent.piece_length} bytes, "
                f"the last of {len(torrent.piece(torrent.pieces - 1))}):\n{shown}\n"
                "     got:\n" + ("\n".join(f"  {line}" for line in got) or "  (no hex lines)"),
                hint=(
                    "`pieces` is one byte string of 20-byte SHA-1 digests end to end: cut it every 20 "
                    "bytes and print each digest as 40 hex digits"
                ),
            )
        h.log(f"Piece Length and the {len(expected)} piece hashes of {torrent.name} are right")
