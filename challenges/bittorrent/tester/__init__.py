"""The bittorrent challenge's tester: one function per stage slug of challenge.yaml.

The learner's program is run once per command (``./your_program.sh download -o out
file.torrent``). Torrents are made by real mktorrent, the tracker is real opentracker,
and the swarm mixes real aria2c seeders with the tester's own peers, which misbehave on
purpose (late answers, split writes, partial bitfields, chokes, hang-ups, corrupt blocks).
"""

from __future__ import annotations

from crack.tester import Tester

from .decoding import lists_and_dictionaries, strings_and_integers
from .info import piece_hashes, torrent_info
from .magnet import magnet_info
from .seeding import seed
from .transfer import (
    corrupt_piece,
    download,
    download_piece,
    handshake,
    partial_seeders,
    peers,
    several_peers,
)

tester = Tester("bittorrent")

tester.stage("bencode-strings")(strings_and_integers)
tester.stage("bencode-collections")(lists_and_dictionaries)
tester.stage("torrent-info")(torrent_info)
tester.stage("piece-hashes")(piece_hashes)
tester.stage("peers")(peers)
tester.stage("handshake")(handshake)
tester.stage("download-piece")(download_piece)
tester.stage("download")(download)
tester.stage("several-peers")(several_peers)
tester.stage("partial-seeders")(partial_seeders)
tester.stage("corrupt-piece")(corrupt_piece)
tester.stage("magnet-info")(magnet_info)
tester.stage("seed")(seed)
