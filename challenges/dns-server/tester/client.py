"""A DNS client for the tester: sends queries over UDP or TCP, logs them, explains answers.

Every failure shows the query (dig-like text, and its bytes where bytes matter), the
response as received (decoded, and its bytes), what was expected, and a hint when the
mistake is a known one.
"""

from __future__ import annotations

import socket
import struct
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import dns.exception
import dns.message
import dns.name
import dns.rdataclass
import dns.rdatatype

from crack.harness import Harness, ProgramIOError, StageFailure

from .wire import (
    FLAG_AA,
    FLAG_RD,
    FLAG_TC,
    HEADER_SIZE,
    Header,
    diagnose,
    hexdump,
    opcode_text,
    query_bytes,
    question_end,
    rcode_text,
)
from .zone import Answer, Record, ZoneData

REPLY_TIMEOUT_S = 2.0
LINE_LIMIT = 110


def _clip(line: str) -> str:
    return line if len(line) <= LINE_LIMIT else line[: LINE_LIMIT - 1] + "…"


def records_of(message: dns.message.Message, section: str) -> list[tuple[Record, dns.rdataclass.RdataClass]]:
    """(record, class) for each RR of a section of a message parsed one RR per RRset."""
    out = []
    for rrset in getattr(message, section):
        for rdata in rrset:
            out.append((Record(rrset.name, rrset.rdtype, rrset.ttl, rdata), rrset.rdclass))
    return out


def message_text(data: bytes, message: dns.message.Message | None, indent: str = "  ") -> str:
    """A message the way dig prints it (header, flags, sections)."""
    lines = Header.parse(data).text().splitlines() if len(data) >= HEADER_SIZE else []
    if message is not None:
        lines.append(";; QUESTION SECTION:")
        for q in message.question:
            lines.append(f";{q.name}  {dns.rdataclass.to_text(q.rdclass)}  {dns.rdatatype.to_text(q.rdtype)}")
        for section in ("answer", "authority", "additional"):
            entries = records_of(message, section)
            if entries:
                lines.append(f";; {section.upper()} SECTION:")
                for record, rdclass in entries:
                    lines.append(
                        _clip(
                            f"{record.name}  {record.ttl}  {dns.rdataclass.to_text(rdclass)}  "
                            f"{dns.rdatatype.to_text(record.rdtype)}  {record.rdata.to_text()}"
                        )
                    )
    return "\n".join(indent + line for line in lines)


def parse_message(data: bytes) -> dns.message.Message:
    return dns.message.from_wire(data, one_rr_per_rrset=True, raise_on_truncation=False)


@dataclass
class Exchange:
    """One query and the response it got."""

    transport: str
    query: bytes
    response: bytes = b""
    message: dns.message.Message | None = None
    query_note: str = ""
    show_query_hex: bool = False

    @property
    def query_header(self) -> Header:
        return Header.parse(self.query)

    @property
    def header(self) -> Header:
        return Header.parse(self.response)

    def query_summary(self) -> str:
        message = parse_message(self.query)
        q = message.question[0]
        header = self.query_header
        flags = header.flag_names()
        opcode = "" if header.opcode == 0 else f", opcode {opcode_text(header.opcode)}"
        return f"{q.name} {dns.rdatatype.to_text(q.rdtype)} (id {header.id}{opcode}, flags {flags})" + (
            f" {self.query_note}" if self.query_note else ""
        )

    def describe(self, *, response_hex: bool = True) -> str:
        parts = [f"Query sent over {self.transport} ({len(self.query)} bytes):"]
        parts.append(message_text(self.query, parse_message(self.query)))
        if self.query_note:
            parts.append(f"  ({self.query_note})")
        if self.show_query_hex:
            parts.append(hexdump(self.query))
        if not self.response:
            return "\n".join(parts)
        parts.append(f"Response received ({len(self.response)} bytes):")
        decoded = message_text(self.response, self.message)
        if decoded:
            parts.append(decoded)
        if response_hex:
            parts.append(hexdump(self.response))
        return "\n".join(parts)


