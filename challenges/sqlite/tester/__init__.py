"""The sqlite challenge's tester: one function per stage slug of challenge.yaml.

The learner's program is run once per command, as ``./your_program.sh DB COMMAND``, on
database files this tester builds with Python's sqlite3 module (``dbgen``). Every
expected answer comes from SQLite itself, and the sqlite3 command-line shell passes
every stage (the test suite grades it through ``oracle/run.sh``).
"""

from __future__ import annotations

from collections.abc import Callable

from crack.harness import Harness
from crack.tester import Tester

from .check import expect_exact, expect_lines, expect_rows
from .data import THEMES, Theme
from .dbgen import (
    TableInfo,
    TestDatabase,
    articles_database,
    case_twins,
    move_rowids,
    small_database,
    stars_database,
)
from .hints import (
    HEADER,
    INTERIOR,
    OVERFLOW,
    RECORD,
    SCHEMA,
    count_hint,
    dbinfo_hint,
    overflow_hint,
    rows_hint,
    scan_hint,
    sentence,
    tables_hint,
)
from .index import index_lookup

tester = Tester("sqlite")

__all__ = ["tester"]


def each(h: Harness, checks: list[Callable[[Harness], object]]) -> None:
    """Run independent commands (each only reads its database) at once, logged in order."""

    def run(case_h: Harness, check: Callable[[Harness], object]) -> None:
        check(case_h)

    h.run_cases(checks, run)


def dbinfo_expected(db: TestDatabase) -> list[bytes]:
    """The two lines `.dbinfo` must print; others may come around them (the sqlite3 shell's
    own `.dbinfo` prints a dozen more, and a program may log on stdout)."""
    tables = sum(1 for kind, _ in db.schema() if kind == "table")
    return [f"database page size: {db.page_size}".encode(), f"number of tables: {tables}".encode()]


def tables_expected(db: TestDatabase, *, views: bool = False) -> bytes:
    """The sorted names of the tables (with ``views``, and of the views: the sqlite3
    shell's `.tables` lists both)."""
    kinds = ("table", "view") if views else ("table",)
    names = sorted(name for kind, name in db.schema() if kind in kinds and not name.startswith("sqlite_"))
    return (" ".join(names) + "\n").encode()


def expect_tables(h: Harness, db: TestDatabase, about: str) -> None:
    also = (tables_expected(db, views=True), "the views listed too, as the sqlite3 shell does")
    expect_exact(h, db, ".tables", tables_expected(db), hint=tables_hint(db), about=about, also=also)


def expect_dbinfo(h: Harness, db: TestDatabase, about: str) -> None:
    expect_lines(h, db, ".dbinfo", dbinfo_expected(db), hint=dbinfo_hint(db), about=about)


def theme_of(table: TableInfo) -> Theme:
    assert table.theme is not None
    return table.theme


def column_of_kind(table: TableInfo, kinds: tuple[str, ...]) -> str | None:
    for column in theme_of(table).columns:
        if column.kind in kinds:
            return column.name
    return None


def rows_check(db: TestDatabase, sql: str) -> Callable[[Harness], object]:
    return lambda h: expect_rows(h, db, sql, db.output(sql), hint=rows_hint(db, sql), about=RECORD)


@tester.stage("dbinfo")
def dbinfo(h: Harness) -> None:
    rng = h.random
    first = small_database(
        rng,
        h.scratch / "sample-1.db",
        page_size=4096,
        tables=rng.randint(2, 3),
        autoincrement=True,
        single_page_tables=False,
    )
    other_size = rng.choice((1024, 2048, 8192, 16384, 32768))
    second = small_database(
        rng,
        h.scratch / "sample-2.db",
        page_size=other_size,
        tables=rng.randint(1, 3),
        autoincrement=False,
        single_page_tables=False,
    )
    largest = small_database(
        rng,
        h.scratch / "sample-3.db",
        page_size=65536,  # the header holds 1: 65536 does not fit in two bytes
        tables=rng.randint(1, 2),
        autoincrement=False,
        single_page_tables=False,
    )

    def check(db: TestDatabase) -> Callable[[Harness], object]:
        def run(h: Harness) -> None:
            h.log(db.describe())
            expect_dbinfo(h, db, HEADER)

        return run

    each(h, [check(first), check(second), check(largest)])


