"""The distributed-patterns challenge's tester: one function per stage slug of challenge.yaml.

The program speaks a line protocol on stdin/stdout (see the starter's driver): ``RING``,
``BLOOM`` and ``CBLOOM`` commands, one reply line each. The ring stages compare whole key
mappings before and after a node joins or leaves and, from the ketama stage on, every key
against the model of uhashring's ketama (model.py); the Bloom stages count false negatives
(there must be none) and measure false-positive rates with seeded items.
"""

from __future__ import annotations

from crack.harness import Harness, StageFailure
from crack.tester import Tester

from .bloom import ODD_ITEMS, FilterClient, check_bits, items
from .client import LineClient
from .model import KetamaRing
from .ring import (
    ODD_KEYS,
    RingClient,
    check_add,
    check_balance,
    check_ketama,
    check_remove,
    compare_same,
    edge_keys,
    key_names,
    node_names,
)

tester = Tester("distributed-patterns")

NO_FALSE_NEGATIVES = (
    "adding an item sets k bits, chosen by k hashes of the item; a lookup computes the same k "
    "positions and answers YES when all of them are set. The hashes must depend on the item alone"
)


# --- consistent hashing ------------------------------------------------------------------
@tester.stage("hash-ring")
def hash_ring(h: Harness) -> None:
    ring = RingClient(LineClient(h))
    nodes = node_names(h.random, 5)
    ring.new(nodes[:1])
    keys = key_names(h.random, 300) + ODD_KEYS
    ring.placement(keys[:50], what="one node: it owns every key")
    for node in nodes[1:]:
        ring.add(node)
    first = ring.placement(keys, what=f"{len(nodes)} nodes")
    used = set(first.values())
    if len(used) < 2:
        raise StageFailure(
            f"{len(keys)} keys over {len(nodes)} nodes all went to {used.pop()}",
            "hash each node's name to a position on the ring, and each key to a position; a key "
            "belongs to the first node at or after it, wrapping around",
        )
    again = ring.placement(keys, what="the same keys again")
    compare_same(
        first,
        again,
        "the same key on the same ring must always go to the same node",
        "place keys by a hash of the key (never a random choice, never a counter); and a hash "
        "that is the same in every run of the program, such as MD5 or FNV-1a",
    )
    shuffled = h.random.sample(nodes, k=len(nodes))
    h.log(f"A new ring with the same nodes, added in another order: {', '.join(shuffled)}")
    ring.new(shuffled)
    other = ring.placement(keys, what="same nodes, other order")
    compare_same(
        first,
        other,
        "a ring with the same nodes must place every key the same way, whatever order they were added in",
        "a node's place on the ring is a hash of its name, not its position in a list",
    )


@tester.stage("rebalance")
def rebalance(h: Harness) -> None:
    ring = RingClient(LineClient(h))
    nodes = node_names(h.random, 8)
    ring.new(nodes[:6])
    keys = key_names(h.random, 3000)
    start = ring.placement(keys, what=f"{len(ring.nodes)} nodes")
    grown = check_add(ring, keys, nodes[6], start)
    back = check_remove(ring, keys, nodes[6], grown)
    compare_same(
        start,
        back,
        f"adding {nodes[6]} and removing it again must give back the first placement",
        "a ring is a function of the set of nodes on it: after a node leaves, its keys go back to "
        "the nodes that had them before",
    )
    victim = h.random.choice(ring.nodes)
    fewer = check_remove(ring, keys, victim, back)
    h.log("A few more seeded joins and departures")
    current = fewer
    for _ in range(3):
        if h.random.random() < 0.5 and len(ring.nodes) > 2:
            current = check_remove(ring, keys, h.random.choice(ring.nodes), current)
        else:
            spare = [n for n in node_names(h.random, 20) if n not in ring.nodes]
            current = check_add(ring, keys, spare[0], current)


