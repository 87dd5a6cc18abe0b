"""The databases each stage reads, built with Python's sqlite3 module in the stage's scratch
folder and seeded from ``h.random`` (``--seed`` rebuilds the very same files).

The tester learns the expected answers by asking SQLite itself (the same module) on the
same file, and checks the layout a stage relies on — a single-page table where a stage
reads one page, an interior root where it must walk a tree, overflow pages where it must
follow them — by reading the file's page headers.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .data import (
    AUTHORS,
    CONSTELLATIONS,
    COUNTRIES,
    SECTORS,
    SPECTRAL,
    SYLLABLES,
    THEMES,
    WORDS,
    Theme,
    Value,
)

LEAF_TABLE = 0x0D
INTERIOR_TABLE = 0x05
INTERIOR_INDEX = 0x02


class LayoutError(AssertionError):
    """A generated database does not have the shape its stage needs (a bug of the tester)."""


@dataclass
class TableInfo:
    name: str
    columns: list[str]
    rows: int
    theme: Theme | None = None
    autoincrement: bool = False


@dataclass
class TestDatabase:
    path: Path
    page_size: int
    tables: list[TableInfo] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)  # "index idx_x", "view v", "table sqlite_sequence"

    @property
    def name(self) -> str:
        return self.path.name

    def table(self, name: str) -> TableInfo:
        return next(t for t in self.tables if t.name == name)

    def connect(self) -> sqlite3.Connection:
        return sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)

    def query(self, sql: str) -> list[tuple[Value, ...]]:
        with self.connect() as con:
            return [tuple(row) for row in con.execute(sql)]

    def output(self, sql: str) -> list[bytes]:
        """The lines SQLite's list mode prints for ``sql``: values joined by `|`."""
        return [b"|".join(render(value) for value in row) for row in self.query(sql)]

    def schema(self) -> list[tuple[str, str]]:
        """(type, name) of every sqlite_schema entry, in file order."""
        return [(str(t), str(n)) for t, n in self.query("SELECT type, name FROM sqlite_schema")]

    def page_type(self, page: int) -> int:
        with self.path.open("rb") as f:
            f.seek((page - 1) * self.page_size + (100 if page == 1 else 0))
            return f.read(1)[0]

    def root(self, name: str) -> int:
        return int(self.query(f"SELECT rootpage FROM sqlite_schema WHERE name = '{name}'")[0][0] or 0)

    def child(self, page: int) -> int:
        """The left child of the first cell of interior page ``page``."""
        with self.path.open("rb") as f:
            base = (page - 1) * self.page_size + (100 if page == 1 else 0)
            f.seek(base + 12)
            first_cell = int.from_bytes(f.read(2), "big")
            f.seek((page - 1) * self.page_size + first_cell)
            return int.from_bytes(f.read(4), "big")

    def describe(self) -> str:
        """One line for the log: what the learner's program is about to read."""
        tables = ", ".join(f"{t.name} ({t.rows} rows)" for t in self.tables)
        extra = f"; also {', '.join(self.extras)}" if self.extras else ""
        return f"Database {self.name}: page size {self.page_size}; tables {tables}{extra}"


def render(value: Value) -> bytes:
    if value is None:
        return b""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"the tester's databases hold only text and integers, not {value!r}")
    return str(value).encode()


def _create(path: Path, page_size: int) -> sqlite3.Connection:
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path, isolation_level=None)
    con.execute(f"PRAGMA page_size = {page_size}")
    con.execute("PRAGMA journal_mode = OFF")
    con.execute("PRAGMA synchronous = OFF")
    con.execute("BEGIN")
    return con


def create_table_sql(
    rng: random.Random, table: str, columns: Sequence[tuple[str, str]], autoincrement: bool
) -> str:
    """CREATE TABLE in one of the layouts people write: one line, one column a line, tabs,
    upper- or lower-case types. Column 0 is the rowid alias ``id``."""
    upper = rng.random() < 0.4
    defs = []
    for name, decl in columns:
        if name == "id":
            decl = "integer primary key" + (" autoincrement" if autoincrement else "")
        defs.append(f"{name} {decl.upper() if upper else decl}")
    style = rng.randrange(3)
    if style == 0:
        return f"CREATE TABLE {table} ({', '.join(defs)})"
    if style == 1:
        return f"CREATE TABLE {table}\n(\n\t" + ",\n\t".join(defs) + "\n)"
    return f"CREATE TABLE {table} (\n  " + ",\n  ".join(defs) + "\n)"


