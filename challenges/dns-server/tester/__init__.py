"""The dns-server challenge's tester: one function per stage slug of challenge.yaml.

Each stage writes a fresh zone file (RFC 1035 master format, generated from the stage's
seed), starts the learner's server on it and queries it over UDP (and TCP). Every check is
one a real authoritative server passes (the test suite runs this tester against BIND), so
the tester encodes DNS as RFC 1034/1035 describe it: records in any order, TTLs as the zone
gives them, no EDNS required.
"""

from __future__ import annotations

import struct
import time

import dns.message
import dns.name
import dns.rdatatype

from crack.harness import Harness, StageFailure
from crack.tester import Tester

from .client import REPLY_TIMEOUT_S, DnsClient, Exchange, records_of
from .server import start, wait_for_tcp
from .upstream import UPSTREAM_TTL, Upstream
from .wire import FLAG_RD, query_bytes, uncompressed_size
from .zone import AAAA, CNAME, MX, SOA, TXT, A, ZoneData, make_zone, mixed_case

tester = Tester("dns-server")

UDP_LIMIT = 512


def setup(h: Harness, extra: tuple[str, ...] = ()) -> tuple[ZoneData, DnsClient]:
    zone = make_zone(h.random, h.scratch)
    port = start(h, zone, extra)
    return zone, DnsClient(h, port)


@tester.stage("bind")
def bind(h: Harness) -> None:
    zone, client = setup(h)
    for qname, qtype in ((h.random.choice(zone.hosts), A), (zone.origin, MX)):
        exchange = client.query(qname, qtype)
        client.parse(exchange, "header")
    h.log("Your program answers each query with a DNS header.")


@tester.stage("header")
def header(h: Harness) -> None:
    zone, client = setup(h)
    for rd in (True, False, True):
        exchange = client.query(h.random.choice(zone.hosts), A, rd=rd)
        client.parse(exchange, "header")
        client.check_header(exchange)
    opcode = h.random.choice([1, 2])
    exchange = client.query(h.random.choice(zone.hosts), A, opcode=opcode)
    client.parse(exchange, "header")
    client.check_header(exchange, rcode=4, aa=None, copy_rd=False, tc=None)


@tester.stage("question")
def question(h: Harness) -> None:
    zone, client = setup(h)
    questions = [
        (h.random.choice(zone.hosts), A),
        (zone.origin, MX),
        (h.random.choice(zone.txt_names), TXT),
        (mixed_case(zone.v6_host, h.random), AAAA),
    ]
    for qname, qtype in questions:
        client.expect_answer(zone, qname, qtype, answer=False)


@tester.stage("a-records")
def a_records(h: Harness) -> None:
    zone, client = setup(h)
    case_hint = (
        "names compare case-insensitively (RFC 1035 2.3.3): look them up in lower case, "
        "whatever the case of the query"
    )
    names = [zone.multi_a, zone.ttl_host, zone.a_only, zone.mail[1], zone.deep]
    h.random.shuffle(names)
    for name in names:
        client.expect_answer(zone, name, A)
    client.expect_answer(zone, mixed_case(zone.multi_a, h.random), A, hint=case_hint)


@tester.stage("record-types")
def record_types(h: Harness) -> None:
    zone, client = setup(h)
    www, alias = zone.chain[:2]
    client.expect_answer(zone, zone.v6_host, AAAA)
    client.expect_answer(zone, zone.origin, MX)
    client.expect_answer(zone, zone.txt_multi, TXT)
    client.expect_answer(zone, zone.txt_names[1], TXT)
    client.expect_answer(zone, www, CNAME, hint="asked for type CNAME, the answer is the CNAME record itself")
    client.expect_answer(zone, www, A)
    client.expect_answer(zone, mixed_case(alias, h.random), AAAA)


