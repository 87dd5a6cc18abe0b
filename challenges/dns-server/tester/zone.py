"""The zone a stage serves: generated from the stage's seed, written in RFC 1035 master format.

The text is what the learner's program reads (``--zone FILE``); the same text parsed by
dnspython's zone parser is what answers are checked against, so the expectations come
from a standard reading of the file, not from the generator's intentions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.SOA
import dns.zone

WORDS = [
    "amber", "aspen", "birch", "cedar", "clover", "coral", "delta", "ember", "fern", "flint",
    "garnet", "harbor", "hazel", "indigo", "iris", "jade", "juniper", "kelp", "lagoon", "larch",
    "linden", "lotus", "maple", "meadow", "nectar", "nova", "oak", "onyx", "opal", "orchid",
    "pebble", "pine", "quartz", "raven", "reed", "river", "saffron", "sage", "slate", "spruce",
    "summit", "thistle", "tundra", "umber", "valley", "violet", "willow", "yarrow", "zephyr",
]  # fmt: skip

TXT_WORDS = [
    "alpha", "bravo", "charlie", "echo", "foxtrot", "golf", "hotel", "kilo", "lima", "mike",
    "oscar", "papa", "romeo", "sierra", "tango", "uniform", "victor", "whiskey", "yankee", "zulu",
]  # fmt: skip

A, AAAA, CNAME, MX, NS, SOA, TXT = (
    dns.rdatatype.A,
    dns.rdatatype.AAAA,
    dns.rdatatype.CNAME,
    dns.rdatatype.MX,
    dns.rdatatype.NS,
    dns.rdatatype.SOA,
    dns.rdatatype.TXT,
)
IN = dns.rdataclass.IN


@dataclass(frozen=True)
class Record:
    """One resource record, as the zone says it should be answered."""

    name: dns.name.Name
    rdtype: dns.rdatatype.RdataType
    ttl: int
    rdata: dns.rdata.Rdata

    def key(self) -> tuple[dns.name.Name, int, bytes]:
        return (self.name.canonicalize(), self.rdtype, self.rdata.to_digestable())

    def text(self) -> str:
        return f"{self.name} {self.ttl} IN {dns.rdatatype.to_text(self.rdtype)} {self.rdata.to_text()}"


@dataclass(frozen=True)
class Answer:
    """What an authoritative server answers for one question (RFC 1034 4.3.2)."""

    rcode: int  # 0 NOERROR or 3 NXDOMAIN
    records: tuple[Record, ...]
    negative: bool  # NXDOMAIN or NODATA: the zone's SOA belongs in the authority section


@dataclass
class ZoneData:
    origin: dns.name.Name
    text: str
    path: Path
    zone: dns.zone.Zone
    hosts: list[dns.name.Name] = field(default_factory=list)  # names with A records
    multi_a: dns.name.Name = dns.name.root  # a host with several A records
    ttl_host: dns.name.Name = dns.name.root  # a host whose A records carry their own TTL
    v6_host: dns.name.Name = dns.name.root  # a host with A and AAAA records
    a_only: dns.name.Name = dns.name.root  # a host with A records only
    chain: list[dns.name.Name] = field(default_factory=list)  # alias → alias → v6_host
    txt_multi: dns.name.Name = dns.name.root  # a TXT record with several strings
    txt_names: list[dns.name.Name] = field(default_factory=list)
    mail: list[dns.name.Name] = field(default_factory=list)
    empty_parent: dns.name.Name = dns.name.root  # exists only because a child has records
    deep: dns.name.Name = dns.name.root  # the child
    big_a: dns.name.Name = dns.name.root  # too many A records for 512 bytes
    big_txt: dns.name.Name = dns.name.root  # TXT strings too long for 512 bytes
    used_labels: set[str] = field(default_factory=set)

    @property
    def soa(self) -> Record:
        rdataset = self.zone.find_rdataset(self.origin, SOA)
        return Record(self.origin, SOA, rdataset.ttl, rdataset[0])

    @property
    def negative_ttls(self) -> set[int]:
        """TTLs a negative answer's SOA may carry: its own, or the RFC 2308 minimum of it
        and the SOA MINIMUM field."""
        soa = self.soa
        assert isinstance(soa.rdata, dns.rdtypes.ANY.SOA.SOA)
        return {soa.ttl, min(soa.ttl, soa.rdata.minimum)}

    def absent_name(self, rng: random.Random, depth: int = 1) -> dns.name.Name:
        """A name under the origin that is not in the zone (nor above any name in it)."""
        while True:
            labels = [f"{rng.choice(WORDS)}{rng.randint(100, 999)}" for _ in range(depth)]
            if not any(label in self.used_labels for label in labels):
                return dns.name.Name([label.encode() for label in labels]).concatenate(self.origin)

    def records(self, name: dns.name.Name, rdtype: dns.rdatatype.RdataType) -> tuple[Record, ...]:
        node = self.zone.get_node(name)
        if node is None:
            return ()
        rdataset = node.get_rdataset(IN, rdtype)
        if rdataset is None:
            return ()
        return tuple(Record(name, rdtype, rdataset.ttl, rd) for rd in rdataset)

    def name_exists(self, name: dns.name.Name) -> bool:
        """A node with records, or an empty non-terminal (a name with descendants)."""
        return any(n == name or n.is_subdomain(name) for n in self.zone.nodes)

    def answer(self, qname: dns.name.Name, qtype: dns.rdatatype.RdataType) -> Answer:
        """RFC 1034 4.3.2 for a name in the zone: follow CNAMEs, then exact match or not."""
        records: list[Record] = []
        name = qname
        for _ in range(8):
            if qtype != CNAME and (cname := self.records(name, CNAME)):
                records += [Record(qname if name == qname else name, CNAME, r.ttl, r.rdata) for r in cname]
                target = cname[0].rdata.target  # type: ignore[attr-defined]
                if not target.is_subdomain(self.origin):
                    return Answer(0, tuple(records), False)
                name = target
                continue
            found = self.records(name, qtype)
            if found:
                return Answer(0, tuple(records) + found, False)
            if self.name_exists(name):
                return Answer(0, tuple(records), True)
            return Answer(3, tuple(records), True)
        raise AssertionError("CNAME loop in a generated zone")


def _name(label: str, origin: dns.name.Name) -> dns.name.Name:
    return dns.name.from_text(label, origin)


def _ipv4(rng: random.Random, used: set[str]) -> str:
    while True:
        address = f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        if address not in used:
            used.add(address)
            return address


def _ipv6(rng: random.Random) -> str:
    groups = [rng.randint(1, 0xFFFF) for _ in range(2)]
    return f"2001:db8:{groups[0]:x}::{groups[1]:x}"


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(TXT_WORDS) for _ in range(n))


def make_zone(rng: random.Random, directory: Path) -> ZoneData:
    """Generate a zone from ``rng`` and write it to ``directory``."""
    labels = iter(rng.sample(WORDS, 16))
    origin_text = f"{next(labels)}{rng.randint(10, 99)}.test."
    origin = dns.name.from_text(origin_text)
    default_ttl = rng.choice([3600, 7200, 86400])
    addresses: set[str] = set()
    lines: list[str] = []
    out = lines.append

    ns1, ns2, mail1, mail2 = "ns1", "ns2", "mail", "mx2"
    host_multi, host_ttl, host_v6, host_plain = (next(labels) for _ in range(4))
    alias1, alias2 = "www", next(labels)
    txt_multi, txt_single = next(labels), next(labels)
    parent, child = next(labels), next(labels)
    big_a, big_txt = next(labels), next(labels)
    serial = rng.randint(2020010100, 2029123199)
    minimum = rng.choice([300, 600, 900])
    own_ttl = rng.choice([60, 120, 300])

    out(f"; Zone file for {origin_text}")
    out("; Lines are <name> [<ttl>] [<class>] <type> <data>; a line that starts with a")
    out("; space or tab belongs to the name of the line above.")
    out(f"$ORIGIN {origin_text}")
    out(f"$TTL {default_ttl}")
    out("")
    out(f"@\tIN\tSOA\t{ns1} hostmaster.{origin_text} (")
    out(f"\t\t\t{serial} ; serial")
    out("\t\t\t7200       ; refresh")
    out("\t\t\t900        ; retry")
    out("\t\t\t1209600    ; expire")
    out(f"\t\t\t{minimum} )      ; minimum: how long resolvers cache a negative answer")
    out(f"\tIN\tNS\t{ns1}")
    out(f"\tIN\tNS\t{ns2}.{origin_text}")
    out(f"\tIN\tMX\t10 {mail1}")
    out(f"\tIN\tMX\t20 {mail2}.{origin_text}")
    out('\tIN\tTXT\t"v=spf1 mx -all"')
    out("")
    out("; name servers and mail exchangers")
    out(f"{ns1}\tIN\tA\t{_ipv4(rng, addresses)}")
    out(f"{ns2}\tIN\tA\t{_ipv4(rng, addresses)}")
    out(f"{mail1}\tIN\tA\t{_ipv4(rng, addresses)}")
    out(f"{mail2}\t{own_ttl}\tIN\tA\t{_ipv4(rng, addresses)}")
    out("")
    out("; hosts")
    out(f"{host_multi}\tIN\tA\t{_ipv4(rng, addresses)}")
    for _ in range(rng.randint(2, 3)):
        out(f"\t\tIN\tA\t{_ipv4(rng, addresses)}")
    out(f"{host_ttl}\t{own_ttl}\tIN\tA\t{_ipv4(rng, addresses)}")
    out(f"\t{own_ttl}\tIN\tA\t{_ipv4(rng, addresses)}")
    out(f"{host_v6}\tA\t{_ipv4(rng, addresses)}")
    out(f"\tAAAA\t{_ipv6(rng)}")
    out(f"{host_plain}.{origin_text}\tIN\tA\t{_ipv4(rng, addresses)}")
    out("")
    out("; aliases: www -> an alias -> a host")
    out(f"{alias1}\tIN\tCNAME\t{alias2}")
    out(f"{alias2}\t{own_ttl}\tIN\tCNAME\t{host_v6}.{origin_text}")
    out("")
    out("; text records")
    out(f'{txt_multi}\tIN\tTXT\t"{_words(rng, 3)}" "{_words(rng, 2)}" "{rng.choice(TXT_WORDS)}"')
    out(f'{txt_single}\tTXT\t"{_words(rng, 4)}"')
    out("")
    out(f"; {parent} has no records of its own, only a child")
    out(f"{child}.{parent}\tIN\tA\t{_ipv4(rng, addresses)}")
    out("")
    out("; large answers (more than 512 bytes)")
    count = rng.randint(34, 40)
    out(f"{big_a}\tIN\tA\t{_ipv4(rng, addresses)}")
    for _ in range(count - 1):
        out(f"\tIN\tA\t{_ipv4(rng, addresses)}")
    for _ in range(3):
        text = " ".join(rng.choice(TXT_WORDS) for _ in range(40))[:200].strip()
        out(f'{big_txt}\tIN\tTXT\t"{text}"')
    text = "\n".join(lines) + "\n"

    path = directory / f"{origin_text.rstrip('.')}.zone"
    path.write_text(text, encoding="ascii")
    zone = dns.zone.from_text(text, origin=origin, relativize=False, check_origin=True)
    data = ZoneData(origin=origin, text=text, path=path, zone=zone)
    data.hosts = [_name(x, origin) for x in (host_multi, host_ttl, host_v6, host_plain, ns1, mail1)]
    data.multi_a = _name(host_multi, origin)
    data.ttl_host = _name(host_ttl, origin)
    data.v6_host = _name(host_v6, origin)
    data.a_only = _name(host_plain, origin)
    data.chain = [_name(alias1, origin), _name(alias2, origin), _name(host_v6, origin)]
    data.txt_multi = _name(txt_multi, origin)
    data.txt_names = [_name(txt_multi, origin), _name(txt_single, origin)]
    data.mail = [_name(mail1, origin), _name(mail2, origin)]
    data.empty_parent = _name(parent, origin)
    data.deep = _name(f"{child}.{parent}", origin)
    data.big_a = _name(big_a, origin)
    data.big_txt = _name(big_txt, origin)
    data.used_labels = {label.decode().lower() for n in zone.nodes for label in n.relativize(origin).labels}
    return data


def mixed_case(name: dns.name.Name, rng: random.Random) -> dns.name.Name:
    """The same name with some letters upper-cased: DNS names compare case-insensitively."""
    labels = []
    for label in name.labels:
        text = label.decode()
        labels.append("".join(c.upper() if rng.random() < 0.5 else c for c in text).encode())
    return dns.name.Name(labels)
