"""What grep prints: the tester's own model of ``grep -E PATTERN [FILE...]``.

Every expected output comes from here. The test suite checks this model against GNU grep
(``tests/test_grep_challenge.py``) on every stage's fixed and seeded cases, so the model is
only trusted because it agrees with the real tool.

- The pattern language of this challenge reads the same in Python's ``re`` (with
  ``re.ASCII``: ``\\d`` is 0-9, ``\\w`` is ASCII letters, digits and ``_``), so the model
  compiles it as it is. Matching is leftmost-first, the way a backtracking engine finds a
  match (greedy quantifiers, alternatives tried left to right), as ``grep -P`` does. For
  ``-o`` and ``--color`` that can differ from ``grep -E``, which takes the longest match
  at the leftmost spot; the test suite shows both agree on the cases it checks.
- Options: ``-r`` (recurse), ``-o`` (only the matched parts), ``-c`` (count),
  ``-v`` (invert), ``--color=always`` (GNU grep's default escape sequences).
- Output lines get a ``NAME:`` prefix when more than one operand is given, or when ``-r``
  searches a directory (or the working directory, when there is no operand; those names
  have no ``./``). Files inside a directory are searched in sorted path order here; GNU
  grep's order is the directory's, unspecified, so with ``-r`` the checks compare file by
  file (see ``by_file``).
- Exit code: 2 if an operand could not be read (the message goes to stderr), else 0 if a
  line was selected, else 1.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

MATCH_START = b"\x1b[01;31m\x1b[K"
MATCH_END = b"\x1b[m\x1b[K"
NAME_START = b"\x1b[35m\x1b[K"
NAME_END = b"\x1b[m\x1b[K"
SEPARATOR = b"\x1b[36m\x1b[K:\x1b[m\x1b[K"
"""GNU grep's --color=always defaults: ms=01;31, fn=35, se=36; each coloured span is
followed by an erase-to-end-of-line (``\\x1b[K``) so a background colour cannot bleed."""

KNOWN_OPTIONS = ("-r", "-o", "-c", "-v", "--color=always")


@dataclass(frozen=True)
class Invocation:
    options: tuple[str, ...]
    pattern: str
    operands: tuple[str, ...]

    def __post_init__(self) -> None:
        if self.pattern.startswith("-"):
            raise ValueError(f"pattern {self.pattern!r} would be read as an option")

    @property
    def args(self) -> list[str]:
        return [*self.options, "-E", self.pattern, *self.operands]


@dataclass(frozen=True)
class Expected:
    stdout: bytes
    returncode: int
    unreadable: tuple[str, ...]
    """Operands that do not exist: stderr must name each of them."""


def compile_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.ASCII)


def matches_in(rx: re.Pattern[str], line: str) -> Iterator[re.Match[str]]:
    """The non-empty matches in ``line``, left to right, as grep -o and --color find them:
    each search starts where the previous match ended (an empty match is skipped)."""
    pos = 0
    while pos <= len(line):
        found = rx.search(line, pos)
        if found is None:
            return
        if found.end() == found.start():
            pos = found.end() + 1
            continue
        yield found
        pos = found.end()


def split_lines(content: bytes) -> list[str]:
    """The lines of a file or of stdin; a last line without a newline still counts."""
    text = content.decode("latin-1")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def expand(
    invocation: Invocation, files: Mapping[str, bytes]
) -> tuple[list[tuple[str | None, str]], list[str], bool]:
    """The inputs to read, in order: (name shown in prefixes or None for stdin, path).

    ``files`` maps relative paths (``docs/a.txt``) to contents; directories are implied.
    Returns the inputs, the operands that are missing, and whether names are shown.
    """
    recursive = "-r" in invocation.options
    dirs = {str_parent for path in files for str_parent in _parents(path)}
    inputs: list[tuple[str | None, str]] = []
    missing: list[str] = []
    operands = list(invocation.operands)
    if not operands:
        if not recursive:
            return [(None, "-")], [], False
        return [(path, path) for path in sorted(files)], [], True
    shows_names = len(operands) > 1
    for operand in operands:
        bare = operand.rstrip("/")
        if bare in files:
            inputs.append((bare, bare))
        elif recursive and bare in dirs:
            shows_names = True
            inside = sorted(p for p in files if p.startswith(bare + "/"))
            inputs.extend((p, p) for p in inside)
        else:
            missing.append(operand)
    return inputs, missing, shows_names


def _parents(path: str) -> Iterator[str]:
    parts = path.split("/")
    for i in range(1, len(parts)):
        yield "/".join(parts[:i])


def run(invocation: Invocation, files: Mapping[str, bytes], stdin: bytes = b"") -> Expected:
    unknown = [o for o in invocation.options if o not in KNOWN_OPTIONS]
    if unknown:
        raise ValueError(f"the model does not know {unknown}")
    rx = compile_pattern(invocation.pattern)
    invert = "-v" in invocation.options
    only = "-o" in invocation.options
    count = "-c" in invocation.options
    color = "--color=always" in invocation.options
    inputs, missing, shows_names = expand(invocation, files)
    out = bytearray()
    selected_any = False
    for name, path in inputs:
        content = stdin if path == "-" else files[path]
        prefix = b""
        if shows_names and name is not None:
            raw = name.encode()
            prefix = (NAME_START + raw + NAME_END + SEPARATOR) if color else raw + b":"
        selected = 0
        for line in split_lines(content):
            hit = rx.search(line) is not None
            if hit == invert:
                continue
            selected += 1
            if count:
                continue
            if only:
                for found in matches_in(rx, line):
                    part = found.group().encode("latin-1")
                    out += prefix + (MATCH_START + part + MATCH_END if color else part) + b"\n"
            else:
                out += prefix + (highlight(rx, line) if color and not invert else line.encode("latin-1"))
                out += b"\n"
        if count:
            out += prefix + str(selected).encode() + b"\n"
        selected_any = selected_any or selected > 0
    code = 2 if missing else (0 if selected_any else 1)
    return Expected(bytes(out), code, tuple(missing))


def highlight(rx: re.Pattern[str], line: str) -> bytes:
    out = bytearray()
    last = 0
    for found in matches_in(rx, line):
        out += line[last : found.start()].encode("latin-1")
        out += MATCH_START + found.group().encode("latin-1") + MATCH_END
        last = found.end()
    out += line[last:].encode("latin-1")
    return bytes(out)


def file_of(line: bytes, names: Sequence[str]) -> str:
    """Which file an output line belongs to, from its ``NAME:`` prefix ("" if none)."""
    best = ""
    for name in names:
        if line.startswith(name.encode() + b":") and len(name) > len(best):
            best = name
    return best


def by_file(output: bytes, names: Sequence[str]) -> list[bytes]:
    """The output's lines grouped by file (files sorted, each file's lines in order).

    ``grep -r`` visits a directory's entries in the order the directory lists them, which
    differs between file systems; comparing the grouped form accepts any order of files
    while still checking the order of lines within each file.
    """
    lines = output.split(b"\n")
    tail = lines.pop()
    if tail:
        lines.append(tail)  # a last line without its newline stays visible
    keyed = sorted(enumerate(lines), key=lambda item: (file_of(item[1], names), item[0]))
    return [line for _, line in keyed]