def _themed_table(
    rng: random.Random, con: sqlite3.Connection, theme: Theme, rows: int, autoincrement: bool
) -> TableInfo:
    others = list(theme.columns)
    rng.shuffle(others)
    name_at = rng.randint(0, len(others))
    columns: list[tuple[str, str]] = [(c.name, c.decl) for c in others]
    columns.insert(name_at, (theme.name_column, "text"))
    columns.insert(0, ("id", "integer"))
    con.execute(create_table_sql(rng, theme.table, columns, autoincrement))
    names = rng.sample(theme.names, rows)
    rowid = rng.randint(1, 400)
    makers = {c.name: c.make for c in theme.columns}
    table: list[list[Value]] = []
    for index in range(rows):
        values: list[Value] = []
        for column, _ in columns:
            if column == "id":
                values.append(rowid)
            elif column == theme.name_column:
                values.append(names[index])
            else:
                values.append(makers[column](rng))
        table.append(values)
        rowid += rng.randint(1, 3)
    # Every nullable column holds a NULL and a value; every flag both 0 and 1.
    for spec in theme.columns:
        at = [name for name, _ in columns].index(spec.name)
        if spec.kind == "nullable":
            while table[0][at] is None:
                table[0][at] = spec.make(rng)
            if all(row[at] is not None for row in table):
                table[rng.randrange(1, rows)][at] = None
        if spec.kind == "flag":
            table[0][at], table[1][at] = 0, 1
    marks = ", ".join("?" * len(columns))
    con.executemany(f"INSERT INTO {theme.table} VALUES ({marks})", table)
    return TableInfo(theme.table, [c for c, _ in columns], rows, theme, autoincrement)


def small_database(
    rng: random.Random,
    path: Path,
    *,
    page_size: int,
    tables: int,
    index: bool = False,
    view: bool = False,
    autoincrement: bool | None = None,
    themes: Sequence[Theme] = (),
    single_page_tables: bool = True,
) -> TestDatabase:
    """A few themed tables of 6 to 16 rows, the schema on page 1, and (unless
    ``single_page_tables`` is false: the stages that read only the schema) each table on a
    single page."""
    chosen = list(themes) or rng.sample(THEMES, tables)
    if autoincrement is None:
        autoincrement = rng.random() < 0.5
    auto_at = rng.randrange(len(chosen)) if autoincrement else -1
    con = _create(path, page_size)
    db = TestDatabase(path, page_size)
    for i, theme in enumerate(chosen):
        db.tables.append(_themed_table(rng, con, theme, rng.randint(6, 16), i == auto_at))
        if i == auto_at:
            db.extras.append("table sqlite_sequence")
    if index:
        target = rng.choice(db.tables)
        assert target.theme is not None
        name = f"idx_{target.name}_{target.theme.group}"
        con.execute(f"CREATE INDEX {name} ON {target.name} ({target.theme.group})")
        db.extras.append(f"index {name}")
    if view:
        target = rng.choice(db.tables)
        assert target.theme is not None
        name = f"{target.name}_overview"
        con.execute(
            f"CREATE VIEW {name} AS "
            f"SELECT {target.theme.name_column}, {target.theme.group} FROM {target.name}"
        )
        db.extras.append(f"view {name}")
    con.execute("COMMIT")
    con.close()
    if db.page_type(1) != LEAF_TABLE:
        raise LayoutError(f"{path.name}: the schema does not fit on page 1")
    for table in db.tables if single_page_tables else ():
        if db.page_type(db.root(table.name)) != LEAF_TABLE:
            raise LayoutError(f"{path.name}: table {table.name} does not fit on one page")
    return db


def star_name(rng: random.Random) -> str:
    catalogue = rng.choice(("HD", "HIP", "Gliese", "Kepler", "TOI", "Wolf", "Ross"))
    return f"{catalogue} {rng.randint(1, 240_000)}"


