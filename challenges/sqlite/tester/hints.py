"""Hints for the mistakes people make reading the file format, chosen from what came back."""

from __future__ import annotations

import re
from collections import Counter

from .check import Hinter
from .dbgen import TestDatabase

HEADER = (
    "the page size is the 2-byte big-endian integer at offset 16 of the 100-byte database "
    "header (the value 1 means 65536)"
)
SCHEMA = (
    "page 1 holds the sqlite_schema table; its B-tree page header starts at offset 100, right "
    "after the database header, and the 2-byte big-endian integer at offset 3 of that page "
    "header is its number of cells (one per schema row)"
)
RECORD = (
    "a record starts with a header: its own size as a varint, then one serial-type varint per "
    "column (0 NULL; 1–6 big-endian integers of 1, 2, 3, 4, 6, 8 bytes; 8 and 9 the constants "
    "0 and 1; odd N ≥ 13 text of (N−13)/2 bytes). A varint is 1 to 9 bytes, 7 bits each, high "
    "bit set on every byte but the last"
)
ROWID = (
    "a column declared INTEGER PRIMARY KEY is an alias of the rowid: its record holds NULL, "
    "and the value is the cell's rowid (the varint after the payload size)"
)
INTERIOR = (
    "the table spans many pages: its root is an interior page (type 0x05) whose cells are a "
    "4-byte left-child page number and a rowid varint, plus a right-most child at offset 8 of "
    "the page header (12 bytes long for interior pages). Visit every child, right-most "
    "included, down to the leaves (type 0x0d)"
)
OVERFLOW = (
    "a row bigger than the page keeps only its first bytes in the cell, then the 4-byte number "
    "of its first overflow page; each overflow page starts with the next one's number (0 ends "
    "the chain), then up to U−4 bytes of payload. With U the usable page size, X = U−35 and "
    "M = (U−12)·32/255−23 (integer division), a payload of P > X bytes keeps "
    "K = M+(P−M) mod (U−4) bytes in the cell when K ≤ X, and M bytes otherwise"
)


def sentence(text: str) -> str:
    """A hint fragment that starts a new sentence."""
    return text[:1].upper() + text[1:]


def _number(line: bytes, prefix: bytes) -> int | None:
    match = re.fullmatch(re.escape(prefix) + rb"(\d+)", line)
    return int(match[1]) if match else None


def dbinfo_hint(db: TestDatabase) -> Hinter:
    schema = db.schema()
    tables = sum(1 for kind, _ in schema if kind == "table")
    user = sum(1 for kind, name in schema if kind == "table" and not name.startswith("sqlite_"))

    def hint(lines: list[bytes]) -> str | None:
        sizes = [n for n in (_number(line, b"database page size: ") for line in lines) if n is not None]
        counts = [n for n in (_number(line, b"number of tables: ") for line in lines) if n is not None]
        if not sizes:
            return "print a line `database page size: N`, with one space after the colon"
        size = sizes[0]
        if size != db.page_size:
            little = int.from_bytes(db.page_size.to_bytes(3, "big")[1:], "little")
            if size == 1 and db.page_size == 65536:
                return "the value 1 at offset 16 stands for a page size of 65536, which two bytes cannot hold"
            if size == little:
                return f"{HEADER}: big-endian means the byte at offset 16 is the high byte"
            if size == 4096:
                return f"the page size differs from file to file: {HEADER}"
            return HEADER
        if not counts:
            return "print a line `number of tables: N`, with one space after the colon"
        count = counts[0]
        if count == len(schema) and len(schema) != tables:
            return (
                "sqlite_schema has a row for every table, index, view and trigger: count only the "
                "rows whose first column (type) is 'table'"
            )
        if count == user and user != tables:
            return "sqlite_sequence (made for AUTOINCREMENT) is a table too: count every row of type 'table'"
        return SCHEMA

    return hint


def tables_hint(db: TestDatabase) -> Hinter:
    schema = db.schema()
    indexes = {name.encode() for kind, name in schema if kind == "index"}
    wanted = sorted(
        name.encode() for kind, name in schema if kind == "table" and not name.startswith("sqlite_")
    )
    with_views = sorted([*wanted, *(name.encode() for kind, name in schema if kind == "view")])

    def hint(lines: list[bytes]) -> str | None:
        if len(lines) > 1:
            return "print every name on one line, separated by single spaces"
        names = lines[0].split(b" ") if lines else []
        if any(name.startswith(b"sqlite_") for name in names):
            return "leave out SQLite's internal tables: their names start with sqlite_"
        if indexes & set(names):
            return (
                "indexes are rows of sqlite_schema too: list only the rows whose type (column 1) "
                "is 'table' (and, if you like, 'view', as the sqlite3 shell does)"
            )
        if sorted(names) in (wanted, with_views):
            return "sort the names (byte order), whatever their order in the schema"
        return f"{SCHEMA}. Each cell's payload is a record (type, name, tbl_name, rootpage, sql): {RECORD}"

    return hint


