"""Stage 11, partitions with order per key.

Redis streams have no partitions, so a topic of N partitions is N streams
``<topic>:0`` … ``<topic>:N-1`` and the producer picks the partition of a message from its
key: CRC-32 (IEEE, as in zlib and Ethernet) of the key's bytes, modulo N. Kafka's producers
choose partitions the same way (with murmur2). The broker's part is what makes this work:
each partition is its own log with its own consumer-group state, a consumer reads all its
partitions in one XREADGROUP, and COUNT bounds each stream, not the whole reply.

The consumers are the tester's, each owning some partitions; half-way, one leaves (after
acknowledging its work) and a new one joins, and the partitions are dealt out again. Under
that rebalance the checks are invariants, not one sequence: every message delivered once
(all are acknowledged, so none is redelivered), the messages of one key in the order they
were produced across every consumer that handled them, and the ids read from one partition
always going forward.
"""

from __future__ import annotations

import zlib

from crack.harness import Harness, StageFailure, WriteMode

from .resp import RespClient, brief

Delivery = tuple[str, str, str, str, int]
"""(consumer, partition stream, entry id, key, the key's sequence number) in the order read."""


def partition_of(key: str, partitions: int) -> int:
    return zlib.crc32(key.encode()) % partitions


def multi_read(
    client: RespClient,
    group: str,
    streams: list[str],
    count: int | None,
    *,
    quiet: bool,
    mode: WriteMode | None = None,
) -> dict[str, list[tuple[str, list[bytes]]]]:
    """XREADGROUP over several streams with ``>``; the entries of each stream in the reply."""
    from . import entries_of

    args = [
        "XREADGROUP",
        "GROUP",
        group,
        client.name,
        *(["COUNT", str(count)] if count else []),
        "STREAMS",
        *streams,
        *([">"] * len(streams)),
    ]
    sent = " ".join(args)
    reply = client.call(*args, quiet=quiet, mode=mode)
    if reply is None:
        return {}
    shape = StageFailure(
        f"{client.name} sent {sent}\n"
        "  expected an array of [stream, [entries…]] pairs, one per stream that has new entries "
        "(or a null array when none has)\n"
        f"       got {brief(reply)}",
        "XREADGROUP with several streams answers one [stream name, entries] pair per stream that "
        "has something new, leaving out the others; a null array (*-1) when no stream has",
    )
    if not isinstance(reply, list) or not reply:
        raise shape
    out: dict[str, list[tuple[str, list[bytes]]]] = {}
    for pair in reply:
        if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], bytes)):
            raise shape
        name = pair[0].decode(errors="replace")
        if name not in streams or name in out:
            raise shape
        entries = entries_of(pair[1], client, sent)
        if not entries:
            raise StageFailure(
                f"{client.name} sent {sent}\n  expected {name} left out of the reply (nothing new in it)\n"
                f"       got [{name!r}, []]",
                "with >, a stream with no new entries is left out of XREADGROUP's reply",
            )
        if count is not None and len(entries) > count:
            raise StageFailure(
                f"{client.name} sent {sent}\n  expected at most {count} entries of {name}\n"
                f"       got {len(entries)}",
                "COUNT n bounds the entries of each stream in the reply",
            )
        out[name] = entries
    return out