def stars_database(rng: random.Random, path: Path, rows: int) -> TestDatabase:
    """A table three levels deep (interior root, interior children, leaves) on 1024-byte
    pages, beside two small tables."""
    page_size = 1024
    con = _create(path, page_size)
    db = TestDatabase(path, page_size)
    for theme in rng.sample(THEMES, 2):
        db.tables.append(_themed_table(rng, con, theme, rng.randint(5, 8), False))
    columns = [
        ("id", "integer"),
        ("name", "text"),
        ("constellation", "text"),
        ("spectral_class", "text"),
        ("magnitude_x100", "integer"),
        ("distance_ly", "integer"),
    ]
    con.execute(create_table_sql(rng, "stars", columns, False))
    weights = [rng.uniform(0.3, 3.0) for _ in CONSTELLATIONS]
    constellations = rng.choices(CONSTELLATIONS, weights, k=rows)
    values = [
        (
            i + 1,
            star_name(rng),
            constellations[i],
            rng.choice(SPECTRAL),
            rng.randint(-150, 1600),
            rng.randint(4, 16_000),
        )
        for i in range(rows)
    ]
    con.executemany("INSERT INTO stars VALUES (?, ?, ?, ?, ?, ?)", values)
    db.tables.insert(rng.randint(0, 2), TableInfo("stars", [c for c, _ in columns], rows))
    con.execute("COMMIT")
    con.close()
    root = db.root("stars")
    if db.page_type(root) != INTERIOR_TABLE or db.page_type(db.child(root)) != INTERIOR_TABLE:
        raise LayoutError(f"{path.name}: table stars is not three levels deep")
    return db


def articles_database(rng: random.Random, path: Path, rows: int) -> tuple[TestDatabase, int]:
    """Rows bigger than a page: bodies from a few bytes to a dozen pages long, stored on
    overflow pages, with the title after the body so reading it means following the chain.
    Returns the database and how many rows overflow."""
    page_size = rng.choice((1024, 2048, 4096))
    con = _create(path, page_size)
    db = TestDatabase(path, page_size)
    theme = rng.choice(THEMES)
    db.tables.append(_themed_table(rng, con, theme, rng.randint(5, 8), False))
    columns = [
        ("id", "integer"),
        ("author", "text"),
        ("body", "text"),
        ("title", "text"),
        ("words", "integer"),
    ]
    con.execute(create_table_sql(rng, "articles", columns, False))
    most_local = page_size - 35
    overflowing = 0
    values = []
    for i in range(rows):
        if rng.random() < 0.4:
            target = int(most_local * rng.uniform(0.9, 14.0))
        else:
            target = rng.randint(20, most_local // 3)
        words: list[str] = []
        size = -1
        while size < target:
            words.append(rng.choice(WORDS))
            size += len(words[-1]) + 1
        body = " ".join(words)
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 5))).capitalize()
        overflowing += len(body) > most_local
        values.append((i + 1, rng.choice(AUTHORS), body, title, len(words)))
    con.executemany("INSERT INTO articles VALUES (?, ?, ?, ?, ?)", values)
    db.tables.append(TableInfo("articles", [c for c, _ in columns], rows))
    con.execute("COMMIT")
    con.close()
    if overflowing < 10:
        raise LayoutError(f"{path.name}: only {overflowing} rows overflow")
    return db, overflowing


@dataclass
class Companies:
    db: TestDatabase
    rows: int
    country_counts: dict[str, int]
    city_counts: dict[str, int]


def company_name(rng: random.Random) -> str:
    stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
    return f"{stem} {rng.choice(('Labs', 'Systems', 'Works', 'Group', 'Partners', 'Industries', 'Co'))}"