@tester.stage("nxdomain")
def nxdomain(h: Harness) -> None:
    zone, client = setup(h)
    client.expect_answer(zone, zone.absent_name(h.random), A)
    client.expect_answer(zone, zone.absent_name(h.random, depth=2), MX)
    client.expect_answer(zone, zone.a_only, AAAA)
    client.expect_answer(zone, zone.txt_names[1], A)
    client.expect_answer(
        zone,
        zone.empty_parent,
        A,
        hint=f"{zone.empty_parent} has no records, but {zone.deep} lies below it, so the name "
        "exists (an empty non-terminal): the answer is NOERROR with no records, not NXDOMAIN",
    )
    client.expect_answer(zone, zone.origin, SOA)


POINTER_HINT = (
    "the question's name ends with a compression pointer (two bytes 0xC0 0x{offset:02x}: jump "
    "to offset {offset} of the message, where a zero byte ends the name) instead of a zero "
    "byte: when a length byte has its top two bits set, the name continues at the 14-bit "
    "offset it gives, and the question's type and class follow the pointer's two bytes"
)


@tester.stage("compression")
def compression(h: Harness) -> None:
    zone, client = setup(h)
    for qname, qtype, offset in ((zone.multi_a, A, 4), (zone.origin, MX, 10)):
        hint = POINTER_HINT.format(offset=offset)
        wire = query_bytes(client.new_id(), qname, qtype, name_end=bytes([0xC0, offset]))
        exchange = client.send(
            wire,
            note=f"the name ends in a compression pointer to offset {offset}",
            show_hex=True,
            silence_hint=hint,
        )
        message = client.parse(exchange)
        client.check_zone_answer(
            exchange, message, zone, zone.answer(qname, qtype), hint=hint, question_hint=hint
        )
        check_compressed(client, exchange, message)
    exchange, message = client.expect_answer(zone, zone.chain[0], A)
    check_compressed(client, exchange, message)
    pointer_loops(h, client, zone)


LOOP_HINT = (
    "follow only pointers that point backwards, to an offset before the pointer itself: a "
    "pointer to itself, or forwards to one that points back, loops forever. Answer such a "
    "query with FORMERR (RCODE 1), or drop it, and go on serving"
)


def pointer_loops(h: Harness, client: DnsClient, zone: ZoneData) -> None:
    """Queries whose name never ends (a pointer to itself; a forward pointer to one that
    points back), each followed by an ordinary query that must still be answered."""
    loops = [
        (b"\xc0\x0c", "the name is a pointer to itself (offset 12)"),
        (b"\xc0\x0e\xc0\x0c", "the name points forwards to offset 14, which points back to 12"),
    ]
    for name, note in loops:
        ident = client.new_id()
        wire = struct.pack("!HHHHHH", ident, FLAG_RD, 1, 0, 0, 0) + name + struct.pack("!HH", A, 1)
        client.send_malformed(wire, note)
        qname = h.random.choice(zone.hosts)
        exchange = client.send(
            query_bytes(client.new_id(), qname, A, flags=FLAG_RD),
            silence_hint=f"the query before this one was unreadable ({note}): {LOOP_HINT}",
        )
        message = client.parse(exchange)
        client.check_zone_answer(exchange, message, zone, zone.answer(qname, A))
    h.log("Names whose pointers loop did not stop your program.")


def check_compressed(client: DnsClient, exchange: Exchange, message: dns.message.Message) -> None:
    full = uncompressed_size(message)
    if len(exchange.response) >= full:
        raise client.fail(
            exchange,
            f"the response is {len(exchange.response)} bytes; with every name written out in full "
            f"it would be {full} bytes, so it uses no name compression",
            "write a name that already appears in the message as a 2-byte pointer to it: the "
            "question's name starts at offset 12, so an answer's owner name equal to it is "
            "0xC0 0x0C; remember where each name (and each suffix of it) was written",
        )
    client.h.log(f"Compressed: {len(exchange.response)} bytes instead of {full}.")


FORWARD_HINT = (
    "the name is outside your zone: send the query to the resolver given by --resolver "
    "HOST:PORT and relay its answer to the client (with the client's ID)"
)


