"""The distributed-patterns challenge's tester: one function per stage slug of challenge.yaml.

The program speaks a line protocol on stdin/stdout (see the starter's driver): ``RING``,
``BLOOM`` and ``CBLOOM`` commands, one reply line each. The ring stages compare whole key
mappings before and after a node joins or leaves and, from the ketama stage on, every key
against the model of uhashring's ketama (model.py); the Bloom stages count false negatives
(there must be none) and measure false-positive rates with seeded items.
"""

from __future__ import annotations

from crack.harness import Harness, StageFailure
from crack.harness.growth import require_constant
from crack.harness.peers import RefusingPort
from crack.tester import Tester

from .bloom import ODD_ITEMS, FilterClient, check_bits, items
from .client import LineClient
from .model import KetamaRing
from .resilience import Breaker, DelayCheck, Session, backoff, breaker_call, client_call, retry_call
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
    timed_lookups,
)
from .upstream import PERMANENT, TRANSIENT, ScriptedUpstream

tester = Tester("distributed-patterns")

LOOKUP_GROWTH_LIMIT = 8.0
"""A binary search over 100× the points costs a few more comparisons, far below the cost of
a line on a pipe, so the time per lookup stays near 1× even on a busy machine; a scan over
the points grows by tens."""

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


@tester.stage("lookup-complexity")
def lookup_complexity(h: Harness) -> None:
    ring = RingClient(LineClient(h))
    ring.new(node_names(h.random, 3))
    ring.placement(key_names(h.random, 20), what="3 nodes")
    h.log("Each round builds a ring of 2 nodes and one of 200 (320 and 32,000 points with ketama)")
    ring.client.quiet = True
    growth = h.growth(
        lambda nodes: timed_lookups(ring, nodes, h.random),
        small=2,
        large=200,
        operation="lookup",
    )
    require_constant(
        growth,
        operation="lookup",
        thing="ring",
        limit=LOOKUP_GROWTH_LIMIT,
        hint=(
            "is RING GET scanning the points one by one? They are sorted: a binary search finds the "
            "first point after the key's position in O(log P)"
        ),
    )


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


# --- retries and circuit breakers --------------------------------------------------------
def session(h: Harness) -> Session:
    upstream = ScriptedUpstream()
    h.defer(upstream.stop)
    h.ports.append(upstream.port)  # so golden outputs normalise it
    clock = h.clock()
    h.log(f"The upstream listens on 127.0.0.1:{upstream.port}; times below are t+ms from t = {clock.now_ms}")
    return Session(h, LineClient(h), upstream, clock)


def any_delay(attempt: int, delay: int) -> tuple[str, str, str] | None:
    return None


def exact_backoff(base: int, cap: int) -> DelayCheck:
    def check(attempt: int, delay: int) -> tuple[str, str, str] | None:
        want = backoff(base, cap, attempt)
        if delay == want:
            return None
        return (
            repr(f"WAIT {want}"),
            f"after failed attempt {attempt}, wait base·2^(attempt-1) = {base}·2^{attempt - 1}, capped at "
            f"{cap}: {want} ms",
            "the first wait is the base; each failure doubles it, up to the cap and never above it",
        )

    return check


@tester.stage("retry")
def retry(h: Harness) -> None:
    s = session(h)
    s.new(f"RETRY NEW {s.upstream.port} 3 100 1000 none")
    retry_call(s, ["ok"], 3, any_delay)
    retry_call(s, ["503", "ok"], 3, any_delay)
    retry_call(s, ["400"], 3, any_delay)
    retry_call(s, ["503", "503", "503"], 3, any_delay)
    retry_call(s, ["reset", "close", "ok"], 3, any_delay)
    retry_call(s, ["502", "404"], 3, any_delay)
    refusing = RefusingPort()
    h.defer(refusing.stop)
    h.ports.append(refusing.port)
    h.log("An upstream port that refuses every connection (nothing listens on it): transient too")
    s.new(f"RETRY NEW {refusing.port} 2 100 1000 none")
    refused = "a refused connection is transient (the service may be restarting): retry it"
    line, reply, _ = s.send("CALL")
    if not reply.startswith("WAIT "):
        s.fail(
            line, reply, "WAIT <ms>", "attempt 1 of 2 found nothing listening on the upstream's port", refused
        )
    s.clock.advance(int(reply.split(" ")[1]) if reply.split(" ")[1].isdigit() else 0)
    line, reply, _ = s.send("RESUME")
    if not reply.startswith("FAILED"):
        s.fail(line, reply, "FAILED <error>", "attempt 2 was the last of 2 allowed", refused)
    s.new(f"RETRY NEW {s.upstream.port} 3 100 1000 none")
    h.log("Seeded calls with 1 to 5 attempts allowed")
    for _ in range(12):
        attempts = h.random.randint(1, 5)
        s.new(f"RETRY NEW {s.upstream.port} {attempts} 50 400 none")
        outcomes = [h.random.choice(TRANSIENT) for _ in range(h.random.randint(0, attempts))]
        if len(outcomes) < attempts:
            outcomes.append(h.random.choice(["ok", "ok", *PERMANENT]))
        retry_call(s, outcomes, attempts, any_delay)