@tester.stage("tables")
def tables(h: Harness) -> None:
    rng = h.random
    for number, auto in ((1, True), (2, None)):
        themes = rng.sample(THEMES, rng.randint(3, 5))
        if [t.table for t in themes] == sorted(t.table for t in themes):
            themes.reverse()  # schema order must not already be the sorted order
        db = small_database(
            rng,
            h.scratch / f"sample-{number}.db",
            page_size=rng.choice((4096, 8192)),
            tables=len(themes),
            index=True,
            view=True,
            autoincrement=auto,
            themes=themes,
            single_page_tables=False,
        )
        h.log(db.describe())
        about = f"{SCHEMA}. {sentence(RECORD)}"
        expect_tables(h, db, about)
        expect_dbinfo(h, db, about)


@tester.stage("count-rows")
def count_rows(h: Harness) -> None:
    rng = h.random
    db = small_database(
        rng, h.scratch / "sample.db", page_size=rng.choice((4096, 8192)), tables=rng.randint(3, 4)
    )
    h.log(db.describe())

    def check(sql: str, table: TableInfo) -> Callable[[Harness], object]:
        hint = count_hint(db, table.name, False)
        return lambda h: expect_exact(h, db, sql, f"{table.rows}\n".encode(), hint=hint, about=hint)

    checks = []
    for i, table in enumerate(rng.sample(db.tables, 3)):
        sql = f"SELECT COUNT(*) FROM {table.name}" if i != 1 else f"select count(*) from {table.name}"
        checks.append(check(sql, table))
    each(h, checks)


@tester.stage("select-column")
def select_column(h: Harness) -> None:
    rng = h.random
    teas = next(t for t in THEMES if t.table == "teas")
    themes = [teas, *rng.sample([t for t in THEMES if t is not teas], 2)]
    rng.shuffle(themes)
    db = small_database(rng, h.scratch / "sample.db", page_size=4096, tables=3, themes=themes)
    h.log(db.describe())
    first, second = (t for t in db.tables if t.name != "teas")
    queries = [
        f"SELECT {theme_of(first).name_column} FROM {first.name}",
        f"SELECT {theme_of(second).group} FROM {second.name}",
        "select notes from teas",
    ]
    each(h, [rows_check(db, sql) for sql in queries])


@tester.stage("select-columns")
def select_columns(h: Harness) -> None:
    rng = h.random
    flagged = [t for t in THEMES if any(c.kind == "flag" for c in t.columns)]
    nullable = [t for t in THEMES if any(c.kind == "nullable" for c in t.columns)]
    first = rng.choice(flagged)
    second = rng.choice(nullable)
    rest = [t for t in THEMES if t not in (first, second)]
    themes = [first, second, rng.choice(rest)]
    rng.shuffle(themes)
    db = small_database(rng, h.scratch / "sample.db", page_size=4096, tables=3, themes=themes)
    h.log(db.describe())
    by_theme = {t.theme: t for t in db.tables}
    flag_table, null_table = by_theme[first], by_theme[second]
    other = by_theme[next(t for t in themes if t not in (first, second))]
    # A rowid of 2^56 or more, or a negative one, is a 9-byte varint: its 9th byte gives 8 bits.
    edge = h.data
    rowids = [edge.huge_int(64), edge.negative_int(64), edge.huge_int(64), 1 << 56]
    move_rowids(db, other, rowids)
    h.log(f"In {other.name}, ids {', '.join(map(str, rowids))}: rowids that take 9-byte varints.")
    queries = [
        f"SELECT id, {theme_of(other).name_column} FROM {other.name}",
        f"SELECT {column_of_kind(flag_table, ('flag',))}, {theme_of(flag_table).name_column}, "
        f"{theme_of(flag_table).group} FROM {flag_table.name}",
        f"SELECT {theme_of(null_table).name_column}, {column_of_kind(null_table, ('nullable',))}, id "
        f"FROM {null_table.name}",
    ]
    each(h, [rows_check(db, sql) for sql in queries])