def partitions_stage(h: Harness) -> None:
    from . import start

    port, _ = start(h)
    count = h.random.choice([3, 4])
    topic, group = f"orders-{h.random.randrange(1000):03d}", "billing"
    streams = [f"{topic}:{p}" for p in range(count)]
    admin = RespClient(h, port, "admin")
    for n, stream in enumerate(streams):
        reply = admin.call("XGROUP", "CREATE", stream, group, "0", "MKSTREAM", quiet=n > 0)
        if reply != "OK":
            raise StageFailure(
                f"admin sent XGROUP CREATE {stream} {group} 0 MKSTREAM\n  expected +OK\n"
                f"       got {brief(reply)}",
                "each partition is its own stream with its own groups: the same group name on "
                "another stream is a new group; MKSTREAM creates the stream when it does not exist",
            )
    h.log(f"Topic {topic}: {count} partitions, each with group {group}.")

    keys = [f"customer-{h.random.randrange(10**4):04d}" for _ in range(8)]
    seq = dict.fromkeys(keys, 0)
    produced: dict[str, list[int]] = {k: [] for k in keys}
    clock = 1_700_000_000_000 + h.random.randrange(10**9)
    producer = RespClient(h, port, "producer")

    def produce(n: int) -> None:
        nonlocal clock
        for _ in range(n):
            key = h.random.choice(keys)
            seq[key] += 1
            clock += h.random.randint(1, 5)
            stream = streams[partition_of(key, count)]
            reply = producer.call(
                "XADD",
                stream,
                f"{clock}-0",
                "key",
                key,
                "seq",
                str(seq[key]),
                quiet=True,
                mode=WriteMode.WHOLE,
            )
            if reply != f"{clock}-0".encode():
                raise StageFailure(
                    f"producer sent XADD {stream} {clock}-0 key {key} seq {seq[key]}\n"
                    f'  expected "{clock}-0"\n       got {brief(reply)}'
                )
            produced[key].append(seq[key])

    deliveries: list[Delivery] = []

    def drain(consumer: RespClient, owned: list[str]) -> None:
        """Read the consumer's partitions until nothing is new, acknowledging each batch."""
        for _ in range(200):
            size = h.random.choice([1, 2, 3, 5])
            # One read in four is cut into pieces; the rest go whole (each cut costs a pause).
            whole = h.random.random() < 0.75
            got = multi_read(
                consumer, group, owned, size, quiet=True, mode=WriteMode.WHOLE if whole else None
            )
            if not got:
                return
            for stream, entries in got.items():
                for entry_id, fields in entries:
                    pairs = dict(zip(fields[::2], fields[1::2], strict=False))
                    key, number = pairs.get(b"key", b"").decode(), pairs.get(b"seq", b"0")
                    deliveries.append((consumer.name, stream, entry_id, key, int(number)))
                    if key not in seq:
                        raise StageFailure(
                            f"{consumer.name} read entry {entry_id} of {stream} with fields {fields}"
                        )
                    if partition_of(key, count) != streams.index(stream):
                        raise StageFailure(
                            f"{consumer.name} read a message of {key} from {stream}\n"
                            f"  expected it in {streams[partition_of(key, count)]}, where it was added",
                            "the same group name on two streams names two groups: each keeps its own "
                            "last-delivered id and pending entries",
                        )
                acked = consumer.call(
                    "XACK", stream, group, *[e for e, _ in entries], quiet=True, mode=WriteMode.WHOLE
                )
                if acked != len(entries):
                    raise StageFailure(
                        f"{consumer.name} sent XACK {stream} {group} with the {len(entries)} ids it had just "
                        f"read\n  expected :{len(entries)}\n       got {brief(acked)}"
                    )
        raise StageFailure(f"{consumer.name} kept reading new entries after 200 reads")

    # --- COUNT per stream -------------------------------------------------------------
    produce(40)
    per_stream = {s: 0 for s in streams}
    for key in keys:
        per_stream[streams[partition_of(key, count)]] += len(produced[key])
    full = [s for s in streams if per_stream[s] >= 2]
    probe = RespClient(h, port, "probe")
    got = multi_read(probe, group, full, 2, quiet=False)
    if {s: len(e) for s, e in got.items()} != dict.fromkeys(full, 2):
        raise StageFailure(
            f"probe sent XREADGROUP GROUP {group} probe COUNT 2 STREAMS {' '.join(full)} "
            f"{' '.join('>' * len(full))}\n"
            f"  expected 2 entries from each of the {len(full)} streams (each has at least 2 new)\n"
            f"       got {', '.join(f'{len(e)} from {s}' for s, e in got.items()) or 'none'}",
            "COUNT n applies to each stream of the read, not to the reply as a whole",
        )
    for stream, entries in got.items():
        for entry_id, fields in entries:
            pairs = dict(zip(fields[::2], fields[1::2], strict=False))
            key = pairs.get(b"key", b"").decode()
            deliveries.append(("probe", stream, entry_id, key, int(pairs.get(b"seq", b"0"))))
        probe.call("XACK", stream, group, *[e for e, _ in entries], quiet=True)
    h.log("COUNT 2 over several partitions gave two entries of each; probe acknowledged them.")

    # --- two consumers, then a rebalance ----------------------------------------------
    one, two = RespClient(h, port, "consumer-1"), RespClient(h, port, "consumer-2")
    assignment = {one: streams[0::2], two: streams[1::2]}
    h.log("consumer-1 owns " + ", ".join(assignment[one]) + "; consumer-2 owns " + ", ".join(assignment[two]))
    for _ in range(3):
        for consumer in h.random.sample([one, two], 2):
            drain(consumer, assignment[consumer])
        produce(h.random.randint(5, 15))
    for consumer in (one, two):
        drain(consumer, assignment[consumer])
    h.log("consumer-2 leaves (all its work acknowledged); consumer-3 joins; partitions dealt out again.")
    two.close()
    three = RespClient(h, port, "consumer-3")
    assignment = {one: streams[1::2], three: streams[0::2]}
    for _ in range(3):
        produce(h.random.randint(5, 15))
        for consumer in h.random.sample([one, three], 2):
            drain(consumer, assignment[consumer])
    for consumer in (one, three):
        drain(consumer, assignment[consumer])
    check_partitions(deliveries, produced)
    h.log(
        f"{len(deliveries)} messages of {len(keys)} keys: each delivered once, every key's messages in "
        "the order produced across three consumers, every partition read forward."
    )
    reply = admin.call("XPENDING", streams[0], group)
    if not (isinstance(reply, list) and reply[:1] == [0]):
        raise StageFailure(
            f"admin sent XPENDING {streams[0]} {group}\n"
            "  expected 0 pending (every message was acknowledged)\n"
            f"       got {brief(reply)}"
        )
    total = sum(len(v) for v in produced.values())
    lengths = [admin.call("XLEN", s, quiet=True) for s in streams]
    if sum(x for x in lengths if isinstance(x, int)) != total:
        raise StageFailure(
            f"admin sent XLEN to each partition and got {[brief(x) for x in lengths]}\n"
            f"  expected lengths adding up to the {total} messages produced: reading does not remove anything"
        )


