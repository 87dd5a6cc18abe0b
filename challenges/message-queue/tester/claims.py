"""Stage 12, a member leaves and its pending entries move: XCLAIM, XAUTOCLAIM, XPENDING's
detail form, XGROUP DELCONSUMER.

A consumer group does not take entries back from a consumer that disconnects (unlike
beanstalk's reserve): they stay pending under its name until another consumer claims
those that have been idle long enough. Idle time is real time on the server (the oracle is
redis-server, whose clock no test can drive), so the tester never asks for an exact
verdict near the threshold: for each entry it knows bounds on its idle time from when it
sent and received the commands concerned, an entry must be claimed when even the lower
bound is past the threshold, must not be when even the upper bound is short of it, and may
go either way in between (which only a stall of most of a second makes possible).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from crack.harness import Harness, StageFailure

from .resp import Reply, RespClient, RespError, brief

GRANULARITY_S = 0.005
"""Slack for a server whose clock counts whole milliseconds."""
OLD_S = 1.3
"""How long the departed consumer's entries sit before the claim (real time)."""
MIN_IDLE_MS = 1000


@dataclass
class Delivered:
    """When an entry was last handed out, as bounds on the tester's clock."""

    consumer: str
    sent: float
    received: float
    count: int


def pending_detail(client: RespClient, stream: str, group: str) -> list[tuple[str, str, int]]:
    """``XPENDING stream group - + 100``: (id, consumer, delivery count) per pending entry.

    Logged as a summary: the idle times it carries differ on every run."""
    sent = f"XPENDING {stream} {group} - + 100"
    reply = client.call("XPENDING", stream, group, "-", "+", "100", quiet=True)
    wrong = StageFailure(
        f"{client.name} sent {sent}\n"
        "  expected an array with one [id, consumer, idle ms, delivery count] per pending entry\n"
        f"       got {brief(reply)}",
        "XPENDING with a range answers, per pending entry in id order: its id and consumer (bulk "
        "strings), the milliseconds since it was last delivered and how many times it was (integers)",
    )
    if not isinstance(reply, list):
        raise wrong
    out: list[tuple[str, str, int]] = []
    for row in reply:
        if not (
            isinstance(row, list)
            and len(row) == 4
            and isinstance(row[0], bytes)
            and isinstance(row[1], bytes)
            and isinstance(row[2], int)
            and isinstance(row[3], int)
            and row[2] >= 0
        ):
            raise wrong
        out.append((row[0].decode(errors="replace"), row[1].decode(errors="replace"), row[3]))
    client.h.log(f"{client.name}> {sent}")
    client.h.log(
        f"{client.name}< {len(out)} pending: "
        + ", ".join(f"{i} {c} ×{n}" for i, c, n in out[:6])
        + (" …" if len(out) > 6 else "")
    )
    return out


def expect_detail(client: RespClient, stream: str, group: str, state: dict[str, Delivered], why: str) -> None:
    from . import id_key

    got = pending_detail(client, stream, group)
    want = [(i, d.consumer, d.count) for i, d in sorted(state.items(), key=lambda kv: id_key(kv[0]))]
    if got != want:
        got_row, want_row = next((g, w) for g, w in zip([*got, None], [*want, None], strict=False) if g != w)
        raise StageFailure(
            f"{client.name} sent XPENDING {stream} {group} - + 100 ({why})\n"
            f"  expected {len(want)} pending entries; the first that differs: {describe(want_row)}\n"
            f"       got {describe(got_row)}",
            "each pending entry has one owner; reading it with >, reading it back with an id, and "
            "each claim count one delivery more, and a claim makes the claimer its owner",
        )


def describe(row: tuple[str, str, int] | None) -> str:
    if row is None:
        return "none"
    return f"{row[0]} held by {row[1]}, delivered {row[2]} time{'' if row[2] == 1 else 's'}"


def read_new(client: RespClient, stream: str, group: str, count: int) -> tuple[list[str], float, float]:
    from . import group_read

    began = time.monotonic()
    entries = group_read(client, group, client.name, stream, ">", count)
    return [e[0] for e in entries], began, time.monotonic()


def claimed_ids(reply: Reply, client: RespClient, sent: str) -> list[str]:
    from . import entries_of

    return [e[0] for e in entries_of(reply, client, sent)]


