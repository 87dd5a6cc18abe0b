"""The upstream resolver of the forwarding stage: a small DNS server in a tester thread.

It knows a handful of names outside the learner's zone (generated from the stage's seed),
answers NXDOMAIN for the others, and REFUSED for names of the learner's own zone, which a
forwarder must answer itself. It listens on 127.0.0.1 only, over UDP, and records every
question it was asked. Questions in ``slow`` are answered late (a slow upstream, from
:mod:`crack.harness.peers`), so a forwarder that waits for it in its only thread shows.
"""

from __future__ import annotations

import functools
import random
import socket
import threading
from dataclasses import dataclass, field

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from crack.harness.peers import Later, later

from .zone import TXT_WORDS, WORDS

UPSTREAM_TTL = 600


@dataclass
class Upstream:
    zone_origin: dns.name.Name
    records: dict[tuple[dns.name.Name, dns.rdatatype.RdataType], dns.rrset.RRset] = field(
        default_factory=dict
    )
    missing: list[dns.name.Name] = field(default_factory=list)
    asked: list[tuple[dns.name.Name, dns.rdatatype.RdataType]] = field(default_factory=list)
    slow: dict[tuple[dns.name.Name, dns.rdatatype.RdataType], float] = field(default_factory=dict)
    """Questions answered only after this many seconds."""
    held: dict[tuple[dns.name.Name, dns.rdatatype.RdataType], list[Later]] = field(default_factory=dict)
    soa: dns.rrset.RRset | None = None
    port: int = 0
    _sock: socket.socket | None = None
    _thread: threading.Thread | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    @classmethod
    def generate(cls, rng: random.Random, zone_origin: dns.name.Name) -> Upstream:
        upstream = cls(zone_origin)
        domain = dns.name.from_text(f"{rng.choice(WORDS)}-{rng.randint(10, 99)}.example.")
        upstream.soa = dns.rrset.from_text(
            domain, UPSTREAM_TTL, "IN", "SOA", f"ns.{domain} admin.{domain} 1 3600 600 86400 300"
        )
        for label in rng.sample(WORDS, 3):
            name = dns.name.from_text(label, domain)
            addresses = [f"192.0.2.{n}" for n in rng.sample(range(1, 255), rng.randint(1, 3))]
            upstream.add(name, "A", addresses)
            upstream.add(name, "AAAA", [f"2001:db8:{rng.randint(1, 0xFFFF):x}::{rng.randint(1, 0xFFF):x}"])
            upstream.add(name, "TXT", [f'"{" ".join(rng.sample(TXT_WORDS, 3))}"'])
        upstream.missing = [dns.name.from_text(f"{rng.choice(WORDS)}{rng.randint(100, 999)}", domain)]
        return upstream

    def add(self, name: dns.name.Name, rdtype: str, values: list[str]) -> None:
        self.records[(name, dns.rdatatype.from_text(rdtype))] = dns.rrset.from_text_list(
            name, UPSTREAM_TTL, "IN", rdtype, values
        )

    def names(self, rdtype: dns.rdatatype.RdataType) -> list[dns.name.Name]:
        return [name for (name, t) in self.records if t == rdtype]

    # --- serving ---------------------------------------------------------------------------
    def start(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.settimeout(0.05)
        self.port = int(self._sock.getsockname()[1])
        self._thread = threading.Thread(target=self._serve, name="upstream-resolver", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        for replies in self.held.values():
            for reply in replies:
                reply.cancel()
        self._stop.set()
        if self._thread is not None:
            self._thread.join(1.0)
        if self._sock is not None:
            self._sock.close()

    def _serve(self) -> None:
        assert self._sock is not None
        while not self._stop.is_set():
            try:
                data, peer = self._sock.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            reply = self.respond(data)
            if reply is None:
                continue
            key = _question(data)
            if key in self.slow:
                send = functools.partial(self._sock.sendto, reply, peer)
                self.held.setdefault(key, []).append(later(self.slow[key], send))
                continue
            try:
                self._sock.sendto(reply, peer)
            except OSError:
                pass

    def first_answer_at(self, name: dns.name.Name, rdtype: dns.rdatatype.RdataType) -> float | None:
        """When the upstream first answered a slow question (None: not yet)."""
        times = [r.sent_at for r in self.held.get((name, rdtype), []) if r.sent_at is not None]
        return min(times, default=None)

    def respond(self, data: bytes, *, record: bool = True) -> bytes | None:
        """The reply to ``data``; ``record`` notes the question in ``asked``."""
        try:
            query = dns.message.from_wire(data)
        except Exception:
            return None
        response = dns.message.make_response(query)
        response.flags |= dns.flags.RA
        if not query.question:
            response.set_rcode(dns.rcode.FORMERR)
            return response.to_wire()
        question = query.question[0]
        if record:
            self.asked.append((question.name, question.rdtype))
        if question.name.is_subdomain(self.zone_origin):
            response.set_rcode(dns.rcode.REFUSED)
            return response.to_wire()
        found = self.records.get((question.name, question.rdtype))
        if found is not None:
            response.answer.append(found)
        elif any(name == question.name for name, _ in self.records):
            assert self.soa is not None
            response.authority.append(self.soa)
        else:
            assert self.soa is not None
            response.set_rcode(dns.rcode.NXDOMAIN)
            response.authority.append(self.soa)
        return response.to_wire()

    def asked_text(self) -> str:
        if not self.asked:
            return "the upstream resolver received no query at all"
        shown = ", ".join(f"{n} {dns.rdatatype.to_text(t)}" for n, t in self.asked[-6:])
        return f"the upstream resolver received: {shown}"


def _question(data: bytes) -> tuple[dns.name.Name, dns.rdatatype.RdataType] | None:
    try:
        question = dns.message.from_wire(data).question[0]
    except Exception:
        return None
    return question.name, question.rdtype