@tester.stage("forwarding")
def forwarding(h: Harness) -> None:
    zone = make_zone(h.random, h.scratch)
    upstream = Upstream.generate(h.random, zone.origin)
    upstream.start()
    h.defer(upstream.stop)
    h.ports.append(upstream.port)  # so golden outputs normalise it
    h.log(f"The upstream resolver listens on 127.0.0.1:{upstream.port} (UDP).")
    port = start(h, zone, ("--resolver", f"127.0.0.1:{upstream.port}"))
    client = DnsClient(h, port)

    own_zone_hint = (
        "your program forwarded a name of its own zone: answer names under the zone from the "
        "zone file, and forward only the others"
    )
    case_hint = (
        "your program forwarded a name of its own zone written in another case: whether a "
        "name is in your zone is decided case-insensitively (compare lower-cased names)"
    )
    for qname, hint in ((zone.multi_a, own_zone_hint), (shout_origin(zone.multi_a, zone.origin), case_hint)):
        try:
            client.expect_answer(zone, qname, A)
        except StageFailure as failure:
            if any(name.is_subdomain(zone.origin) for name, _ in upstream.asked):
                raise StageFailure(failure.message, hint) from None
            raise

    checks: list[tuple[dns.name.Name, dns.rdatatype.RdataType]] = [
        (upstream.names(A)[0], A),
        (upstream.names(TXT)[1], TXT),
        (mixed_case(upstream.names(AAAA)[2], h.random), AAAA),
    ]
    for qname, qtype in checks:
        exchange = client.query(qname, qtype)
        check_forwarded(client, upstream, exchange)

    exchange = client.query(upstream.missing[0], A)
    check_forwarded(client, upstream, exchange)

    h.log("Two clients ask at the same time:")
    wires = [
        query_bytes(client.new_id(), upstream.names(A)[1], A, flags=FLAG_RD),
        query_bytes(client.new_id(), upstream.names(A)[2], A, flags=FLAG_RD),
    ]
    for exchange in client.udp_together(wires, silence_hint=FORWARD_HINT):
        check_forwarded(client, upstream, exchange)
    client.expect_answer(zone, zone.chain[0], A)
    slow_upstream(h, client, zone, upstream)


SLOW_UPSTREAM_S = 0.7
"""How long the upstream holds its answer to the slow question: less than the second or
two the page tells a forwarder to wait, more than answering two queries takes."""

SLOW_HINT = (
    "while one query waits for the resolver, other clients must be served: forward each "
    "query from its own thread (or with non-blocking sockets), not in the loop that reads "
    "every query"
)


def slow_upstream(h: Harness, client: DnsClient, zone: ZoneData, upstream: Upstream) -> None:
    """A forwarded query the upstream answers late, and two queries sent meanwhile: both
    must be answered before the upstream has answered the first."""
    slow_name = upstream.names(TXT)[0]
    upstream.slow[(slow_name, TXT)] = SLOW_UPSTREAM_S
    h.log(f"The upstream resolver answers {slow_name} TXT only after {SLOW_UPSTREAM_S} s; meanwhile:")
    pending = client.udp_start(query_bytes(client.new_id(), slow_name, TXT, flags=FLAG_RD))
    h.sleep(0.05)  # the slow query reaches the program first
    quick = [
        (upstream.names(AAAA)[0], AAAA, True),
        (h.random.choice(zone.hosts), A, False),
    ]
    for qname, qtype, forwarded in quick:
        exchange = client.query(qname, qtype)
        answered_at = time.monotonic()
        held_until = upstream.first_answer_at(slow_name, TXT)
        if held_until is not None and held_until < answered_at:
            raise client.fail(
                exchange,
                f"this answer came only after the upstream resolver had answered the slow query "
                f"for {slow_name} TXT ({SLOW_UPSTREAM_S} s later): your program served nobody "
                "while it waited for the resolver",
                SLOW_HINT,
            )
        if forwarded:
            check_forwarded(client, upstream, exchange)
        else:
            message = client.parse(exchange)
            client.check_zone_answer(exchange, message, zone, zone.answer(qname, qtype))
    exchange = client.udp_finish(pending, REPLY_TIMEOUT_S + SLOW_UPSTREAM_S, silence_hint=FORWARD_HINT)
    check_forwarded(client, upstream, exchange)
    h.log("The other queries were answered while the upstream was still thinking.")


