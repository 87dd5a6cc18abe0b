"""Stage 12: snapshots — the data folder stays small, and a follower the leader's log no
longer reaches is brought back with a snapshot.

One follower is cut off while 600 writes of 500-byte values to 5 keys commit; the data folder
of the two others must stay under a bound well below the 370 KB their logs would hold.
Then the follower is let back and the third node cut off: a write commits only once the
follower has everything, which the leader, having compacted its log, can only give it as
a snapshot. Last, every node is crashed and restarted, and the values must still be there.
"""

from __future__ import annotations

import string
from pathlib import Path

from crack.harness import Harness, StageFailure

from .common import ELECTION_BOUND_S, Client, LeaderWatch, show, start_cluster, tester, word

WRITES = 600
KEYS = 5
VALUE_BYTES = 500
DATA_BOUND = 250_000
"""Bytes each data folder may hold after the writes: the live data is 2.5 KB, the log of
every write about 370 KB; a log compacted every 250 entries or so holds at most 160 KB."""
COMMIT_S = 8.0
"""How long the write that needs the follower brought back may take."""

HINT_COMPACT = (
    "once the log holds many applied entries (a few hundred, say), save a snapshot — the store as of "
    "the last applied index, with that index and its term — and drop those entries from the "
    "log, on disk too"
)
HINT_INSTALL = (
    "when a follower needs entries the leader has compacted away (its next index is at or "
    "before the snapshot's last index), the leader sends it the snapshot (install_snapshot: "
    "last index, last term, the store); the follower replaces its store and its log with it "
    "and answers with the snapshot's last index as its match index"
)


def _size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


@tester.stage("snapshots")
def snapshots(h: Harness) -> None:
    cluster, router = start_cluster(h, 3)
    watch = LeaderWatch(router)
    leader = watch.agreed_leader(cluster.ids, ELECTION_BOUND_S, h).node
    h.log(f"the three nodes agree on a leader within {ELECTION_BOUND_S:.0f} s")
    lagging, other = sorted(n for n in cluster.ids if n != leader)
    router.partition([lagging], [leader, other])
    keys = [word(h) for _ in range(KEYS)]
    latest: dict[str, str] = {}
    client = Client(router, "c1", quiet=True)
    h.log(
        f"{lagging} is cut off; {WRITES} puts of {VALUE_BYTES}-byte values to {KEYS} keys commit without it"
    )
    letters = string.ascii_lowercase
    for index in range(WRITES):
        key = keys[index % KEYS]
        value = f"{index}-" + "".join(h.random.choice(letters) for _ in range(VALUE_BYTES))
        client.expect(leader, {"type": "put", "key": key, "value": value}, {"type": "put_ok"})
        latest[key] = value
    sizes = []
    for node in (leader, other):
        size = _size(cluster[node].data_dir)
        sizes.append(size)
        if size > DATA_BOUND:
            raise StageFailure(
                f"after {WRITES} puts of {VALUE_BYTES}-byte values to {KEYS} keys (about "
                f"{KEYS * VALUE_BYTES // 1000} KB of live data), {node}'s --data-dir holds {size} bytes\n"
                f"expected at most {DATA_BOUND}",
                HINT_COMPACT,
            )
    h.log(f"the two data folders hold {sizes[0]} and {sizes[1]} bytes (at most {DATA_BOUND} each)")
    router.partition([other], [leader, lagging])
    h.log(
        f"{lagging} is let back and {other} cut off: a write now commits only once {lagging} has everything"
    )
    writer = Client(router, "c2")
    key, value = word(h), word(h)
    exchange = writer.call(leader, {"type": "put", "key": key, "value": value}, timeout=COMMIT_S)
    if exchange.reply is None or exchange.reply.get("type") != "put_ok":
        got = "nothing" if exchange.reply is None else show(exchange.reply)
        raise StageFailure(
            f"{exchange.sent()}, which commits only once {lagging} ({WRITES} entries behind) has "
            f"caught up\nexpected a put_ok within {COMMIT_S:.0f} s\n     got {got}",
            HINT_INSTALL,
        )
    latest[key] = value
    router.heal()
    for node in cluster.ids:
        cluster[node].crash()
    h.log("healed; every node was crashed; they are restarted on the same data folders")
    for node in cluster.ids:
        cluster[node].start()
    leader = watch.agreed_leader(cluster.ids, ELECTION_BOUND_S, h).node
    h.log(f"the three nodes agree on a leader within {ELECTION_BOUND_S:.0f} s")
    reader = Client(router, "c3", quiet=True)  # values of 1 KB: shown only in a failure
    for asked, wanted in latest.items():
        exchange = reader.call(leader, {"type": "get", "key": asked}, timeout=COMMIT_S)
        reply = exchange.reply
        if reply is None or reply.get("type") != "get_ok" or reply.get("value") != wanted:
            got = "nothing" if reply is None else show(reply)
            shown = wanted if len(wanted) < 40 else wanted[:24] + f"… ({len(wanted)} characters)"
            raise StageFailure(
                f"{exchange.sent()}\nexpected get_ok with the last value written, {show(shown)}\n"
                f"     got {got}",
                "a snapshot is saved with the state it replaces (the store, its last index and "
                "term) and loaded at start: the store is the snapshot's, then the log's entries "
                "after it are applied again as they are committed",
            )
    h.log("every key reads its last value")
    router.check_messages()