class DnsClient:
    def __init__(self, h: Harness, port: int) -> None:
        self.h = h
        self.port = port

    def new_id(self) -> int:
        """A random query ID whose two bytes differ (so a byte-order mistake shows)."""
        while True:
            ident = self.h.random.randint(1, 0xFFFF)
            if ident >> 8 != ident & 0xFF:
                return ident

    # --- sending -------------------------------------------------------------------------
    def query(
        self,
        qname: dns.name.Name,
        qtype: int,
        *,
        rd: bool = True,
        opcode: int = 0,
        transport: str = "UDP",
    ) -> Exchange:
        flags = (FLAG_RD if rd else 0) | (opcode << 11)
        wire = query_bytes(self.new_id(), qname, qtype, flags=flags)
        return self.send(wire, transport=transport)

    def send(
        self,
        wire: bytes,
        *,
        transport: str = "UDP",
        note: str = "",
        show_hex: bool = False,
        silence_hint: str | None = None,
    ) -> Exchange:
        exchange = Exchange(transport, wire, query_note=note, show_query_hex=show_hex)
        self.h.log(f"{transport} query: {exchange.query_summary()}")
        if transport == "UDP":
            exchange.response = self._udp(exchange, silence_hint)
        else:
            exchange.response = self._tcp(exchange)
        self.h.log(f"{transport} reply: {self._reply_summary(exchange.response)}")
        return exchange

    def udp_together(self, wires: list[bytes], silence_hint: str | None = None) -> list[Exchange]:
        """Send each query from its own socket, all before reading any response."""
        exchanges = [Exchange("UDP", wire) for wire in wires]
        sockets: list[socket.socket] = []
        try:
            for exchange in exchanges:
                sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                sockets.append(sock)
                sock.connect(("127.0.0.1", self.port))
                self.h.log(f"UDP query: {exchange.query_summary()}")
                sock.send(exchange.query)
            for exchange, sock in zip(exchanges, sockets, strict=True):
                timeout = min(REPLY_TIMEOUT_S, self.h.remaining())
                sock.settimeout(max(timeout, 0.001))
                try:
                    exchange.response = sock.recv(65535)
                except TimeoutError:
                    raise ProgramIOError(
                        f"no response within {timeout:.1f} s to a UDP query for "
                        f"{exchange.query_summary()}, sent while another query was "
                        f"outstanding.\n\n{exchange.describe()}",
                        hint=silence_hint,
                    ) from None
                self.h.log(f"UDP reply: {self._reply_summary(exchange.response)}")
        finally:
            for sock in sockets:
                sock.close()
        return exchanges

    def udp_start(self, wire: bytes) -> tuple[Exchange, socket.socket]:
        """Send a query from its own socket and return without waiting for the answer."""
        exchange = Exchange("UDP", wire)
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.h.defer(sock.close)
        sock.connect(("127.0.0.1", self.port))
        self.h.log(f"UDP query: {exchange.query_summary()}")
        sock.send(wire)
        return exchange, sock

    def udp_finish(
        self, pending: tuple[Exchange, socket.socket], timeout: float, silence_hint: str | None = None
    ) -> Exchange:
        """The answer to a query sent with :meth:`udp_start`."""
        exchange, sock = pending
        timeout = min(timeout, self.h.remaining())
        sock.settimeout(max(timeout, 0.001))
        try:
            exchange.response = sock.recv(65535)
        except TimeoutError:
            raise ProgramIOError(
                f"no response within {timeout:.1f} s to a UDP query for "
                f"{exchange.query_summary()}.\n\n{exchange.describe()}",
                hint=silence_hint,
            ) from None
        finally:
            sock.close()
        self.h.log(f"UDP reply: {self._reply_summary(exchange.response)}")
        return exchange

    def send_malformed(self, wire: bytes, note: str, wait: float = 0.5) -> bytes | None:
        """Send a query no parser can read (logged as bytes); any answer, or none, will do."""
        self.h.log(f"UDP query that cannot be read ({note}):\n{hexdump(wire)}")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.connect(("127.0.0.1", self.port))
            sock.settimeout(max(min(wait, self.h.remaining()), 0.001))
            try:
                sock.send(wire)
                reply = sock.recv(65535)
            except (TimeoutError, ConnectionRefusedError):
                self.h.log(f"No reply within {wait:g} s.")
                return None
        self.h.log(f"UDP reply: {self._reply_summary(reply)}")
        return reply

    def _reply_summary(self, data: bytes) -> str:
        if len(data) < HEADER_SIZE:
            return f"{len(data)} bytes (too short for a DNS header)"
        header = Header.parse(data)
        return (
            f"id {header.id}, {rcode_text(header.rcode)}, flags {header.flag_names()}; "
            f"{header.counts[1]} answer, {header.counts[2]} authority, {header.counts[3]} additional "
            f"({len(data)} bytes)"
        )

    def _udp(self, exchange: Exchange, silence_hint: str | None = None) -> bytes:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.connect(("127.0.0.1", self.port))
            timeout = min(REPLY_TIMEOUT_S, self.h.remaining())
            sock.settimeout(max(timeout, 0.001))
            try:
                sock.send(exchange.query)
                return sock.recv(65535)
            except TimeoutError:
                raise ProgramIOError(
                    f"no response within {timeout:.1f} s to a UDP query for "
                    f"{exchange.query_summary()}.\n\n{exchange.describe()}",
                    hint=silence_hint
                    or "does your program answer every datagram, and send the response to the "
                    "address the query came from?",
                ) from None
            except ConnectionRefusedError:
                raise StageFailure(
                    f"the UDP query for {exchange.query_summary()} was refused: nothing is bound "
                    f"to UDP port {self.port} any more",
                    hint="did your program stop or close its socket after an earlier query?",
                ) from None

    def _tcp(self, exchange: Exchange) -> bytes:
        conn = self.h.connect(self.port, name="TCP client", show_bytes=False)
        try:
            conn.send(struct.pack("!H", len(exchange.query)) + exchange.query)
            prefix = conn.read_exactly(
                2, REPLY_TIMEOUT_S, waiting_for="the 2-byte length that starts a DNS response over TCP"
            )
            length = struct.unpack("!H", prefix)[0]
            # A length equal to the query's ID is most likely a response sent without one.
            wait = 0.3 if length == exchange.query_header.id else REPLY_TIMEOUT_S
            try:
                body = conn.read_exactly(length, wait, waiting_for=f"a response of {length} bytes")
            except ProgramIOError as exc:
                received = prefix + exc.received
                hint = "over TCP each DNS message is preceded by its length in 2 bytes (big-endian)"
                if length == exchange.query_header.id:
                    hint = (
                        f"the first 2 bytes received (0x{length:04x}) are the query's ID, not a "
                        "length: over TCP put the message's length in 2 bytes before the message"
                    )
                raise StageFailure(
                    f"over TCP the response began with the length {length}, but "
                    f"{len(received) - 2} bytes followed before the wait ended.\n\n"
                    + exchange.describe()
                    + "\nBytes received on the TCP connection:\n"
                    + hexdump(received),
                    hint,
                ) from None
        except ProgramIOError as exc:
            hint = exc.hint or "over TCP the response is its 2-byte length followed by the message"
            cuts = conn.writes.last_cuts
            if cuts and not exc.received:
                hint = (
                    f"crack wrote this query in {len(cuts) + 1} pieces (cut after byte "
                    f"{', '.join(map(str, cuts[:4]))}{'…' if len(cuts) > 4 else ''}), as a network may "
                    "deliver it: one read from the socket can return part of the length or of the "
                    "query. Read the 2-byte length, then keep reading until you hold that many bytes"
                )
            raise StageFailure(f"over TCP: {exc.message}.\n\n{exchange.describe()}", hint) from None
        finally:
            conn.close()
        return body

    # --- checking ------------------------------------------------------------------------
    def fail(self, exchange: Exchange, problem: str, hint: str | None = None) -> StageFailure:
        return StageFailure(f"{problem}\n\n{exchange.describe()}", hint)

    def parse(self, exchange: Exchange, upto: str = "all") -> dns.message.Message:
        """The response as a message, or a failure that says where its bytes go wrong.

        ``upto`` is how much of it must be well-formed: "header" (12 bytes), "question"
        (the header and the question section; the rest is not read) or "all"."""
        data = exchange.response
        sections = {"header": 0, "question": 1, "all": 4}[upto]
        problem = diagnose(data, sections)
        if problem is not None:
            raise self.fail(
                exchange,
                f"the response to {exchange.query_summary()} is not a well-formed DNS "
                f"message: {problem.message}",
                problem.hint,
            )
        if upto != "all":
            header = Header.parse(data)
            end = HEADER_SIZE if upto == "header" else question_end(data)
            counts = (header.counts[0] if upto == "question" else 0, 0, 0, 0)
            data = struct.pack("!HHHHHH", header.id, header.flags, *counts) + data[HEADER_SIZE:end]
        try:
            message = parse_message(data)
        except dns.exception.DNSException as exc:
            raise self.fail(
                exchange,
                f"the response to {exchange.query_summary()} is not a well-formed DNS message: {exc}",
                "check each record's fields against RFC 1035 section 4.1.3",
            ) from None
        if upto != "header":
            exchange.message = message
        return message

    def check_header(
        self,
        exchange: Exchange,
        *,
        rcode: int = 0,
        aa: bool | None = True,
        copy_rd: bool = True,
        tc: bool | None = False,
        rcode_hint: str | None = None,
    ) -> Header:
        """ID, QR, opcode, RCODE, RD, AA and TC of the response."""
        sent, got = exchange.query_header, exchange.header
        if got.id != sent.id:
            hint = "the response's first two bytes must be the query's ID, so the client can match them"
            if got.id == ((sent.id & 0xFF) << 8 | sent.id >> 8):
                hint = (
                    "the ID's two bytes are swapped: DNS is big-endian (network byte order); "
                    "pack it with struct '!H' or copy the query's first two bytes as they are"
                )
            elif got.id == 0:
                hint = "the ID is 0: copy the query's ID (its first two bytes) into the response"
            raise self.fail(
                exchange,
                f"the response's ID is {got.id} (0x{got.id:04x}); the query's ID was "
                f"{sent.id} (0x{sent.id:04x})",
                hint,
            )
        if not got.qr:
            raise self.fail(
                exchange,
                "the QR bit of the response is 0, which marks the message as a query",
                "set QR, the top bit of byte 2 (flags | 0x8000), in every response",
            )
        if got.opcode != sent.opcode:
            raise self.fail(
                exchange,
                f"the response's OPCODE is {got.opcode} ({opcode_text(got.opcode)}); the "
                f"query's was {sent.opcode} ({opcode_text(sent.opcode)})",
                "copy the query's 4-bit OPCODE, bits 11-14 of the flags: (flags >> 11) & 0xF",
            )
        if got.rcode != rcode:
            raise self.fail(
                exchange,
                f"the response's RCODE is {got.rcode} ({rcode_text(got.rcode)}); expected {rcode} "
                f"({rcode_text(rcode)})",
                rcode_hint or _rcode_hint(sent, rcode, got.rcode),
            )
        if copy_rd and bool(got.flags & FLAG_RD) != bool(sent.flags & FLAG_RD):
            raise self.fail(
                exchange,
                f"the response's RD bit is {int(bool(got.flags & FLAG_RD))}; the query's "
                f"was {int(bool(sent.flags & FLAG_RD))}",
                "copy RD (recursion desired, flags & 0x0100) from the query into the response",
            )
        if aa is not None and bool(got.flags & FLAG_AA) != aa:
            raise self.fail(
                exchange,
                "the AA bit is "
                + ("0" if aa else "1")
                + (
                    ", but the answer comes from your own zone"
                    if aa
                    else ", but the answer does not come from your zone"
                ),
                "your server is the authority for the zone: set AA (flags | 0x0400) on answers from it"
                if aa
                else "AA is only for answers from your own zone",
            )
        if tc is not None and bool(got.flags & FLAG_TC) != tc:
            raise self.fail(
                exchange,
                f"the TC bit is {int(not tc)}, but this {len(exchange.response)}-byte response "
                + ("is complete" if not tc else "does not hold the whole answer"),
                "set TC only when the answer did not fit in 512 bytes",
            )
        return got

    def check_question(
        self, exchange: Exchange, message: dns.message.Message, hint: str | None = None
    ) -> None:
        sent = parse_message(exchange.query).question[0]
        if len(message.question) != 1:
            hint = "copy the question (name, QTYPE, QCLASS) into the response and set QDCOUNT to 1"
            raise self.fail(
                exchange,
                f"the response has {len(message.question)} questions (QDCOUNT); expected the "
                "query's one question repeated",
                hint,
            )
        got = message.question[0]
        if got.name != sent.name or got.rdtype != sent.rdtype or got.rdclass != sent.rdclass:
            raise self.fail(
                exchange,
                f"the response's question is {got.name} {dns.rdataclass.to_text(got.rdclass)} "
                f"{dns.rdatatype.to_text(got.rdtype)}; the query asked {sent.name} "
                f"{dns.rdataclass.to_text(sent.rdclass)} {dns.rdatatype.to_text(sent.rdtype)}",
                hint or "the question section of the response is the query's question, unchanged",
            )

    def check_records(
        self,
        exchange: Exchange,
        message: dns.message.Message,
        expected: Iterable[Record],
        *,
        section: str = "answer",
        exact_ttl: bool = True,
        hint: str | None = None,
    ) -> None:
        """The section holds exactly ``expected`` (any order), each with its TTL."""
        want = list(expected)
        got = records_of(message, section)
        wrong_class = [r for r, rdclass in got if rdclass != dns.rdataclass.IN]
        if wrong_class:
            raise self.fail(
                exchange,
                f"{section} record {wrong_class[0].text()} has a CLASS other than IN (1)",
                "every record of the zone has CLASS IN (1)",
            )
        want_keys = Counter(r.key() for r in want)
        got_keys = Counter(r.key() for r, _ in got)
        missing = [r for r in want if got_keys[r.key()] == 0]
        extra = [r for r, _ in got if want_keys[r.key()] == 0]
        duplicated = [r for r, _ in got if got_keys[r.key()] > 1]
        expected_text = "\n".join(f"  {_clip(r.text())}" for r in want) or "  (none)"
        if missing or extra or duplicated:
            problem = (
                f"the {section} section is not what the zone says.\nExpected (in any order):\n{expected_text}"
            )
            if missing and got:
                problem += "\nMissing:\n" + "\n".join(f"  {_clip(r.text())}" for r in missing)
            if extra:
                problem += "\nNot expected:\n" + "\n".join(f"  {_clip(r.text())}" for r in extra)
            if duplicated and not missing and not extra:
                problem += "\nSent more than once:\n" + "\n".join(
                    f"  {_clip(r.text())}" for r in dict.fromkeys(duplicated)
                )
            raise self.fail(exchange, problem, hint or _records_hint(want, [r for r, _ in got]))
        if exact_ttl:
            ttl_of = {r.key(): r.ttl for r in want}
            for record, _ in got:
                if record.ttl != ttl_of[record.key()]:
                    raise self.fail(
                        exchange,
                        f"{section} record {record.name} {dns.rdatatype.to_text(record.rdtype)} "
                        f"{record.rdata.to_text()} has TTL {record.ttl}; the zone gives it "
                        f"{ttl_of[record.key()]}",
                        "a record's TTL is the number on its line in the zone file, or the "
                        "$TTL default when its line has none",
                    )

    def expect_answer(
        self,
        zone: ZoneData,
        qname: dns.name.Name,
        qtype: dns.rdatatype.RdataType,
        *,
        rd: bool = True,
        question: bool = True,
        answer: bool = True,
        hint: str | None = None,
    ) -> tuple[Exchange, dns.message.Message]:
        """Ask for a name of the zone and check the whole authoritative answer."""
        expected = zone.answer(qname, qtype)
        exchange = self.query(qname, qtype, rd=rd)
        message = self.parse(exchange, "all" if answer else "question")
        return exchange, self.check_zone_answer(
            exchange, message, zone, expected, question=question, answer=answer, hint=hint
        )

    def check_zone_answer(
        self,
        exchange: Exchange,
        message: dns.message.Message,
        zone: ZoneData,
        expected: Answer,
        *,
        question: bool = True,
        answer: bool = True,
        hint: str | None = None,
        question_hint: str | None = None,
    ) -> dns.message.Message:
        self.check_header(exchange, rcode=expected.rcode, rcode_hint=hint)
        if question:
            self.check_question(exchange, message, question_hint)
        if not answer:
            return message
        self.check_records(exchange, message, expected.records, hint=hint)
        if expected.negative:
            self.check_negative(exchange, message, zone, expected)
        return message

    def check_negative(
        self, exchange: Exchange, message: dns.message.Message, zone: ZoneData, expected: Answer
    ) -> None:
        """NXDOMAIN and NODATA carry the zone's SOA in the authority section (RFC 2308)."""
        soa = zone.soa
        what = "NXDOMAIN" if expected.rcode == 3 else "a NODATA answer (NOERROR, no records)"
        found = [r for r, _ in records_of(message, "authority") if r.rdtype == soa.rdtype]
        if not found:
            raise self.fail(
                exchange,
                f"{what} needs the zone's SOA record in the authority section; it has none.\n"
                f"Expected in the authority section:\n  {_clip(soa.text())}",
                "the SOA tells a resolver for how long it may cache the negative answer: put the "
                "zone's SOA record in the authority section and set NSCOUNT to 1",
            )
        record = found[0]
        if record.key() != soa.key():
            raise self.fail(
                exchange,
                f"the SOA in the authority section is\n  {_clip(record.text())}\nbut the zone's is\n"
                f"  {_clip(soa.text())}",
                "the SOA record's owner is the zone's origin, and its data is MNAME, RNAME, then "
                "SERIAL, REFRESH, RETRY, EXPIRE, MINIMUM as 32-bit numbers",
            )
        allowed = sorted(zone.negative_ttls)
        if record.ttl not in allowed:
            raise self.fail(
                exchange,
                f"the SOA in the authority section has TTL {record.ttl}; expected "
                + " or ".join(map(str, allowed)),
                "use the SOA's own TTL, or (RFC 2308) the smaller of it and the SOA MINIMUM field",
            )


