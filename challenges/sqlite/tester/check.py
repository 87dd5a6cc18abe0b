"""Run the learner's program once per command and compare what it prints on stdout.

Output is compared byte for byte where its order is defined (`.dbinfo`, `.tables`, a
count), and as a multiset of lines where it is not: a SELECT without ORDER BY may return
its rows in any order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from crack.harness import Harness
from crack.harness.oneshot import RunResult

from .dbgen import TestDatabase

STDERR_LOG_LINES = 40
STDERR_TAIL_LINES = 12
SHOWN_LINES = 8
LINE_LIMIT = 160

Hinter = Callable[[list[bytes]], str | None]
HintArg = str | Hinter | None


_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\", '"': '\\"'}


def show(data: bytes, limit: int = 200) -> str:
    """``"…"``-quoted output: UTF-8 text shown as letters, control characters and bytes that
    are not UTF-8 escaped (``\\n``, ``\\xNN``), cut with a count past ``limit`` bytes."""
    end = min(limit, len(data))
    while 0 < end < len(data) and data[end] & 0xC0 == 0x80:
        end -= 1  # cut between characters, not inside one
    out = []
    for char in data[:end].decode("utf-8", errors="surrogateescape"):
        code = ord(char)
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif 0xDC80 <= code <= 0xDCFF:
            out.append(f"\\x{code - 0xDC00:02x}")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        else:
            out.append(char)
    more = f"… ({len(data)} bytes in all)" if len(data) > limit else ""
    return f'"{"".join(out)}"{more}'


def command_line(h: Harness, db: TestDatabase, command: str) -> str:
    """How a learner reruns it (in their own folder, with their own copy of the file)."""
    return f'$ {h.program.display()} {db.name} "{command}"'


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="backslashreplace")


def _log_stderr(h: Harness, stderr: bytes) -> None:
    lines = _text(stderr).splitlines()
    for line in lines[:STDERR_LOG_LINES]:
        h.log_session.program(line)
    if len(lines) > STDERR_LOG_LINES:
        h.log_session.program(f"… ({len(lines) - STDERR_LOG_LINES} more lines on stderr)")


def _stderr_tail(stderr: bytes) -> str:
    lines = _text(stderr).rstrip("\n").splitlines()
    if not lines:
        return "It wrote nothing on stderr."
    tail = lines[-STDERR_TAIL_LINES:]
    cut = f" (its last {len(tail)} lines)" if len(lines) > len(tail) else ""
    return f"Its stderr{cut}:\n" + "\n".join(f"  {line}" for line in tail)


def run(
    h: Harness,
    db: TestDatabase,
    command: str,
    *,
    expected_hint: str = "",
    about: str | None = None,
    quiet: bool = False,
) -> RunResult:
    """Run ``./your_program.sh DB COMMAND`` to completion; fail unless it exits with 0.

    ``about`` is the stage's hint for a program that stops with an error; ``quiet`` leaves
    what it printed out of the log (the timing rounds run the same commands again and again).
    """
    result = h.run([str(db.path), command])
    _log_stderr(h, result.stderr)
    where = command_line(h, db, command)
    if result.returncode is None:
        h.fail(
            f"{where}\ndid not finish before the stage's time ran out ({result.duration_s:.2f} s).",
            hint="a loop that never ends often follows a wrong page number or a varint read wrongly",
        )
    if not quiet or result.returncode != 0:
        h.log(f"< {show(result.stdout)}")
    if result.returncode != 0:
        expected = f"\nexpected it to print {expected_hint} and exit with status 0" if expected_hint else ""
        h.fail(
            f"{where}\nexited with status {result.returncode}{expected}.\n{_stderr_tail(result.stderr)}",
            hint=about or "run the same command yourself on a database of your own to see the error",
        )
    return result


def _hint(hint: HintArg, lines: list[bytes]) -> str | None:
    if hint is None or isinstance(hint, str):
        return hint
    return hint(lines)


def _split(output: bytes) -> tuple[list[bytes], bool]:
    """Lines of ``output`` and whether the last one ended with a newline."""
    if not output:
        return [], True
    lines = output.split(b"\n")
    if lines[-1] == b"":
        return lines[:-1], True
    return lines, False


def _line(data: bytes) -> str:
    return show(data, LINE_LIMIT)


def expect_exact(
    h: Harness,
    db: TestDatabase,
    command: str,
    expected: bytes,
    *,
    hint: HintArg = None,
    about: str | None = None,
    quiet: bool = False,
    also: tuple[bytes, str] | None = None,
) -> RunResult:
    """Output that must be these very bytes (``.tables``, a count); ``also``: another
    output that is right too, and what it is (the sqlite3 shell's way, say)."""
    result = run(h, db, command, expected_hint=show(expected), about=about, quiet=quiet)
    got = result.stdout
    if got == expected or (also is not None and got == also[0]):
        return result
    lines, _ = _split(got)
    want, _ = _split(expected)
    detail = ""
    if got.replace(b"\r\n", b"\n") == expected:
        detail = "\nThe lines end with \\r\\n: end each line with \\n alone."
    elif got + b"\n" == expected:
        detail = "\nThe output lacks its final newline."
    elif len(want) > 1:
        for number, (a, b) in enumerate(zip(want, lines, strict=False), start=1):
            if a != b:
                detail = f"\nFirst difference, line {number}: expected {_line(a)}, got {_line(b)}"
                break
        else:
            detail = f"\nExpected {len(want)} line(s), got {len(lines)}."
    alternative = f"\n  (or {show(also[0])}: {also[1]})" if also is not None else ""
    h.fail(
        f"{command_line(h, db, command)}\nexpected {show(expected)}{alternative}\n"
        f"     got {show(got)}{detail}",
        hint=_hint(hint, lines),
    )


def expect_lines(
    h: Harness,
    db: TestDatabase,
    command: str,
    required: Sequence[bytes],
    *,
    hint: HintArg = None,
    about: str | None = None,
) -> RunResult:
    """Output that must hold each of these ``name: value`` lines (``.dbinfo``): other
    lines may come around them (the sqlite3 shell prints many more, a program may log),
    but no other line may give one of these names another value."""
    result = run(
        h, db, command, expected_hint="the lines " + ", ".join(show(r) for r in required), about=about
    )
    lines, _ = _split(result.stdout)
    problems = []
    for want in required:
        name = want.split(b":", 1)[0] + b":"
        given = [line for line in lines if line.startswith(name)]
        if want not in given:
            problems.append(f"expected the line {_line(want)}" + _lines_found(given, name))
        elif len(set(given)) > 1:
            problems.append(f"expected the line {_line(want)} alone" + _lines_found(given, name))
    if problems:
        h.fail(
            f"{command_line(h, db, command)}\n"
            + "\n".join(problems)
            + f"\nIts whole output: {show(result.stdout)}",
            hint=_hint(hint, lines),
        )
    return result


def _lines_found(given: list[bytes], name: bytes) -> str:
    if not given:
        return f"; no line starts with {_line(name)}"
    return "; the lines that start with it: " + ", ".join(_line(line) for line in given)


def expect_rows(
    h: Harness,
    db: TestDatabase,
    command: str,
    expected: Sequence[bytes],
    *,
    hint: HintArg = None,
    about: str | None = None,
    quiet: bool = False,
) -> RunResult:
    """The rows of a query without ORDER BY: the same lines, in any order."""
    what = f"{len(expected)} row(s)" if expected else "no rows (empty output)"
    result = run(h, db, command, expected_hint=what, about=about, quiet=quiet)
    got = result.stdout
    lines, terminated = _split(got)
    where = command_line(h, db, command)
    if Counter(lines) == Counter(expected):
        if not terminated:
            h.fail(f"{where}\nprinted the right rows, but the last line does not end with \\n.")
        if not quiet:
            h.log(f"{len(lines)} row(s) as expected (the order is free: the query has no ORDER BY).")
        return result
    if lines and Counter(line.rstrip(b"\r") for line in lines) == Counter(expected):
        h.fail(f"{where}\nprinted the right rows, but ending with \\r\\n: end each line with \\n alone.")
    missing = Counter(expected) - Counter(lines)
    extra = Counter(lines) - Counter(expected)
    parts = [f"{where}\nexpected {what} in any order (the query has no ORDER BY), got {len(lines)}."]
    for label, rows in (("missing", missing), ("unexpected", extra)):
        if not rows:
            continue
        listed = list(rows.elements())
        parts.append(f"{label} ({len(listed)}):")
        parts += [f"  {_line(row)}" for row in listed[:SHOWN_LINES]]
        if len(listed) > SHOWN_LINES:
            parts.append(f"  … and {len(listed) - SHOWN_LINES} more")
    h.fail("\n".join(parts), hint=_hint(hint, lines))