def count_hint(db: TestDatabase, table: str, many_pages: bool) -> str:
    if many_pages:
        return f"{INTERIOR}, and add up the cell counts of the leaves"
    return (
        f"find the row of {table} in sqlite_schema: its fourth column is the table's root page. "
        "A table that fits on one page has as many rows as cells: the 2-byte big-endian integer "
        "at offset 3 of the page header. Only page 1 starts with the 100-byte database header; "
        f"page N starts at byte (N−1)×{db.page_size} of this file"
    )


def _selected(sql: str) -> list[str]:
    match = re.match(r"(?is)\s*select\s+(.+?)\s+from\s", sql)
    return [c.strip().lower() for c in match[1].split(",")] if match else []


def rows_hint(db: TestDatabase, sql: str) -> Hinter:
    """Look at the columns one by one: the first whose values differ names the mistake."""
    expected = db.output(sql)
    columns = _selected(sql)
    where = re.search(r"(?i)\swhere\s", sql) is not None

    def hint(lines: list[bytes]) -> str | None:
        if where and not lines and expected:
            return (
                "no row matched: compare the column's text with the literal between the quotes, "
                "without the quotes, byte for byte"
            )
        if lines and all(line.count(b"|") != len(columns) - 1 for line in lines):
            return (
                f"print the {len(columns)} values of a row on one line, in the order the query "
                "names them, separated by |"
            )
        if len(lines) != len(expected):
            if where and Counter(lines) == Counter(db.output(f"{sql} COLLATE NOCASE")):
                return (
                    "SQLite compares text byte for byte (the BINARY collation): 'INDIA' and 'india' "
                    "do not equal 'India'. Compare the bytes as they are, without changing case"
                )
            if where:
                return "print only the rows whose column equals the literal exactly (case matters)"
            return f"print one line per row: every cell of the table's page is a row. {sentence(RECORD)}"
        for position, column in enumerate(columns):
            want = Counter(line.split(b"|")[position] for line in expected)
            got = Counter(
                line.split(b"|")[position] if line.count(b"|") >= position else b"" for line in lines
            )
            if want == got:
                continue
            if column == "id":
                missing = want - got
                if missing and all(not 0 <= int(value) < 1 << 56 for value in missing):
                    return (
                        "rowids of 2^56 and more, and negative ones, are 9-byte varints: the first 8 "
                        "bytes give 7 bits each, the 9th all 8 of its bits, and the 64 bits are a "
                        "two's-complement integer (2^63 and above are negative)"
                    )
                return ROWID
            if b"" in want and (b"None" in got or b"NULL" in got or b"null" in got):
                return "a NULL value (serial type 0) prints as an empty string"
            if {b"0", b"1"} & set(want) and not {b"0", b"1"} & set(got):
                return "serial types 8 and 9 are the integers 0 and 1, with no bytes in the body"
            wrong = want - got
            if all(not value.isascii() for value in wrong) and len(wrong) < len(want):
                return (
                    "a text's serial type gives its length in bytes, not in characters: take "
                    "(N−13)/2 bytes, then decode them as UTF-8"
                )
            return (
                f"take the column's position from the CREATE TABLE statement in sqlite_schema "
                f"(its fifth column), counting from 0 in declaration order. {sentence(RECORD)}"
            )
        return RECORD

    return hint


def scan_hint(db: TestDatabase, sql: str) -> Hinter:
    expected = db.output(sql)

    def hint(lines: list[bytes]) -> str | None:
        if len(lines) < len(expected):
            return INTERIOR
        return f"{INTERIOR}. {sentence(RECORD)}"

    return hint


def overflow_hint(db: TestDatabase, sql: str) -> Hinter:
    expected = db.output(sql)

    def hint(lines: list[bytes]) -> str | None:
        if len(lines) == len(expected) and any(len(line) > db.page_size for line in expected):
            long = sum(1 for line in lines if len(line) > db.page_size)
            if long == 0:
                return f"every long body came back cut short: {OVERFLOW}"
        return OVERFLOW

    return hint