def shout_origin(name: dns.name.Name, origin: dns.name.Name) -> dns.name.Name:
    """``name`` with its zone part in upper case: the zone test must ignore case."""
    relative = name.relativize(origin)
    upper = dns.name.Name([label.upper() for label in origin.labels])
    return relative.concatenate(upper)


def check_forwarded(client: DnsClient, upstream: Upstream, exchange: Exchange) -> None:
    message = client.parse(exchange)
    sent = dns.message.from_wire(exchange.query).question[0]
    expected = upstream.respond(exchange.query, record=False)
    assert expected is not None
    want = dns.message.from_wire(expected, one_rr_per_rrset=True)
    try:
        client.check_header(exchange, rcode=want.rcode(), aa=None)
        client.check_question(exchange, message)
        relayed = [record for record, _ in records_of(want, "answer")]
        client.check_records(exchange, message, relayed, exact_ttl=False, hint=FORWARD_HINT)
    except StageFailure as failure:
        asked = upstream.asked_text()
        hint = failure.hint
        if not any(name == sent.name for name, _ in upstream.asked):
            hint = FORWARD_HINT
        elif failure.message.startswith("the response's ID"):
            hint = (
                "the upstream's reply carries the ID your program sent it; put the client's "
                "ID back in the first two bytes before relaying the reply"
            )
        raise StageFailure(f"{failure.message}\n({asked})", hint) from None
    for record, _ in records_of(message, "answer"):
        if not 0 <= record.ttl <= UPSTREAM_TTL:
            raise client.fail(
                exchange,
                f"the relayed record {record.text()} has TTL {record.ttl}, more than the "
                f"{UPSTREAM_TTL} the upstream resolver gave",
                "relay the upstream's TTLs as they are (a cache may only count them down)",
            )


TC_HINT = (
    "over UDP, without EDNS, a response may be at most 512 bytes: when the answer does not fit, "
    "send what fits (or just the header and question) with the TC bit (flags | 0x0200) set, "
    "so the client asks again over TCP"
)


@tester.stage("truncation")
def truncation(h: Harness) -> None:
    zone, client = setup(h)
    client.expect_answer(zone, zone.multi_a, A)
    for qname, qtype in ((zone.big_a, A), (zone.big_txt, TXT)):
        expected = zone.answer(qname, qtype)
        exchange = client.query(qname, qtype)
        size = len(exchange.response)
        if size > UDP_LIMIT:
            raise client.fail(
                exchange,
                f"the UDP response is {size} bytes, more than the 512 bytes a UDP response may "
                "have when the query has no EDNS record",
                TC_HINT,
            )
        try:
            client.check_header(exchange, aa=None, tc=True)
        except StageFailure as failure:
            hint = TC_HINT if "TC bit" in failure.message else failure.hint
            raise StageFailure(failure.message, hint) from None
        h.log(f"Truncated over UDP ({size} bytes, TC set); asking again over TCP.")
        if qtype == A:
            wait_for_tcp(h, client.port)
        exchange = client.query(qname, qtype, transport="TCP")
        message = client.parse(exchange)
        client.check_zone_answer(exchange, message, zone, expected)
        h.log(f"Over TCP: all {len(expected.records)} records, {len(exchange.response)} bytes.")
    exchange = client.query(zone.v6_host, AAAA, transport="TCP")
    message = client.parse(exchange)
    client.check_zone_answer(exchange, message, zone, zone.answer(zone.v6_host, AAAA))