@tester.stage("backoff")
def exponential_backoff(h: Harness) -> None:
    s = session(h)
    s.new(f"RETRY NEW {s.upstream.port} 6 100 1000 none")
    delays = retry_call(s, ["503"] * 6, 6, exact_backoff(100, 1000))
    h.log(f"waits {delays}: doubling from 100 ms, capped at 1,000 ms")
    retry_call(
        s,
        ["503", "ok"],
        6,
        exact_backoff(100, 1000),
        hint="each call starts again from attempt 1 and the base delay",
    )
    for _ in range(3):
        base = h.random.choice([1, 25, 250, 1000])
        cap = base * h.random.choice([3, 8, 100])
        attempts = h.random.randint(4, 9)
        s.new(f"RETRY NEW {s.upstream.port} {attempts} {base} {cap} none")
        retry_call(
            s, [h.random.choice(TRANSIENT) for _ in range(attempts)], attempts, exact_backoff(base, cap)
        )


@tester.stage("jitter")
def jitter(h: Harness) -> None:
    s = session(h)
    base, cap, attempts = 100, 100_000, 5
    s.new(f"RETRY NEW {s.upstream.port} {attempts} {base} {cap} full")

    def within(attempt: int, delay: int) -> tuple[str, str, str] | None:
        ceiling = backoff(base, cap, attempt)
        if 0 <= delay <= ceiling:
            return None
        return (
            f"WAIT between 0 and {ceiling}",
            f"after failed attempt {attempt}, full jitter waits a random time from 0 to base·2^(attempt-1)",
            "draw each wait uniformly from 0 to min(cap, base·2^(attempt-1)), both included",
        )

    retry_call(s, ["503", "503", "ok"], attempts, within)
    calls = 60
    h.log(f"{calls} more calls, each failing 4 times: 240 waits, each checked to be within its range")
    shares: list[float] = []
    s.client.quiet = True
    for _ in range(calls):
        outcomes = [h.random.choice(TRANSIENT) for _ in range(4)] + ["ok"]
        delays = retry_call(s, outcomes, attempts, within)
        shares += [delay / backoff(base, cap, n) for n, delay in enumerate(delays, start=1)]
    s.client.quiet = False
    mean = sum(shares) / len(shares)
    low = sum(share < 0.25 for share in shares) / len(shares)
    distinct = len({round(share, 3) for share in shares})
    h.log(
        f"each wait as a share of its range: mean {mean:.2f}, {low:.0%} below a quarter, "
        f"{distinct} distinct values"
    )
    hint = (
        "full jitter: wait a uniformly random time between 0 and min(cap, base·2^(attempt-1)), drawn "
        "afresh for every wait (not a fixed share, not half the range plus a random half)"
    )
    if distinct < 50:
        raise StageFailure(
            f"240 waits took only {distinct} distinct values (as shares of their ranges)", hint
        )
    if not 0.4 <= mean <= 0.6 or not 0.12 <= low <= 0.38:
        raise StageFailure(
            f"240 waits, each as a share of its range [0, base·2^(attempt-1)], have a mean of "
            f"{mean:.2f} with {low:.0%} below a quarter; uniform waits have a mean of 0.5 (0.4 to 0.6 "
            "accepted) with 25% below a quarter (12% to 38% accepted)",
            hint,
        )


@tester.stage("circuit-breaker")
def circuit_breaker(h: Harness) -> None:
    s = session(h)
    threshold, reset = 3, 5000
    s.new(f"BREAKER NEW {s.upstream.port} {threshold} {reset}")
    breaker = Breaker(threshold, reset, s.clock.start_ms)
    consecutive = "the breaker counts failures in a row: a success in between starts the count again from 0"
    for outcome in ["ok", "503", "503", "ok", "503", "503", "ok"]:
        breaker_call(s, breaker, outcome, hint=consecutive)
        s.clock.advance(10)
    h.log("3 failures in a row open the breaker: the calls after them fail fast")
    for outcome in ["503", "reset", "502"]:
        breaker_call(s, breaker, outcome)
        s.clock.advance(10)
    for step in [0, 1, 1000, 3000, 900]:
        s.clock.advance(step)
        breaker_call(s, breaker, "ok")
    h.log("A breaker whose upstream refuses every connection (nothing listens on its port)")
    refusing = RefusingPort()
    h.defer(refusing.stop)
    h.ports.append(refusing.port)
    s.new(f"BREAKER NEW {refusing.port} 2 1000")
    closed = Breaker(2, 1000, s.clock.start_ms)
    for _ in range(2):
        line, reply, _ = s.send("CALL")
        closed.failure(s.clock.now_ms)
        if not reply.startswith("FAILED"):
            s.fail(
                line, reply, "FAILED <error>", "nothing listens on the upstream's port: the call fails", None
            )
    line, reply, _ = s.send("CALL")
    if reply != "REJECTED":
        s.fail(
            line, reply, "'REJECTED'", closed.describe(s.clock.now_ms) + ": an open breaker fails fast", None
        )
    h.log("Seeded calls on a new breaker, each a little later than the last (never past its reset time)")
    s.new(f"BREAKER NEW {s.upstream.port} 4 60000")
    seeded = Breaker(4, 60000, s.clock.start_ms)
    s.client.quiet = True
    for _ in range(40):
        breaker_call(s, seeded, h.random.choice(["ok", "503", "503", "reset"]))
        s.clock.advance(h.random.randint(0, 50))
    s.client.quiet = False