@tester.stage("virtual-nodes")
def virtual_nodes(h: Harness) -> None:
    ring = RingClient(LineClient(h))
    nodes = node_names(h.random, 9)
    ring.new(nodes[:8])
    keys = key_names(h.random, 8000)
    start = ring.placement(keys, what="8 nodes")
    check_balance(start, nodes[:8], 0.55, 1.5)
    h.log("every node owns between 0.55× and 1.5× the average")
    grown = check_add(ring, keys, nodes[8], start)
    moved = sum(grown[key] != start[key] for key in keys)
    fair = len(keys) / 9
    if not 0.5 * fair <= moved <= 1.6 * fair:
        raise StageFailure(
            f"after RING ADD {nodes[8]}, {moved:,} of {len(keys):,} keys moved to it; a ninth node "
            f"should take about a ninth of them ({fair:,.0f}), between {0.5 * fair:,.0f} and "
            f"{1.6 * fair:,.0f}",
            "a new node's many points each take a small slice from the node before them, so it takes "
            "about K/N keys in all, from every other node a little",
        )
    check_balance(grown, nodes, 0.55, 1.5)
    victim = h.random.choice(nodes[:8])
    after = check_remove(ring, keys, victim, grown)
    check_balance(after, ring.nodes, 0.55, 1.5)
    h.log("still balanced after a node left: its keys spread over all the others")


@tester.stage("ketama")
def ketama(h: Harness) -> None:
    ring = RingClient(LineClient(h))
    model = KetamaRing()
    nodes = node_names(h.random, 7)
    ring.new()
    for node in nodes[:5]:
        ring.add(node)
        model.add(node)
    keys = key_names(h.random, 2000)
    special = edge_keys(model, h.random)
    h.log(
        "Seeded keys, plus keys exactly on a point, past the last point and before the first: "
        + ", ".join(special[:5])
    )
    check_ketama(ring, model, keys + special, "5 nodes")
    for node in nodes[5:]:
        ring.add(node)
        model.add(node)
    check_ketama(ring, model, keys, "7 nodes")
    gone = h.random.choice(nodes)
    ring.remove(gone)
    model.remove(gone)
    check_ketama(ring, model, keys + edge_keys(model, h.random), f"after removing {gone}")
    lone = [nodes[0]] if gone != nodes[0] else [nodes[1]]
    ring.new(lone)
    single = KetamaRing()
    single.add(lone[0])
    check_ketama(ring, single, keys[:200] + edge_keys(single, h.random), "one node")


# --- Bloom filters -----------------------------------------------------------------------
@tester.stage("bloom-filter")
def bloom_filter(h: Harness) -> None:
    bloom = FilterClient(LineClient(h), "BLOOM")
    bloom.new(1000, 0.01)
    probes = items(h.random, "probe", 2000)
    early = bloom.has(probes[:200], "an empty filter")
    if early:
        raise StageFailure(
            f"BLOOM HAS {early[0]} answered YES on a new, empty filter ({len(early)} of 200 items did)",
            "a new filter has every bit clear, so every lookup answers NO",
        )
    members = items(h.random, "member", 997) + ODD_ITEMS[:3]
    bloom.add(members)
    bloom.require_all(members, "all 1,000 of them", NO_FALSE_NEGATIVES)
    rate = bloom.false_positives(probes, "never added")
    if rate > 0.5:
        raise StageFailure(
            f"{rate:.0%} of 2,000 items never added answered YES: a filter that answers YES to most "
            "of what it never saw filters nothing",
            "YES only when all k bits of the item are set; check that ADD sets k bits, not all of them",
        )
    h.log("A second filter replaces the first: sized for 200 items at 5%")
    bloom.new(200, 0.05)
    fresh = bloom.has(members[:200], "the first filter's items")
    if len(fresh) > 20:
        raise StageFailure(
            f"after BLOOM NEW, {len(fresh)} of 200 items of the old filter answered YES",
            "BLOOM NEW starts a fresh, empty filter",
        )
    again = items(h.random, "second", 200) + ODD_ITEMS[3:]
    bloom.add(again)
    bloom.require_all(again, "the second filter's items", NO_FALSE_NEGATIVES)