def autoclaim(
    client: RespClient, stream: str, group: str, min_idle: int, count: int
) -> tuple[list[str], float, float]:
    """XAUTOCLAIM from 0-0, following the cursor until it comes back 0-0."""
    began = time.monotonic()
    cursor, claimed = "0-0", []
    for page in range(30):
        args = ["XAUTOCLAIM", stream, group, client.name, str(min_idle), cursor, "COUNT", str(count)]
        sent = " ".join(args)
        reply = client.call(*args, quiet=page > 0)
        if not (
            isinstance(reply, list)
            and len(reply) in (2, 3)
            and isinstance(reply[0], bytes)
            and isinstance(reply[1], list)
        ):
            raise StageFailure(
                f"{client.name} sent {sent}\n"
                "  expected [<next cursor>, [claimed entries…], [deleted ids…]]\n"
                f"       got {brief(reply)}",
                "XAUTOCLAIM answers an array of three: the id to continue from (0-0 when the scan is "
                "over), the entries it claimed shaped as in XRANGE, and an array of ids no longer in "
                "the stream (empty here)",
            )
        claimed += claimed_ids(reply[1], client, sent)
        cursor = reply[0].decode(errors="replace")
        if cursor == "0-0":
            return claimed, began, time.monotonic()
    raise StageFailure(
        f"{client.name} followed XAUTOCLAIM's cursor 30 times on a group with a few pending entries\n"
        "  expected the cursor 0-0 (the scan is over) by then",
        "the cursor is the id to go on from: the first pending id after the last one this call looked at",
    )


