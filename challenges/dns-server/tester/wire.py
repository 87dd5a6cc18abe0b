"""DNS messages as bytes: crafting queries, dumping them, and finding what is wrong in one.

dnspython parses well-formed messages; when it refuses one, :func:`diagnose` walks the
bytes itself, field by field, to say *where* the message goes wrong and what usually
causes it (a wrong RDLENGTH, a count that does not match, a bad compression pointer).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import dns.message
import dns.name
import dns.rdatatype

HEADER_SIZE = 12
FLAG_QR, FLAG_AA, FLAG_TC, FLAG_RD, FLAG_RA = 0x8000, 0x0400, 0x0200, 0x0100, 0x0080
SECTIONS = ("question", "answer", "authority", "additional")
COUNT_NAMES = ("QDCOUNT", "ANCOUNT", "NSCOUNT", "ARCOUNT")
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}
OPCODES = {0: "QUERY", 1: "IQUERY", 2: "STATUS", 4: "NOTIFY", 5: "UPDATE"}


@dataclass(frozen=True)
class Header:
    id: int
    flags: int
    counts: tuple[int, int, int, int]

    @classmethod
    def parse(cls, data: bytes) -> Header:
        ident, flags, *counts = struct.unpack("!HHHHHH", data[:HEADER_SIZE])
        return cls(ident, flags, (counts[0], counts[1], counts[2], counts[3]))

    @property
    def qr(self) -> bool:
        return bool(self.flags & FLAG_QR)

    @property
    def opcode(self) -> int:
        return (self.flags >> 11) & 0xF

    @property
    def rcode(self) -> int:
        return self.flags & 0xF

    def flag_names(self) -> str:
        bits = (("qr", FLAG_QR), ("aa", FLAG_AA), ("tc", FLAG_TC), ("rd", FLAG_RD), ("ra", FLAG_RA))
        names = [name for name, bit in bits if self.flags & bit]
        return " ".join(names) or "(none)"

    def text(self) -> str:
        return (
            f";; ->>HEADER<<- opcode: {opcode_text(self.opcode)}, status: {rcode_text(self.rcode)}, "
            f"id: {self.id}\n"
            f";; flags: {self.flag_names()}; QUERY: {self.counts[0]}, ANSWER: {self.counts[1]}, "
            f"AUTHORITY: {self.counts[2]}, ADDITIONAL: {self.counts[3]}"
        )


def rcode_text(rcode: int) -> str:
    return RCODES.get(rcode, f"RCODE{rcode}")


def opcode_text(opcode: int) -> str:
    return OPCODES.get(opcode, f"OPCODE{opcode}")


def hexdump(data: bytes, limit: int = 256, indent: str = "  ") -> str:
    """Offsets, 16 bytes a line in hex, and the printable ones beside them."""
    lines = []
    for offset in range(0, min(len(data), limit), 16):
        chunk = data[offset : offset + 16]
        hexes = " ".join(f"{b:02x}" for b in chunk[:8]) + "  " + " ".join(f"{b:02x}" for b in chunk[8:])
        text = "".join(chr(b) if 0x21 <= b < 0x7F else "." for b in chunk)
        lines.append(f"{indent}{offset:04x}  {hexes:<48}  {text}")
    if len(data) > limit:
        lines.append(f"{indent}… ({len(data)} bytes in all)")
    return "\n".join(lines)


def encode_name(name: dns.name.Name, *, end: bytes = b"\x00") -> bytes:
    """The labels of ``name`` (absolute), with ``end`` in place of the final zero byte."""
    wire = name.to_wire()
    assert wire is not None and wire.endswith(b"\x00")
    return wire[:-1] + end


def query_bytes(
    ident: int, qname: dns.name.Name, qtype: int, *, flags: int = FLAG_RD, name_end: bytes = b"\x00"
) -> bytes:
    """A query with one question, no EDNS; ``name_end`` replaces the name's zero byte
    (a compression pointer, say)."""
    header = struct.pack("!HHHHHH", ident, flags, 1, 0, 0, 0)
    return header + encode_name(qname, end=name_end) + struct.pack("!HH", qtype, 1)


def question_end(data: bytes) -> int:
    """The offset just after the question section of a message that ``diagnose`` accepted."""
    position = HEADER_SIZE
    for _ in range(Header.parse(data).counts[0]):
        _, position = read_name(data, position, "question")
        position += 4
    return position


def uncompressed_size(message: dns.message.Message) -> int:
    """How long ``message`` would be with every name written out in full."""
    size = HEADER_SIZE
    for question in message.question:
        size += len(question.name.to_wire() or b"") + 4
    for section in (message.answer, message.authority, message.additional):
        for rrset in section:
            for rdata in rrset:
                size += len(rrset.name.to_wire() or b"") + 10 + len(rdata.to_wire() or b"")
    if message.opt is not None:
        for rdata in message.opt:
            size += 11 + len(rdata.to_wire() or b"")
    return size


class WireProblem(Exception):
    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


HINT_POINTER = (
    "a compression pointer is two bytes, 0xC0 | (offset >> 8) and offset & 0xFF, where offset "
    "counts from the first byte of the message (the ID), and it must point back to a name "
    "written earlier in the same message"
)
HINT_RDLENGTH = (
    "RDLENGTH must be the number of bytes of RDATA exactly as written (after any name "
    "compression inside it): 4 for A, 16 for AAAA"
)
HINT_COUNTS = "the four counts in the header must match the number of entries written in each section"


def read_name(data: bytes, offset: int, where: str) -> tuple[str, int]:
    """The name at ``offset`` as text, and the offset just after it (after the first pointer)."""
    labels: list[str] = []
    position, end_after, hops, length = offset, None, 0, 0
    while True:
        if position >= len(data):
            raise WireProblem(
                f"{where}: the name starting at offset {offset} runs past the end of the "
                f"message (offset {position})",
                "every name ends with a zero byte (or a compression pointer)",
            )
        byte = data[position]
        if byte == 0:
            text = ".".join(labels) + "."
            return text, end_after if end_after is not None else position + 1
        kind = byte & 0xC0
        if kind == 0xC0:
            if position + 1 >= len(data):
                raise WireProblem(
                    f"{where}: a compression pointer at offset {position} is cut off", HINT_POINTER
                )
            target = ((byte & 0x3F) << 8) | data[position + 1]
            if target >= position:
                raise WireProblem(
                    f"{where}: the compression pointer at offset {position} (bytes "
                    f"{byte:02x} {data[position + 1]:02x}) points to offset {target}, which is not "
                    f"before the pointer",
                    HINT_POINTER,
                )
            if end_after is None:
                end_after = position + 2
            hops += 1
            if hops > 64:
                raise WireProblem(f"{where}: compression pointers loop (offset {position})", HINT_POINTER)
            position = target
            continue
        if kind != 0:
            raise WireProblem(
                f"{where}: byte 0x{byte:02x} at offset {position} is neither a label length "
                f"(0-63) nor a compression pointer (0xC0-0xFF)",
                HINT_POINTER if end_after is not None else "a label starts with its length, 1 to 63",
            )
        label = data[position + 1 : position + 1 + byte]
        if len(label) < byte:
            raise WireProblem(
                f"{where}: a label of {byte} bytes at offset {position} runs past the end of the message",
                "a label is its length byte followed by exactly that many bytes",
            )
        length += byte + 1
        if length > 255:
            raise WireProblem(f"{where}: the name at offset {offset} is longer than 255 bytes", HINT_POINTER)
        labels.append(label.decode("ascii", "replace"))
        position += 1 + byte


def type_text(rdtype: int) -> str:
    return dns.rdatatype.to_text(dns.rdatatype.RdataType.make(rdtype))


def _check_rdata(data: bytes, start: int, rdlength: int, rdtype: int, where: str) -> None:
    end = start + rdlength
    type_name = type_text(rdtype)
    fixed: dict[int, int] = {dns.rdatatype.A: 4, dns.rdatatype.AAAA: 16}
    if rdtype in fixed and rdlength != fixed[rdtype]:
        raise WireProblem(
            f"{where}: RDLENGTH is {rdlength}, but the data of an {type_name} record is "
            f"{fixed[rdtype]} bytes",
            HINT_RDLENGTH,
        )
    names_at: list[int] = []
    if rdtype in (dns.rdatatype.CNAME, dns.rdatatype.NS, dns.rdatatype.PTR):
        names_at = [start]
    elif rdtype == dns.rdatatype.MX:
        names_at = [start + 2]
    elif rdtype == dns.rdatatype.SOA:
        _, after = read_name(data, start, f"{where}, SOA MNAME")
        names_at = [after]
        _, after = read_name(data, after, f"{where}, SOA RNAME")
        if after + 20 != end:
            raise WireProblem(
                f"{where}: RDLENGTH is {rdlength}, but the SOA's two names and five numbers take "
                f"{after + 20 - start} bytes",
                HINT_RDLENGTH,
            )
        return
    elif rdtype == dns.rdatatype.TXT:
        position = start
        while position < end:
            position += 1 + data[position]
        if position != end:
            raise WireProblem(
                f"{where}: RDLENGTH is {rdlength}, but the TXT strings (each a length byte and "
                f"its text) take {position - start} bytes",
                HINT_RDLENGTH,
            )
        return
    for at in names_at:
        _, after = read_name(data, at, f"{where}, {type_name} data")
        if after != end:
            raise WireProblem(
                f"{where}: RDLENGTH is {rdlength}, but the {type_name} data written takes "
                f"{after - start} bytes",
                HINT_RDLENGTH,
            )


def diagnose(data: bytes, sections: int = 4) -> WireProblem | None:
    """The first thing wrong with ``data`` as a DNS message, or None if the walk finds nothing.

    ``sections`` limits the walk to the header and the first sections (0: the header only,
    1: the header and the question)."""
    if len(data) < HEADER_SIZE:
        return WireProblem(
            f"the response is {len(data)} bytes, shorter than the 12-byte DNS header",
            "a DNS message starts with a 12-byte header: ID, flags, then four 16-bit counts",
        )
    header = Header.parse(data)
    position = HEADER_SIZE
    try:
        walked = list(zip(SECTIONS, header.counts, strict=True))[:sections]
        for index, (section, count) in enumerate(walked):
            for number in range(1, count + 1):
                where = f"{section} entry {number} (offset {position})"
                if position >= len(data):
                    return WireProblem(
                        f"{COUNT_NAMES[index]} says {count}, but the message ends after "
                        f"{number - 1} {section} entr{'y' if number == 2 else 'ies'}",
                        HINT_COUNTS,
                    )
                name, position = read_name(data, position, where)
                fixed = 4 if section == "question" else 10
                if position + fixed > len(data):
                    return WireProblem(
                        f"{where}: the message ends inside the fixed fields after the name {name}",
                        HINT_COUNTS,
                    )
                rdtype = struct.unpack("!H", data[position : position + 2])[0]
                if section == "question":
                    position += 4
                    continue
                rdlength = struct.unpack("!H", data[position + 8 : position + 10])[0]
                position += 10
                where = f"{section} record {number} ({name} {type_text(rdtype)})"
                if position + rdlength > len(data):
                    return WireProblem(
                        f"{where}: RDLENGTH is {rdlength}, but only {len(data) - position} bytes "
                        "are left in the message",
                        HINT_RDLENGTH,
                    )
                _check_rdata(data, position, rdlength, rdtype, where)
                position += rdlength
    except WireProblem as problem:
        return problem
    if sections == len(SECTIONS) and position < len(data):
        return WireProblem(
            f"{len(data) - position} bytes are left after the last entry the header's counts "
            f"announce ({', '.join(f'{n}={c}' for n, c in zip(COUNT_NAMES, header.counts, strict=True))})",
            HINT_COUNTS,
        )
    return None