@tester.stage("bloom-sizing")
def bloom_sizing(h: Harness) -> None:
    client = LineClient(h)
    bloom = FilterClient(client, "BLOOM")
    for expected, rate in [(1000, 0.01), (h.random.choice([3000, 5000]), h.random.choice([0.02, 0.05]))]:
        h.log(f"A filter for {expected:,} items at a false-positive rate of {rate}")
        bloom.new(expected, rate)
        check_bits(client, "BLOOM", expected, rate)
        members = items(h.random, "member", expected)
        bloom.add(members)
        bloom.require_all(members[:500], "500 of them", NO_FALSE_NEGATIVES)
        measured = bloom.false_positives(items(h.random, "probe", 20_000), "never added")
        low, high = rate / 3, rate * 2
        if measured > high:
            raise StageFailure(
                f"{measured:.2%} of 20,000 items never added answered YES, with {expected:,} items in a "
                f"filter asked for {rate:.0%}: expected at most {high:.0%}",
                "use the optimal number of hashes, k = (m / n)·ln 2 rounded, each giving a different "
                "position (k independent hashes, or two hashes combined as h1 + i·h2 for i = 0..k-1)",
            )
        if measured < low:
            raise StageFailure(
                f"only {measured:.2%} of 20,000 items never added answered YES, with {expected:,} items in "
                f"a filter asked for {rate:.0%}: a filter of the size BITS reported has about {rate:.0%}, "
                f"at least {low:.2%} here",
                "the filter should be a bit array of m bits, the size BITS reports, not an exact set or a "
                "larger array: its memory is the point",
            )


@tester.stage("counting-bloom")
def counting_bloom(h: Harness) -> None:
    cbloom = FilterClient(LineClient(h), "CBLOOM")
    cbloom.new(1000, 0.01)
    twice = items(h.random, "twice", 50)
    h.log("50 items added twice, then removed once: each is still in the filter")
    cbloom.add(twice)
    cbloom.add(twice)
    cbloom.remove(twice)
    cbloom.require_all(
        twice,
        "added twice, removed once",
        "an item added twice needs two removals: every ADD adds 1 to each of the item's k counters "
        "(even when the item already seems present), every REMOVE takes 1 away (never resets a "
        "counter to 0)",
    )
    cbloom.remove(twice)
    left = cbloom.has(twice, "added twice, removed twice")
    if len(left) > 10:
        raise StageFailure(
            f"CBLOOM HAS {left[0]} answered YES after it was added twice and removed twice "
            f"({len(left)} of 50 did)",
            "each ADD adds 1 to the counters and each REMOVE takes 1 away",
        )
    members = items(h.random, "member", 1000)
    cbloom.add(members)
    cbloom.require_all(members, "all 1,000", NO_FALSE_NEGATIVES)
    removed, kept = members[:500], members[500:]
    cbloom.remove(removed)
    cbloom.require_all(
        kept,
        "after 500 others were removed",
        "a removal must not clear a position another item still needs: keep a counter per position, "
        "add 1 on ADD and take 1 away on REMOVE; a position is set while its counter is above 0",
    )
    still = cbloom.has(removed, "the 500 removed")
    if len(still) > 50:
        raise StageFailure(
            f"CBLOOM HAS {still[0]} answered YES after CBLOOM REMOVE {still[0]}: {len(still)} of 500 removed "
            "items still answered YES (as often as items never added would be at most 10%)",
            "REMOVE takes 1 away from the counter at each of the item's k positions",
        )
    again = removed[:100]
    cbloom.add(again)
    cbloom.require_all(again, "removed, then added again", NO_FALSE_NEGATIVES)
    cbloom.require_all(kept, "the 500 never removed", NO_FALSE_NEGATIVES)