def claim_pending(h: Harness) -> None:
    from . import group_read, id_key, show_id, start

    port, _ = start(h)
    stream, group = f"tasks:{h.random.randrange(1000):03d}", "workers"
    producer = RespClient(h, port, "producer")
    reply = producer.call("XGROUP", "CREATE", stream, group, "0", "MKSTREAM")
    if reply != "OK":
        raise StageFailure(
            f"producer sent XGROUP CREATE {stream} {group} 0 MKSTREAM\n  expected +OK\n"
            f"       got {brief(reply)}"
        )
    total = h.random.randint(10, 14)
    clock = 1_700_000_000_000 + h.random.randrange(10**9)
    ids = []
    for n in range(total):
        clock += h.random.randint(1, 40)
        reply = producer.call("XADD", stream, f"{clock}-0", "task", str(n), quiet=n > 0)
        if reply != f"{clock}-0".encode():
            raise StageFailure(
                f'producer sent XADD {stream} {clock}-0 task {n}\n  expected "{clock}-0"\n'
                f"       got {brief(reply)}"
            )
        ids.append(show_id((clock, 0)))
    h.log(f"{total} entries added to {stream}.")

    bob = RespClient(h, port, "bob")
    bobs, sent_b, got_b = read_new(bob, stream, group, h.random.randint(4, 6))
    state = {i: Delivered("bob", sent_b, got_b, 1) for i in bobs}
    expect_detail(producer, stream, group, state, "bob read with >")
    bob.close()
    h.log(f"bob disconnects without acknowledging anything; waiting {OLD_S} s…")
    h.sleep(OLD_S)
    expect_detail(
        producer,
        stream,
        group,
        state,
        "after bob disconnected: a group keeps a consumer's pending entries when its connection closes",
    )
    alice = RespClient(h, port, "alice")
    alices, sent_a, got_a = read_new(alice, stream, group, 3)
    state.update({i: Delivered("alice", sent_a, got_a, 1) for i in alices})

    carol = RespClient(h, port, "carol")
    claimed, began, ended = autoclaim(carol, stream, group, MIN_IDLE_MS, 2)
    threshold = MIN_IDLE_MS / 1000
    must = {i for i, d in state.items() if began - d.received - GRANULARITY_S >= threshold}
    must_not = {i for i, d in state.items() if ended - d.sent + GRANULARITY_S < threshold}
    missing, wrong = sorted(must - set(claimed), key=id_key), sorted(set(claimed) & must_not, key=id_key)
    twice = sorted({i for i in claimed if claimed.count(i) > 1}, key=id_key)
    if missing or wrong or twice or not set(claimed) <= set(state):
        raise StageFailure(
            f"carol sent XAUTOCLAIM {stream} {group} carol {MIN_IDLE_MS} 0-0 COUNT 2, following the cursor\n"
            f"  expected bob's {len(bobs)} entries (idle {OLD_S} s or more), not alice's (just delivered)\n"
            f"       got {claimed}"
            + (f"\n  missing: {missing}" if missing else "")
            + (f"\n  idle less than {MIN_IDLE_MS} ms: {wrong}" if wrong else "")
            + (f"\n  claimed twice: {twice}" if twice else ""),
            "min-idle-time is in milliseconds: claim only entries whose last delivery is at least that "
            "old, and scan the whole pending list, page by page, by the cursor",
        )
    for i in claimed:
        state[i] = Delivered("carol", began, ended, state[i].count + 1)
    if set(claimed) == set(bobs):
        h.log(f"carol claimed bob's {len(claimed)} idle entries and none of alice's.")
    else:
        h.log(f"carol claimed {len(claimed)} entries, bob's and some of alice's (a stall made them old).")
    expect_detail(producer, stream, group, state, "after carol's XAUTOCLAIM")

    first = alices[0]
    reply = carol.call("XCLAIM", stream, group, "carol", "3600000", first)
    if reply != []:
        raise StageFailure(
            f"carol sent XCLAIM {stream} {group} carol 3600000 {first}\n  expected an empty array "
            f"({first} was delivered to alice moments ago, not an hour)\n       got {brief(reply)}",
            "XCLAIM claims only the ids whose idle time is at least min-idle-time",
        )
    dave = RespClient(h, port, "dave")
    take = alices[:2]
    began = time.monotonic()
    reply = dave.call("XCLAIM", stream, group, "dave", "0", *take)
    got = claimed_ids(reply, dave, f"XCLAIM {stream} {group} dave 0 {' '.join(take)}")
    if got != take:
        raise StageFailure(
            f"dave sent XCLAIM {stream} {group} dave 0 {' '.join(take)}\n"
            f"  expected those {len(take)} entries\n"
            f"       got {got}",
            "XCLAIM answers the entries it claimed, shaped as in XRANGE, in the order of the ids given",
        )
    for i in take:
        state[i] = Delivered("dave", began, time.monotonic(), state[i].count + 1)
    expect_detail(producer, stream, group, state, "after dave's XCLAIM")
    began = time.monotonic()
    again = [e[0] for e in group_read(dave, group, "dave", stream, "0", None)]
    if again != take:
        raise StageFailure(
            f"dave read his pending entries back (id 0 instead of >) and got {again}\n"
            f"  expected the entries he claimed: {take}",
            "a claimed entry is pending for its new owner, who reads it back like any of his own",
        )
    for i in take:
        state[i] = Delivered("dave", began, time.monotonic(), state[i].count + 1)
    expect_detail(producer, stream, group, state, "after dave read his pending entries back")

    mine = [i for i, d in state.items() if d.consumer == "carol"]
    reply = carol.call("XACK", stream, group, *mine)
    if reply != len(mine):
        raise StageFailure(
            f"carol sent XACK {stream} {group} with her {len(mine)} claimed ids\n  expected :{len(mine)}\n"
            f"       got {brief(reply)}",
            "a claimed entry is pending under its new owner until acknowledged",
        )
    for i in mine:
        del state[i]
    reply = dave.call("XCLAIM", stream, group, "dave", "0", mine[0])
    if reply != []:
        raise StageFailure(
            f"dave sent XCLAIM {stream} {group} dave 0 {mine[0]} (acknowledged by carol)\n"
            f"  expected an empty array\n       got {brief(reply)}",
            "only pending entries can be claimed: an acknowledged one is done",
        )

    erin = RespClient(h, port, "erin")
    claimed, began, ended = autoclaim(erin, stream, group, 0, h.random.choice([1, 2, 10]))
    if sorted(claimed, key=id_key) != sorted(state, key=id_key) or len(set(claimed)) != len(claimed):
        raise StageFailure(
            f"erin sent XAUTOCLAIM {stream} {group} erin 0 0-0, following the cursor\n"
            f"  expected every pending entry once: {sorted(state, key=id_key)}\n       got {claimed}",
            "min-idle-time 0 claims every pending entry; the cursor walks the pending list in id order",
        )
    for i in claimed:
        state[i] = Delivered("erin", began, ended, state[i].count + 1)
    expect_detail(producer, stream, group, state, "after erin's XAUTOCLAIM with min-idle-time 0")
    h.log("Delivery counts went up with every claim; each entry had one owner at a time.")

    reply = producer.call("XGROUP", "DELCONSUMER", stream, group, "bob")
    if reply != 0:
        raise StageFailure(
            f"producer sent XGROUP DELCONSUMER {stream} {group} bob\n  expected :0 (bob's entries were all "
            f"claimed by others)\n       got {brief(reply)}",
            "DELCONSUMER answers how many entries were still pending for that consumer",
        )
    reply = producer.call("XGROUP", "DELCONSUMER", stream, group, "erin")
    if reply != len(state) or isinstance(reply, RespError):
        raise StageFailure(
            f"producer sent XGROUP DELCONSUMER {stream} {group} erin\n  expected :{len(state)}\n"
            f"       got {brief(reply)}",
            "DELCONSUMER answers how many entries were still pending for that consumer, and drops them",
        )
    expect_detail(producer, stream, group, {}, "after erin was deleted with her pending entries")
    rest, _, _ = read_new(RespClient(h, port, "frank"), stream, group, 100)
    want = [i for i in ids if id_key(i) > id_key(max([*bobs, *alices], key=id_key))]
    if rest != want:
        raise StageFailure(
            f"frank read with > and got {rest}\n  expected the entries never delivered: {want}",
            "claims move pending entries between consumers; they never move the group's last-delivered id",
        )
