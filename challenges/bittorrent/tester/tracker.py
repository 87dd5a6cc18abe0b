"""The tracker: real opentracker on loopback, in whitelist mode.

Debian's opentracker is built with a whitelist: it refuses every announce ("Requested
download is not authorized") unless it was started with ``-w FILE`` listing the torrent's
info hash in hex, one a line. The tester's own seeders announce to it like any client."""

from __future__ import annotations

import struct
import time
import urllib.parse
import urllib.request
from collections.abc import Sequence

from crack.harness import Harness

from .bencode import decode
from .servers import wait_listening

WHITELIST_LOAD_S = 5.0


def announce_query(info_hash: bytes, peer_id: bytes, port: int, left: int) -> str:
    """The query string of an announce. Every byte outside the unreserved set is %XX,
    a space too: opentracker reads "+" as a plus sign, so an info hash holding the byte
    0x20 written as "+" names another torrent."""
    return urllib.parse.urlencode(
        {
            "info_hash": info_hash,
            "peer_id": peer_id,
            "port": port,
            "uploaded": 0,
            "downloaded": 0,
            "left": left,
            "compact": 1,
            "event": "started",
        },
        quote_via=urllib.parse.quote,
    )


class NotAuthorized(RuntimeError):
    pass


class Tracker:
    def __init__(self, h: Harness, info_hashes: Sequence[bytes], port: int) -> None:
        # opentracker changes its root to -d's folder, so the whitelist is named from there.
        folder = h.scratch / "tracker"
        folder.mkdir(exist_ok=True)
        whitelist = folder / "whitelist"
        whitelist.write_text("".join(f"{ih.hex()}\n" for ih in info_hashes))
        self.port = port
        process = h.start_helper(
            [
                "opentracker",
                "-i", "127.0.0.1",
                "-p", str(self.port),
                "-P", str(self.port),
                "-w", whitelist.name,
                "-d", str(folder),
            ],
            name="opentracker",
            cwd=folder,
        )  # fmt: skip
        wait_listening(h, process, self.port, "opentracker")
        self.url = f"http://127.0.0.1:{self.port}/announce"

    def announce(self, info_hash: bytes, peer_id: bytes, port: int, left: int = 0) -> list[tuple[str, int]]:
        """Announce a peer of the tester's own; the peers the tracker answers with.

        opentracker reads its whitelist in a thread of its own once it listens, so for a
        moment after it starts it refuses every torrent: the announce is tried again then."""
        deadline = time.monotonic() + WHITELIST_LOAD_S
        while True:
            try:
                return self._announce(info_hash, peer_id, port, left)
            except NotAuthorized:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _announce(self, info_hash: bytes, peer_id: bytes, port: int, left: int) -> list[tuple[str, int]]:
        query = announce_query(info_hash, peer_id, port, left)
        with urllib.request.urlopen(f"{self.url}?{query}", timeout=5) as reply:
            body = decode(reply.read())
        assert isinstance(body, dict), body
        if b"failure reason" in body:
            raise NotAuthorized(f"opentracker refused the tester's announce: {body!r}")
        peers = body.get(b"peers", b"")
        assert isinstance(peers, bytes), body
        return [
            (".".join(str(b) for b in peers[at : at + 4]), struct.unpack(">H", peers[at + 4 : at + 6])[0])
            for at in range(0, len(peers), 6)
        ]

    def seeders(self, info_hash: bytes) -> int:
        """How many seeders the tracker knows for ``info_hash`` (its scrape)."""
        query = urllib.parse.urlencode({"info_hash": info_hash}, quote_via=urllib.parse.quote)
        url = self.url.replace("/announce", "/scrape")
        with urllib.request.urlopen(f"{url}?{query}", timeout=5) as reply:
            body = decode(reply.read())
        assert isinstance(body, dict), body
        files = body.get(b"files", {})
        assert isinstance(files, dict)
        entry = files.get(info_hash, {})
        assert isinstance(entry, dict)
        complete = entry.get(b"complete", 0)
        assert isinstance(complete, int)
        return complete

    def wait_for_seeders(self, h: Harness, info_hash: bytes, count: int) -> None:
        while self.seeders(info_hash) < count:
            if h.remaining() < 1:
                raise RuntimeError("the tester's seeders did not reach the tracker")
            h.sleep(0.1)