@tester.stage("where")
def where(h: Harness) -> None:
    rng = h.random
    db = small_database(rng, h.scratch / "sample.db", page_size=4096, tables=3)
    h.log(db.describe())
    cased = _case_twin_query(h, db)
    queries = []
    for i, table in enumerate(db.tables):
        theme = theme_of(table)
        values = [str(v[0]) for v in db.query(f"SELECT {theme.group} FROM {table.name}")]
        repeated = [v for v in values if values.count(v) > 1] or values
        value = rng.choice(repeated)
        other = column_of_kind(table, ("int", "flag", "nullable")) or "id"
        if i == 0:
            queries.append(
                f"SELECT {theme.name_column}, {other} FROM {table.name} WHERE {theme.group} = '{value}'"
            )
        elif i == 1:
            queries.append(
                f"select id, {theme.name_column} from {table.name} where {theme.group} = '{value}'"
            )
        else:
            queries.append(f"SELECT {theme.name_column} FROM {table.name} WHERE {theme.group} = '{value}'")
            absent = rng.choice(("Antarctica", "Atlantis", "unknown"))
            queries.append(
                f"SELECT {theme.name_column}, id FROM {table.name} WHERE {theme.group} = '{absent}'"
            )
        names = [str(v[0]) for v in db.query(f"SELECT {theme.name_column} FROM {table.name}")]
        accented = [n for n in names if not n.isascii()]
        if accented and not any("WHERE name" in q for q in queries):
            name = rng.choice(accented)
            queries.append(f"SELECT id, {theme.group} FROM {table.name} WHERE {theme.name_column} = '{name}'")
    queries.append(cased)
    each(h, [rows_check(db, sql) for sql in queries])


def _case_twin_query(h: Harness, db: TestDatabase) -> str:
    """Rows whose WHERE column differs from a literal only in case (`INDIA`, `india` beside
    `India`), and the query that must leave them out: text compares byte for byte."""
    edge = h.data
    table = edge.random.choice(db.tables)
    group = theme_of(table).group
    values = sorted({str(v[0]) for v in db.query(f"SELECT {group} FROM {table.name}")})
    value = edge.random.choice(values)
    twins = case_twins(db, table, group, value, edge.case_variants(value)[:2])
    h.log(f"In {table.name}, {twins} row(s) hold {group} '{value}' in other cases.")
    return f"SELECT id, {theme_of(table).name_column} FROM {table.name} WHERE {group} = '{value}'"


@tester.stage("full-scan")
def full_scan(h: Harness) -> None:
    rng = h.random
    db = stars_database(rng, h.scratch / "stars.db", rng.randint(4500, 6000))
    h.log(db.describe())
    table = db.table("stars")
    counts = db.query("SELECT constellation, COUNT(*) FROM stars GROUP BY constellation ORDER BY 2 DESC")
    busy = str(counts[len(counts) // 3][0])
    hint = count_hint(db, "stars", True)
    queries = (
        f"SELECT id, name FROM stars WHERE constellation = '{busy}'",
        f"SELECT name, {rng.choice(('spectral_class', 'distance_ly', 'magnitude_x100'))} FROM stars",
    )

    def rows(sql: str) -> Callable[[Harness], object]:
        return lambda h: expect_rows(h, db, sql, db.output(sql), hint=scan_hint(db, sql), about=INTERIOR)

    count = f"{table.rows}\n".encode()
    each(
        h,
        [
            lambda h: expect_exact(h, db, "SELECT COUNT(*) FROM stars", count, hint=hint, about=INTERIOR),
            *(rows(sql) for sql in queries),
        ],
    )


@tester.stage("overflow")
def overflow(h: Harness) -> None:
    db, long_rows = articles_database(h.random, h.scratch / "articles.db", h.random.randint(120, 180))
    h.log(f"{db.describe()}; {long_rows} rows of articles are longer than a page")
    authors = db.query(
        "SELECT author FROM articles GROUP BY author "
        f"ORDER BY SUM(length(body) > {db.page_size - 35}) DESC, author LIMIT 1"
    )
    author = str(authors[0][0])
    count = f"{db.table('articles').rows}\n".encode()

    def rows(sql: str) -> Callable[[Harness], object]:
        return lambda h: expect_rows(h, db, sql, db.output(sql), hint=overflow_hint(db, sql), about=OVERFLOW)

    each(
        h,
        [
            lambda h: expect_exact(
                h, db, "SELECT COUNT(*) FROM articles", count, hint=OVERFLOW, about=OVERFLOW
            ),
            rows("SELECT id, title FROM articles"),
            rows(f"SELECT id, body FROM articles WHERE author = '{author}'"),
        ],
    )


tester.stage("index-lookup")(index_lookup)