def companies_database(rng: random.Random, path: Path, rows: int, description: int) -> Companies:
    """A table of tens of megabytes with an index on ``country`` (and one on ``sector``,
    listed first): what an index lookup is for. Countries follow a long-tailed
    distribution, so some have thousands of rows and some a handful; a few rows have no
    country at all (NULL sorts first in the index)."""
    page_size = 4096
    con = _create(path, page_size)
    db = TestDatabase(path, page_size)
    con.execute("CREATE TABLE sectors (id integer primary key, name text)")
    con.executemany("INSERT INTO sectors VALUES (?, ?)", list(enumerate(SECTORS, start=1)))
    columns = [
        ("id", "integer"),
        ("name", "text"),
        ("country", "text"),
        ("city", "text"),
        ("sector", "text"),
        ("founded", "integer"),
        ("employees", "integer"),
        ("description", "text"),
    ]
    con.execute(create_table_sql(rng, "companies", columns, False))
    countries = list(COUNTRIES)
    rng.shuffle(countries)
    weights = [1 / (rank**1.3) for rank in range(1, len(countries) + 1)]
    picked: list[str | None] = list(rng.choices(countries, weights, k=rows))
    for i in rng.sample(range(rows), rows // 100):
        picked[i] = None
    cities = sorted({"".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize() for _ in range(450)})
    city_of = rng.choices(cities, k=rows)
    text = " ".join(rng.choice(WORDS) for _ in range(description * 3 // 5))
    values = []
    for i in range(rows):
        length = rng.randint(description * 3 // 4, description * 5 // 4)
        start = rng.randrange(len(text) - length)
        values.append(
            (
                i + 1,
                company_name(rng),
                picked[i],
                city_of[i],
                rng.choice(SECTORS),
                rng.randint(1850, 2024),
                rng.randint(1, 250_000),
                text[start : start + length],
            )
        )
    con.executemany("INSERT INTO companies VALUES (?, ?, ?, ?, ?, ?, ?, ?)", values)
    con.execute("CREATE INDEX idx_companies_sector ON companies (sector)")
    con.execute("CREATE INDEX idx_companies_country ON companies (country)")
    con.execute("COMMIT")
    con.close()
    db.tables = [
        TableInfo("sectors", ["id", "name"], len(SECTORS)),
        TableInfo("companies", [c for c, _ in columns], rows),
    ]
    db.extras = ["index idx_companies_sector", "index idx_companies_country"]
    country_counts: dict[str, int] = {}
    for country in picked:
        if country is not None:
            country_counts[country] = country_counts.get(country, 0) + 1
    city_counts: dict[str, int] = {}
    for city in city_of:
        city_counts[city] = city_counts.get(city, 0) + 1
    if db.page_type(db.root("idx_companies_country")) != INTERIOR_INDEX:
        raise LayoutError(f"{path.name}: the country index fits on one page")
    return Companies(db, rows, country_counts, city_counts)


def _rewrite(db: TestDatabase, statements: Sequence[tuple[str, Sequence[Value]]]) -> None:
    """Apply ``statements`` to the file, then check each table still fits where its stage
    expects it (the stages that do this read single-page tables)."""
    con = sqlite3.connect(db.path, isolation_level=None)
    try:
        con.execute("BEGIN")
        for sql, parameters in statements:
            con.execute(sql, parameters)
        con.execute("COMMIT")
    finally:
        con.close()
    for table in db.tables:
        if db.page_type(db.root(table.name)) != LEAF_TABLE:
            raise LayoutError(f"{db.name}: table {table.name} no longer fits on one page")


def case_twins(db: TestDatabase, table: TableInfo, column: str, value: str, twins: Sequence[str]) -> int:
    """Give rows of ``table`` whose ``column`` is not ``value`` the spellings ``twins``
    (``value`` in other cases), one row each, so a WHERE that ignores case picks them up.
    Returns how many rows changed."""
    sql = f"SELECT rowid FROM {table.name} WHERE {column} IS NOT ? ORDER BY rowid"
    others = [int(str(row[0])) for row in _query(db, sql, (value,))]
    changes = list(zip(others, twins, strict=False))
    update = f"UPDATE {table.name} SET {column} = ? WHERE rowid = ?"
    _rewrite(db, [(update, (twin, rowid)) for rowid, twin in changes])
    return len(changes)


def move_rowids(db: TestDatabase, table: TableInfo, new_rowids: Sequence[int]) -> None:
    """Give the first rows of ``table`` the rowids ``new_rowids`` (huge, negative: 9-byte
    varints)."""
    rowids = [int(str(row[0])) for row in db.query(f"SELECT rowid FROM {table.name} ORDER BY rowid")]
    moves = list(zip(rowids, new_rowids, strict=False))
    update = f"UPDATE {table.name} SET rowid = ? WHERE rowid = ?"
    _rewrite(db, [(update, (new, old)) for old, new in moves])


def _query(db: TestDatabase, sql: str, parameters: Sequence[Value]) -> list[tuple[Value, ...]]:
    with db.connect() as con:
        return [tuple(row) for row in con.execute(sql, parameters)]
