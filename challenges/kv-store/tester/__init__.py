"""The kv-store challenge's tester: one function per stage slug of challenge.yaml.

The program is a TCP server (``--port N --data-dir D``) speaking a line protocol (see
client.py). Every reply is checked against a model map of what the acknowledged writes
left; the tester kills the program with SIGKILL at seeded moments (after a write, in the
middle of a compaction), damages the end of its files between runs, measures how many
bytes a GET reads and how much the data directory holds (crack.harness.crash).
"""

from __future__ import annotations

import time
from pathlib import Path

from crack.harness import Harness
from crack.harness.crash import (
    DirectoryWatch,
    bytes_read,
    flip_byte,
    folder_bytes,
    last_copy,
    tear_at,
)
from crack.tester import Tester

from .client import Store, context

tester = Tester("kv-store")

FRUITS = ["apple", "banana", "cherry", "damson", "elder", "fig", "grape", "kiwi", "lime", "mango"]
LETTERS = "abcdefghijklmnopqrstuvwxyz"

HINT_LOST = (
    "every write answered OK must be in a file under --data-dir before the OK is sent, and "
    "the program must read its files back when it starts"
)
HINT_DELETE_LOST = (
    "a DEL must be written to the log too (a tombstone record), or the older value comes back "
    "when the log is read again"
)
GET_READ_SLACK = 64 * 1024
"""Bytes a GET may read beyond its value (socket, a block of the file, an index page)."""


def data_dir(h: Harness, name: str = "data") -> Path:
    folder = h.scratch / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def key(h: Harness, n: int) -> str:
    return f"{h.random.choice(FRUITS)}:{n:05d}"