def _rcode_hint(sent: Header, expected: int, got: int) -> str:
    if expected == 4:
        return (
            f"this query's OPCODE is {sent.opcode} ({opcode_text(sent.opcode)}), not a standard "
            "query (0): answer it with RCODE 4 (NOTIMP, not implemented)"
        )
    if expected == 3:
        return "the name does not exist in the zone (no records, no names below it): answer RCODE 3, NXDOMAIN"
    if expected == 0 and got == 3:
        return (
            "the name exists in the zone (it has records, or names below it), so the answer is "
            "NOERROR even when it has no record of the type asked"
        )
    return "RCODE is the low 4 bits of byte 3: 0 NOERROR, 3 NXDOMAIN, 4 NOTIMP"


def _records_hint(want: list[Record], got: list[Record]) -> str | None:
    want_types = {r.rdtype for r in want}
    got_keys = {r.key() for r in got}
    if not got and want:
        return (
            "the answer section is empty: look the name up in the zone and write its records, "
            "with ANCOUNT set"
        )
    if dns.rdatatype.CNAME in want_types:
        cnames = [r for r in want if r.rdtype == dns.rdatatype.CNAME]
        final = [r for r in want if r.rdtype != dns.rdatatype.CNAME]
        if final and not any(r.key() in got_keys for r in final):
            return (
                "the name is an alias (CNAME): put the CNAME in the answer, then look up its "
                "target in the zone and add that name's records too, following every CNAME of the chain"
            )
        if not all(r.key() in got_keys for r in cnames):
            return "every CNAME of the chain belongs in the answer, one after the other"
    if len(want) > 1 and len(got) == 1:
        return "a name can have several records of one type (an RRset): answer all of them"
    if any(r.rdtype == dns.rdatatype.TXT for r in want):
        return (
            "a TXT record holds one or more strings, each written as a length byte then its "
            "text; keep the strings of one record separate"
        )
    return None