@tester.stage("half-open")
def half_open(h: Harness) -> None:
    s = session(h)
    threshold, reset = 2, 3000
    s.new(f"BREAKER NEW {s.upstream.port} {threshold} {reset}")
    breaker = Breaker(threshold, reset, s.clock.start_ms)
    timing = (
        "the breaker stays open for reset_ms after it opened: a call at opened + reset_ms - 1 is "
        "rejected, the call at opened + reset_ms goes through as the trial"
    )
    breaker_call(s, breaker, "503")
    breaker_call(s, breaker, "503")
    s.clock.advance(reset - 1)
    breaker_call(s, breaker, "ok", hint=timing)
    s.clock.advance(1)
    h.log("reset_ms have passed: the next call is the trial, and it succeeds")
    breaker_call(s, breaker, "ok", hint=timing)
    closes = "a successful trial closes the breaker and clears its count of failures"
    breaker_call(s, breaker, "503", hint=closes)
    breaker_call(s, breaker, "ok", hint=closes)
    breaker_call(s, breaker, "503", hint=closes)
    breaker_call(s, breaker, "503", hint=closes)
    s.clock.advance(reset)
    h.log("The trial fails: the breaker opens again, for reset_ms from the trial")
    reopens = (
        "a failed trial opens the breaker again at once (one failure is enough), and the reset time "
        "counts from the trial"
    )
    breaker_call(s, breaker, "reset", hint=reopens)
    s.clock.advance(1)
    breaker_call(s, breaker, "ok", hint=reopens)
    s.clock.advance(reset - 2)
    breaker_call(s, breaker, "ok", hint=reopens)
    s.clock.advance(1)
    breaker_call(s, breaker, "ok", hint=reopens)
    h.log("Seeded calls, with time jumping past the reset time now and then")
    s.new(f"BREAKER NEW {s.upstream.port} 3 500")
    seeded = Breaker(3, 500, s.clock.start_ms)
    s.client.quiet = True
    for _ in range(80):
        breaker_call(
            s,
            seeded,
            h.random.choice(["ok", "503", "503", "close"]),
            hint="closed: count failures in a row; open: reject until reset_ms have passed; then one trial "
            "call: success closes, failure opens again",
        )
        s.clock.advance(h.random.choice([0, 10, 100, 250, 499, 500, 700]))
    s.client.quiet = False


@tester.stage("resilient-client")
def resilient_client(h: Harness) -> None:
    s = session(h)
    attempts, base, cap, threshold, reset = 4, 100, 1000, 3, 2000
    s.new(f"CLIENT NEW {s.upstream.port} {attempts} {base} {cap} none {threshold} {reset}")
    breaker = Breaker(threshold, reset, s.clock.start_ms)
    client_call(s, breaker, ["503", "ok"], attempts, base, cap)
    h.log("The upstream goes down: the third failure opens the breaker, and the retry after it is rejected")
    client_call(s, breaker, ["503", "reset", "502", "ok"], attempts, base, cap)
    s.clock.advance(10)
    client_call(s, breaker, ["ok"], attempts, base, cap)
    s.clock.advance(reset)
    h.log("The reset time has passed: the first attempt is the trial")
    client_call(s, breaker, ["503", "ok"], attempts, base, cap)
    s.clock.advance(reset + 500)
    client_call(s, breaker, ["ok"], attempts, base, cap)
    h.log("Seeded calls against an upstream that fails more often than not")
    s.client.quiet = True
    for _ in range(30):
        outcomes = [h.random.choice(["ok", "503", "503", "reset", "close"]) for _ in range(attempts)]
        client_call(s, breaker, outcomes, attempts, base, cap)
        s.clock.advance(h.random.choice([0, 50, 500, 1500, 2000, 2500]))
    s.client.quiet = False