def value(h: Harness, size: int) -> str:
    """``size`` bytes of lowercase words separated by spaces (values may hold spaces)."""
    text = "".join(h.random.choice(LETTERS) for _ in range(min(size, 64)))
    text = (text * (size // len(text) + 1))[:size]
    cuts = sorted(h.random.sample(range(1, size - 1), k=min(size // 9, 8))) if size > 4 else []
    chars = list(text)
    for cut in cuts:
        chars[cut] = " "
    return "".join(chars)


def distinct(h: Harness, size: int, tag: str) -> str:
    """A value no other write holds, so its bytes can be found in the program's files."""
    return f"{tag}-{h.random.randrange(10**9):09d}-" + value(h, size)[: size - 20].replace(" ", "-")


def random_ops(h: Harness, store: Store, count: int, keys: list[str]) -> None:
    """``count`` seeded PUT/GET/DEL on ``keys``, each reply checked against the model."""
    h.log(f"{count} seeded PUT, GET and DEL on {len(keys)} keys, each reply checked…")
    for _ in range(count):
        k = h.random.choice(keys)
        roll = h.random.random()
        if roll < 0.45:
            store.put(k, value(h, h.random.randint(1, 40)), quiet=True)
        elif roll < 0.6:
            store.delete(k, quiet=True)
        else:
            store.get(k, quiet=True)
    h.log("All replies matched.")


# --- 1 -----------------------------------------------------------------------------------
@tester.stage("put-get")
def put_get(h: Harness) -> None:
    store = Store(h, data_dir(h))
    store.start()
    first, second = key(h, 1), key(h, 2)
    store.get(first, hint="a key that was never written answers NOT_FOUND")
    store.put(first, "red")
    store.get(first)
    store.put(second, "a value with spaces in it")
    store.get(second, hint="the value is everything after the key and one space, to the end of the line")
    store.put(first, "green")
    store.get(first, hint="a PUT of an existing key replaces its value")
    upper = h.data.case_variant(first)
    if upper != first:
        store.get(upper, hint="keys are compared byte for byte: a key in other letter case is another key")
    store.delete(second)
    store.get(second, hint="after DEL the key answers NOT_FOUND")
    store.delete(key(h, 3))
    utf8 = key(h, 4)
    store.put(utf8, f"{h.data.non_ascii_word()} {h.data.non_ascii_word()}")
    store.get(utf8, hint="values are bytes: send back exactly the bytes that came in (UTF-8 here)")
    long_key = key(h, 5)
    store.put(long_key, h.data.long_text(100_000))
    store.get(long_key, hint="a line may be longer than one read: keep reading until the newline")
    random_ops(h, store, 150, [key(h, n) for n in range(6, 16)])


# --- 2 -----------------------------------------------------------------------------------
@tester.stage("append-log")
def append_log(h: Harness) -> None:
    store = Store(h, data_dir(h))
    store.start()
    keys = [key(h, n) for n in range(30)]
    ops: list[tuple[str, str | None]] = [(k, value(h, h.random.randint(5, 60))) for k in keys]
    ops += [(h.random.choice(keys), value(h, 20)) for _ in range(30)]
    ops += [(k, None) for k in h.random.sample(keys, 5)]
    store.load(ops, what="PUTs, overwrites and DELs")
    deleted = [k for k in keys if k not in store.model]
    store.get(keys[0])
    store.restart(" right after the last OK")
    with context("after a restart on the same --data-dir: ", HINT_LOST):
        store.check_all(gone=deleted)
    with context("after a restart on the same --data-dir: ", HINT_DELETE_LOST):
        for k in deleted:
            store.get(k, quiet=True)

    random_ops(h, store, 60, keys)
    store.restart(" again")
    with context("after a second restart: ", HINT_LOST):
        store.check_all(gone=keys)

    store.kill()
    h.log("Starting your program on a new, empty --data-dir: it must know no key.")
    fresh = Store(h, data_dir(h, "empty"))
    fresh.start()
    probe = next(iter(store.model), keys[0])
    fresh.get(
        probe,
        hint="this run has an empty --data-dir: keep your files inside the --data-dir folder, "
        "not in the working directory or a fixed path",
    )


# --- 3 -----------------------------------------------------------------------------------
@tester.stage("index")
def index(h: Harness) -> None:
    store = Store(h, data_dir(h))
    store.start()
    keys = [key(h, n) for n in range(100)]
    ops: list[tuple[str, str | None]] = [(k, value(h, h.random.randint(8_000, 16_000))) for k in keys]
    ops += [(k, value(h, h.random.randint(8_000, 16_000))) for k in h.random.sample(keys, 20)]
    ops += [(k, None) for k in h.random.sample(keys, 5)]
    store.load(ops, what="PUTs of 8 to 16 KB values, overwrites and DELs")
    store.restart()
    with context("after a restart: ", HINT_LOST):
        store.check_all(gone=keys)
    size = folder_bytes(store.data_dir)
    assert store.process is not None
    if bytes_read(store.process) is None:
        h.log("This system does not show how many bytes a process reads (/proc/PID/io): not measured.")
        return
    live = [k for k in keys if k in store.model]
    reads = []
    for k in h.random.sample(live, 6):
        before = bytes_read(store.process) or 0
        store.get(k)
        reads.append((k, (bytes_read(store.process) or 0) - before))
    reads.sort(key=lambda pair: pair[1])
    k, median = reads[len(reads) // 2]
    allowed = len(store.model[k]) + GET_READ_SLACK
    h.log(
        f"The data directory holds {size:,} bytes; a GET read {median:,} bytes (the median of "
        f"{len(reads)} GETs)."
    )
    if median > allowed:
        h.fail(
            f"GET {k} made your program read {median:,} bytes (the median of {len(reads)} GETs), for "
            f"a value of {len(store.model[k]):,} bytes; expected at most {allowed:,} (the value, "
            f"plus {GET_READ_SLACK // 1024} KB)\n  the data directory holds {size:,} bytes",
            hint="keep an index in memory from each key to where its newest record starts (file "
            "and offset), built once when the program starts; a GET then reads that one record "
            "instead of the whole log",
        )


# --- 4 -----------------------------------------------------------------------------------
HINT_TORN = (
    "the last record was cut short by a crash: when your program reads its log at start, it "
    "must notice a record that ends early (its length says more bytes than the file has) and "
    "stop there, as if it was never written"
)
HINT_CORRUPT = (
    "the last record's bytes were damaged on disk: store a checksum (CRC32) of each record "
    "with it, check it when you read the record back, and treat a record that does not match "
    "as never written"
)
HINT_GARBAGE = (
    "records written after a damaged tail were lost on the next start: when your program finds "
    "a bad record at the end of its log, it must cut the file back to the last good record "
    "(truncate it) before appending new ones"
)


def damage_last(h: Harness, store: Store, needle: str, how: str) -> None:
    copy = last_copy(store.data_dir, needle.encode())
    if copy is None:
        h.fail(
            f"the value of the last PUT ({needle[:40]}…) is in no file under --data-dir {store.data_dir}",
            hint="write each value's bytes as they came (no encoding, no compression) into files "
            "under --data-dir, before answering OK",
        )
    name = copy.path.relative_to(store.data_dir)
    middle = copy.offset + copy.length // 2
    if how == "tear":
        cut = tear_at(copy.path, middle)
        h.log(
            f"Cutting the last {cut:,} bytes off {name}: the last record now ends in the middle of its value."
        )
    else:
        old, new = flip_byte(copy.path, middle)
        h.log(
            f"Changing one byte of {name}, in the middle of the last record's value "
            f"(offset {middle:,}: {chr(old)!r} → {chr(new)!r})."
        )


@tester.stage("checksums")
def checksums(h: Harness) -> None:
    store = Store(h, data_dir(h))
    store.start()
    keys = [key(h, n) for n in range(40)]
    store.load([(k, value(h, h.random.randint(10, 200))) for k in keys], what="PUTs")
    torn = key(h, 90)
    store.put(torn, distinct(h, 2_000, "torn"))
    torn_value = store.model.pop(torn)
    store.kill(" right after the OK")
    damage_last(h, store, torn_value, "tear")
    h.log("Starting your program again on the damaged --data-dir…")
    with context("after the end of the log was cut short: ", HINT_TORN):
        store.start()
        store.get(torn, hint=HINT_TORN)
        store.check_all()
    fresh = [key(h, n) for n in range(100, 110)]
    store.load([(k, value(h, 30)) for k in fresh], what="new PUTs after the damaged tail")
    store.restart()
    with context("after new writes followed a cut tail, and a restart: ", HINT_GARBAGE):
        store.check_all()

    rot = key(h, 95)
    older = value(h, 50)
    store.put(rot, older)
    newer = distinct(h, 2_000, "rot")
    store.put(rot, newer)
    store.model[rot] = older
    store.kill(" right after the OK")
    damage_last(h, store, newer, "flip")
    h.log("Starting your program again on the damaged --data-dir…")
    with context("after one byte of the last record was damaged: ", HINT_CORRUPT):
        store.start()
        store.get(rot, hint=HINT_CORRUPT)
        store.check_all()


# --- 5 -----------------------------------------------------------------------------------
HINT_NOT_SMALLER = (
    "COMPACT must write the newest value of each live key (and nothing for a deleted one) "
    "into a new file, then delete the old files: the data directory must shrink"
)


@tester.stage("compaction")
def compaction(h: Harness) -> None:
    store = Store(h, data_dir(h))
    store.start()
    keys = [key(h, n) for n in range(40)]
    ops: list[tuple[str, str | None]] = []
    for _ in range(12):
        ops += [(k, value(h, 1_000)) for k in h.random.sample(keys, len(keys))]
    ops += [(k, None) for k in h.random.sample(keys, 8)]
    for round_ in (1, 2):
        store.load(ops, what="PUTs that overwrite 40 keys again and again, then DELs")
        before = folder_bytes(store.data_dir)
        live = sum(len(k) + len(v) for k, v in store.model.items())
        store.compact()
        after = folder_bytes(store.data_dir)
        h.log(
            f"The data directory held {before:,} bytes before COMPACT and {after:,} after "
            f"(the live keys and values: {live:,} bytes)."
        )
        if after > before // 2:
            h.fail(
                f"after COMPACT the data directory holds {after:,} bytes; before it held "
                f"{before:,}, of which {live:,} bytes are live keys and values: expected at most "
                f"half of before ({before // 2:,})",
                hint=HINT_NOT_SMALLER,
            )
        with context("after COMPACT: "):
            store.check_all(gone=keys)
        store.restart(" after the compaction")
        with context(f"after COMPACT (round {round_}) and a restart: ", HINT_LOST):
            store.check_all(gone=keys)
        ops = [(k, value(h, 1_000)) for k in keys for _ in range(10)]
        ops += [(k, None) for k in h.random.sample(keys, 5)]


# --- 6 -----------------------------------------------------------------------------------
COMPACT_KEYS = 6_000
CHANGE_WAIT_S = 5.0
HINT_TORN_COMPACTION = (
    "a crash in the middle of a compaction must leave the old files as they were: write the "
    "compacted data to a new file, flush it to disk, and only then rename it over the old one "
    "(a rename replaces a file in one step); at start, ignore or delete a half-written new file"
)


@tester.stage("crash-compaction")
def crash_compaction(h: Harness) -> None:
    store = Store(h, data_dir(h))
    store.start()
    keys = [f"k{n:05d}" for n in range(COMPACT_KEYS)]
    ops: list[tuple[str, str | None]] = []
    for _ in range(2):
        ops += [(k, value(h, h.random.randint(40, 120))) for k in keys]
    store.load(ops, what=f"PUTs: {COMPACT_KEYS:,} keys, each written twice")
    for round_ in range(1, 4):
        changes = h.random.choice([1, 1, 2])
        assert store.conn is not None and store.process is not None
        watch = DirectoryWatch(store.data_dir)
        h.log(
            f"> COMPACT (round {round_}: crack kills your program at change {changes} of the data directory)"
        )
        store.conn.send(b"COMPACT\n")
        deadline = time.monotonic() + min(CHANGE_WAIT_S, h.remaining() - 1)
        while watch.changes < changes and time.monotonic() < deadline:
            watch.poll()
        if watch.changes == 0:
            h.fail(
                f"COMPACT changed no file under --data-dir within {CHANGE_WAIT_S:.0f} s, on a store "
                f"where every key was written at least twice",
                hint=HINT_NOT_SMALLER,
            )
        store.kill(f" during COMPACT, after the data directory changed {watch.changes} time(s)")
        h.log("Starting it again on the same --data-dir…")
        with context(f"after a kill during COMPACT (round {round_}): ", HINT_TORN_COMPACTION):
            store.start()
            store.check_all()
        sample = h.random.sample(keys, 200)
        store.load(
            [(k, value(h, 60) if h.random.random() < 0.8 else None) for k in sample], what="PUTs and DELs"
        )
    with context("after a compaction that was allowed to finish: ", HINT_TORN_COMPACTION):
        store.compact()
        store.restart()
        store.check_all(gone=keys[:50])


# --- 7 -----------------------------------------------------------------------------------
@tester.stage("scan")
def scan(h: Harness) -> None:
    store = Store(h, data_dir(h))
    store.start()
    keys = sorted({key(h, n) for n in range(60)})
    store.load(
        [(k, value(h, h.random.randint(5, 30))) for k in h.random.sample(keys, len(keys))],
        what="PUTs in random order",
    )
    store.load([(k, None) for k in h.random.sample(keys, 10)], what="DELs")
    store.load([(k, value(h, 12)) for k in h.random.sample(keys, 10)], what="overwrites")
    store.scan("a", "z")
    for _ in range(3):
        low, high = sorted(h.random.sample(keys, 2))
        store.scan(low, high, hint=None)
    store.scan("m", "m", hint="an empty range [m, m) lists nothing: just END")
    store.compact()
    store.restart()
    with context("after COMPACT and a restart: "):
        low, high = sorted(h.random.sample(keys, 2))
        store.scan(low, high)
        store.scan("0", "~")


# --- 8-11: sorted tables -------------------------------------------------------------------
TABLE_KEYS = 1_500
TABLE_VALUE = 4_000
STARTUP_SHARE = 4
"""A start may read at most 1/STARTUP_SHARE of the live keys and values (beyond what it
reads on an empty one): the log of what is not in a table yet, and each table's index."""
MISSING_GET_BYTES = 1_024
"""What a GET of a missing key may read (a program that reads its socket with read() counts
the command too)."""


def big_store(h: Harness) -> tuple[Store, list[str]]:
    """A store holding about 7 MB: 1,500 keys of 4 KB written in random order, then DELs,
    then overwrites (enough for a 1 MB memtable to be flushed after the DELs), killed and
    started again: nothing is left in its memory but what it reads at start."""
    store = Store(h, data_dir(h))
    store.start()
    keys = sorted({key(h, n) for n in range(TABLE_KEYS)})
    ops: list[tuple[str, str | None]] = [(k, value(h, TABLE_VALUE)) for k in h.random.sample(keys, len(keys))]
    ops += [(k, None) for k in h.random.sample(keys, 100)]
    ops += [(k, value(h, TABLE_VALUE)) for k in h.random.sample(keys, 300)]
    store.load(ops, what=f"PUTs of {TABLE_VALUE // 1000} KB values in random order, DELs and overwrites")
    store.restart()
    return store, keys


def read_by(h: Harness, store: Store) -> int:
    assert store.process is not None
    count = bytes_read(store.process)
    if count is None:
        h.log("This system does not show how many bytes a process reads (/proc/PID/io): not measured.")
        return -1
    return count


def startup_reads(h: Harness, store: Store, probes: list[str]) -> int:
    """Bytes read by the program from its start through a GET of each of ``probes``."""
    for k in probes:
        store.get(k)
    return read_by(h, store)


@tester.stage("sorted-tables")
def sorted_tables(h: Harness) -> None:
    h.log("First, a run on an empty --data-dir, to measure what your program reads to start at all.")
    empty = Store(h, data_dir(h, "empty"))
    empty.start()
    probes = [key(h, n) for n in range(3)]
    baseline = startup_reads(h, empty, probes)
    empty.kill()
    store, keys = big_store(h)
    size = folder_bytes(store.data_dir)
    reads = startup_reads(h, store, h.random.sample([k for k in keys if k in store.model], 3))
    with context("after a restart: ", HINT_LOST):
        store.check_all(gone=keys)
    if reads < 0 or baseline < 0:
        return
    extra = max(reads - baseline, 0)
    live = sum(len(k) + len(v) for k, v in store.model.items())
    h.log(
        f"Starting on the empty directory and three GETs read {baseline:,} bytes; on this one "
        f"({live:,} bytes of live keys and values, {size:,} bytes on disk), {reads:,}: {extra:,} more."
    )
    if extra > live // STARTUP_SHARE:
        h.fail(
            f"to start on a store of {live:,} bytes of live keys and values ({size:,} bytes on disk) "
            f"and answer three GETs, your program read {extra:,} bytes more than on an empty one; "
            f"expected at most a {STARTUP_SHARE}th of the live data ({live // STARTUP_SHARE:,} bytes)",
            hint="keep the data in sorted tables: when the memtable (the keys written since the "
            "last flush, kept sorted in memory, and in the log) grows past a size, write it to a "
            "new table file in key order, with an index of where each block of keys starts, and "
            "empty the log. At start, read only the tables' indexes and the log",
        )


MERGE_SPAN = 60
"""Keys between the bounds of a ranged SCAN of the merge-iterator stage."""


def scan_somewhere(h: Harness, store: Store, keys: list[str]) -> None:
    """A SCAN of about MERGE_SPAN keys from a random place; a bound is a stored key, a
    deleted one or a key between two (``kiwi:00042x``), as the seed falls."""
    first = h.random.randrange(len(keys) - MERGE_SPAN)
    low, high = keys[first], keys[first + MERGE_SPAN]
    if h.random.random() < 0.5:
        low += "x"
    store.scan(low, high)


@tester.stage("merge-iterator")
def merge_iterator(h: Harness) -> None:
    store, keys = big_store(h)
    with context("after a restart, with versions of keys in several tables: "):
        for _ in range(2):
            scan_somewhere(h, store, keys)
    doomed = h.random.sample(keys, 60)
    revived = doomed[:15]
    kept = [k for k in keys if k not in doomed]
    ops: list[tuple[str, str | None]] = [(k, None) for k in doomed]
    ops += [(k, value(h, TABLE_VALUE)) for k in h.random.sample(kept, 300)]
    store.load(
        ops,
        what=f"writes: {len(doomed)} DELs of keys older tables hold, then 300 overwrites of other keys "
        f"({300 * TABLE_VALUE // 1000:,} KB: the DELs end up in a newer table)",
    )
    store.load([(k, value(h, 30)) for k in revived], what="PUTs of deleted keys, in the memtable")
    memtable_ops: list[tuple[str, str | None]] = [(k, None) for k in h.random.sample(kept, 20)]
    memtable_ops += [(k, value(h, 30)) for k in h.random.sample(kept, 20)]
    store.load(memtable_ops, what="writes: 20 DELs and 20 overwrites, in the memtable")
    with context("with tombstones and overwrites in the memtable and in newer tables over older ones: "):
        for _ in range(3):
            scan_somewhere(h, store, keys)
        store.scan("0", "~")
    store.restart()
    with context("after a restart: "):
        store.scan("0", "~")
    store.compact()
    with context("after COMPACT: "):
        scan_somewhere(h, store, keys)
        store.scan("0", "~")


@tester.stage("bloom")
def bloom(h: Harness) -> None:
    store, keys = big_store(h)
    live = [k for k in keys if k in store.model]
    for k in h.random.sample(live, 3):
        store.get(k)
    missing = [f"{k}x" for k in h.random.sample(keys, 30)]
    h.log(f"{len(missing)} GETs of keys never written, each between two keys your tables hold…")
    costs = []
    for k in missing:
        before = read_by(h, store)
        store.get(k, quiet=True, hint="this key was never written")
        costs.append(read_by(h, store) - before)
    with context("after GETs of missing keys: "):
        store.check_all(
            gone=keys,
            hint="a key that is in a table was not found: a bloom filter "
            'may answer "maybe" for a missing key, never "no" for a present one',
        )
    if before < 0:
        return
    costs.sort()
    median = costs[len(costs) // 2]
    h.log(f"A GET of a missing key read {median:,} bytes (the median of {len(costs)}).")
    if median > MISSING_GET_BYTES:
        h.fail(
            f"a GET of a key that was never written ({missing[0]}, and {len(missing) - 1} more) made "
            f"your program read {median:,} bytes (the median of {len(costs)}); expected at most "
            f"{MISSING_GET_BYTES:,}",
            hint="give each table a bloom filter of its keys (a bit array and a few hash functions, "
            'about 10 bits per key), kept in memory: a table whose filter says "no" is not read',
        )


@tester.stage("range-reads")
def range_reads(h: Harness) -> None:
    store, keys = big_store(h)
    size = folder_bytes(store.data_dir)
    for _ in range(3):
        first = h.random.randrange(len(keys) - 12)
        low, high = keys[first], keys[first + 10]
        in_range = sum(len(k) + len(v) + 2 for k, v in store.model.items() if low <= k < high)
        before = read_by(h, store)
        store.scan(low, high)
        after = read_by(h, store)
        if before < 0:
            continue
        allowed = 4 * in_range + 256 * 1024
        h.log(f"That SCAN read {after - before:,} bytes; the data directory holds {size:,}.")
        if after - before > allowed:
            h.fail(
                f"SCAN {low} {high} ({in_range:,} bytes of keys and values) made your program read "
                f"{after - before:,} bytes; expected at most {allowed:,} (4 times the range, plus "
                f"256 KB); the data directory holds {size:,} bytes",
                hint="a SCAN must read only the blocks that can hold keys of the range: in each "
                "table, find the block where start would be with the index, read blocks from there "
                "until a key reaches end, and merge what the tables give, newest first",
            )


# --- 12 ----------------------------------------------------------------------------------
LEVELED_KEYS = 600
LEVELED_VALUE = 3_000
LEVELED_ROUNDS = 12
HINT_UNBOUNDED = (
    "tables must be merged as they accumulate, without a COMPACT: when level 0 holds a few "
    "tables (LevelDB: 4), merge them with the tables of level 1 into new level-1 tables, "
    "keeping only the newest version of each key, then drop the old tables"
)
HINT_MANIFEST = (
    "the list of tables must switch from the old set to the new one in one step: write the "
    "new tables first, then the new manifest under a temporary name, fsync, and rename it over "
    "the old one; delete the old tables only after that"
)


SENTINELS_DELETED = 4
HINT_TOMBSTONE_LEVELS = (
    "a key deleted long after it was written came back: its tombstone was dropped by a merge "
    "that did not include the older tables holding its value. Drop a tombstone only when the "
    "merge writes to the last level, with every older table in it"
)


@tester.stage("leveled-compaction")
def leveled_compaction(h: Harness) -> None:
    store = Store(h, data_dir(h))
    store.start()
    keys = [f"{h.random.choice(FRUITS)}:{n:05d}" for n in range(LEVELED_KEYS)]
    sentinels = [f"quince:{n:05d}" for n in range(5)]
    written = 0
    kills = sorted(h.random.sample(range(2, LEVELED_ROUNDS - 1), 3))
    h.log(
        f"{LEVELED_ROUNDS} rounds: each overwrites all {LEVELED_KEYS} keys with {LEVELED_VALUE // 1000} KB "
        f"values (and deletes a few), with no COMPACT; in rounds {', '.join(map(str, kills))} crack "
        f"kills your program in the middle of the round. Five more keys ({sentinels[0]}…) are written "
        f"in round 1 only, and deleted in round {SENTINELS_DELETED}."
    )
    for round_ in range(1, LEVELED_ROUNDS + 1):
        ops: list[tuple[str, str | None]] = []
        if round_ == 1:  # first, so that a kill in the round never leaves them unacknowledged
            ops += [(k, value(h, LEVELED_VALUE)) for k in sentinels]
        elif round_ == SENTINELS_DELETED:
            ops += [(k, None) for k in sentinels]
        ops += [(k, value(h, LEVELED_VALUE)) for k in h.random.sample(keys, len(keys))]
        ops += [(k, None) for k in h.random.sample(keys, 3)]
        written += sum(len(k) + len(v or "") for k, v in ops)
        if round_ in kills:
            store.load_then_kill(ops, h.random.randrange(len(ops) // 4, len(ops)))
            h.log("Starting it again on the same --data-dir…")
            with context(f"after a kill in the middle of round {round_}: ", HINT_MANIFEST):
                store.start()
            with context(f"after a kill in the middle of round {round_}: ", HINT_MANIFEST):
                store.check_all(gone=keys)
        else:
            assert store.conn is not None
            store.load(ops, what=f"writes (round {round_})")
    with context(f"after {LEVELED_ROUNDS} rounds: "):
        for k in sentinels:
            store.get(k, hint=HINT_TOMBSTONE_LEVELS)
    size = folder_bytes(store.data_dir)
    live = sum(len(k) + len(v) for k, v in store.model.items())
    h.log(
        f"{written:,} bytes of keys and values were written; {live:,} are live; the data "
        f"directory holds {size:,} bytes."
    )
    if size > written // 2:
        h.fail(
            f"after {written:,} bytes of writes, of which {live:,} bytes are live, the data directory "
            f"holds {size:,} bytes; expected at most half of what was written ({written // 2:,}), "
            "without any COMPACT",
            hint=HINT_UNBOUNDED,
        )
    store.restart()
    with context("after a restart: ", HINT_MANIFEST):
        store.check_all(gone=[*keys, *sentinels])