def check_partitions(deliveries: list[Delivery], produced: dict[str, list[int]]) -> None:
    """Each entry once, each partition read forward, each key's messages in produced order."""
    from . import id_key

    seen: dict[tuple[str, str], str] = {}
    last: dict[str, str] = {}
    for consumer, stream, entry_id, _, _ in deliveries:
        if (stream, entry_id) in seen:
            raise StageFailure(
                f"entry {entry_id} of {stream} was delivered to {seen[(stream, entry_id)]} and then to "
                f"{consumer}\n  expected each entry delivered once (it had been acknowledged)",
                "> hands out only entries after the group's last-delivered id of that stream",
            )
        seen[(stream, entry_id)] = consumer
        if stream in last and id_key(entry_id) <= id_key(last[stream]):
            raise StageFailure(
                f"{consumer} read entry {entry_id} of {stream} after {last[stream]} had been read from it\n"
                "  expected the ids read from one partition to go forward",
                "each stream keeps its own last-delivered id per group",
            )
        last[stream] = entry_id
    total = sum(len(v) for v in produced.values())
    if len(seen) != total:
        raise StageFailure(
            f"the consumers received {len(seen)} distinct messages\n"
            f"  expected all {total} produced, each once",
            "a consumer reads every partition it owns in one XREADGROUP: each stream's new entries must "
            "come back, not only one stream's",
        )
    for key, numbers in produced.items():
        got = [(consumer, n) for consumer, _, _, k, n in deliveries if k == key]
        if [n for _, n in got] != numbers:
            where = " then ".join(dict.fromkeys(c for c, _ in got))
            raise StageFailure(
                f"the messages of {key} were read (by {where}) in the order {[n for _, n in got]}\n"
                f"  expected the order they were produced: {numbers}",
                "one key always goes to one partition, and one partition is read in log order: keep "
                "each stream's entries and its group's last-delivered id apart from every other stream's",
            )
