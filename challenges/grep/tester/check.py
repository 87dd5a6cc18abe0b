"""Running one case against the learner's program and explaining any difference.

Each case runs in a fresh folder under the stage's scratch space holding the case's files,
with that folder as the working directory, so file names in the output are the short
relative names the case gave (``fruits.txt:apple``).
"""

from __future__ import annotations

import difflib
import shlex
from pathlib import Path

from crack.harness import Harness
from crack.harness.bytes_display import escape, show
from crack.harness.oneshot import RunResult

from .cases import Case
from .model import MATCH_START, Expected, by_file, run

RUN_TIMEOUT_S = 10.0
"""A run of grep over a few lines takes milliseconds; this only bounds a program that hangs."""

FLOOD_BYTES = 16_384
"""Output past this size (and far past what was expected) is not diffed line by line: the
failure shows its size and its first lines instead of a diff of thousands of lines."""

FLOOD_LINES_SHOWN = 5


def run_in(h: Harness, args: list[str], *, stdin: bytes, cwd: Path) -> RunResult:
    """``h.run`` in the case's folder; the caller has logged the command as a pipeline."""
    return h.run(args, stdin=stdin, cwd=cwd, timeout=min(RUN_TIMEOUT_S, h.remaining()), quiet=True)


def printf_command(data: bytes) -> str:
    """A shell command that writes ``data`` (inputs never hold ``\\`` or ``%``)."""
    try:
        shown = data.decode("utf-8")
    except UnicodeDecodeError:
        shown = data.decode("latin-1")
    return "printf " + shlex.quote(shown.replace("\n", "\\n"))


def command_line(h: Harness, case: Case) -> str:
    line = h.program.display(case.invocation.args)
    if case.uses_stdin:
        return f"{printf_command(case.stdin)} | {line}"
    return line


def describe_files(case: Case) -> str:
    if not case.files:
        return ""
    width = max(len(name) for name, _ in case.files)
    rows = [f"  {name.ljust(width)}  {show(content)}" for name, content in sorted(case.files)]
    return "in a folder holding:\n" + "\n".join(rows) + "\n"


def write_files(case: Case, folder: Path) -> None:
    folder.mkdir(parents=True)
    for name, content in case.files:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def exit_words(code: int | None) -> str:
    if code is None:
        return "no exit (it was still running)"
    if code < 0:
        return f"killed by signal {-code}"
    meaning = {0: "a line was selected", 1: "no line was selected", 2: "an error"}.get(code)
    return f"{code} ({meaning})" if meaning else str(code)


def output_lines(data: bytes) -> list[str]:
    """Lines as the learner should read them: quoted, escaped, the newline implied."""
    if not data:
        return []
    parts = data.split(b"\n")
    last = parts.pop()
    lines = [f'"{escape(part)}"' for part in parts]
    if last:
        lines.append(f'"{escape(last)}" (no newline at the end)')
    return lines


def diff_lines(expected: list[str], got: list[str]) -> str:
    if not expected and not got:
        return ""
    if not got:
        return "expected this output, got none:\n" + "\n".join(f"- {line}" for line in expected)
    if not expected:
        return "expected no output, got:\n" + "\n".join(f"+ {line}" for line in got)
    body = list(difflib.unified_diff(expected, got, lineterm="", n=max(len(expected), len(got))))[3:]
    marked = [f"{line[0] if line[0] in '+-' else ' '} {line[1:]}" for line in body]
    return "output differs (- expected, + got):\n" + "\n".join(marked)


def flood_lines(want: bytes, got: bytes, truncated: bool) -> str:
    """Far more output than expected: what was expected, then the size and the start of
    what came (each line cut, as ``show`` cuts bytes)."""
    expected = "\n".join(f"- {line}" for line in output_lines(want)) or "- (no output)"
    lines = got.split(b"\n")
    first = [f"+ {show(line)}" for line in lines[:FLOOD_LINES_SHOWN]]
    size = f"more than {len(got):,}" if truncated else f"{len(got):,}"
    start = "its first line" if len(first) == 1 else f"its first {len(first)} lines"
    return f"expected this output:\n{expected}\ngot {size} bytes; {start}:\n" + "\n".join(first)


def stderr_excerpt(data: bytes, lines: int = 8) -> str:
    text = data.decode("utf-8", "replace").rstrip("\n").split("\n")
    shown = text[-lines:]
    cut = "  …\n" if len(text) > lines else ""
    return cut + "\n".join(f"  {line}" for line in shown)


def check_case(h: Harness, case: Case, number: int, total: int) -> None:
    expected = run(case.invocation, case.file_map, case.stdin)
    folder = h.scratch / f"case-{number:02d}"
    write_files(case, folder)
    h.log(f"$ {command_line(h, case)}")
    result = run_in(h, case.invocation.args, stdin=case.stdin, cwd=folder)
    problems = compare(case, expected, result)
    if not problems:
        return
    kind = "a random case" if case.seeded else case.title
    header = f"case {number} of {total}: {kind}\n$ {command_line(h, case)}\n{describe_files(case)}"
    h.fail(header + "\n".join(problems), hint=hint_for(case, expected, result))


def compare(case: Case, expected: Expected, result: RunResult) -> list[str]:
    if result.timed_out:
        return [
            f"your program did not finish within {RUN_TIMEOUT_S:.0f} s "
            "(does it read stdin even when files are given, or loop forever on some pattern?)"
        ]
    problems: list[str] = []
    if result.returncode != expected.returncode:
        problems.append(
            f"expected exit code {exit_words(expected.returncode)}, got {exit_words(result.returncode)}"
        )
    got, want = result.stdout, expected.stdout
    if case.order_free:
        names = [name for name, _ in case.files]
        same = by_file(got, names) == by_file(want, names) and got.endswith(b"\n") == want.endswith(b"\n")
        if not same:
            problems.append(
                "with -r, files may come in any order; here the lines are grouped file by file\n"
                + diff_lines(_grouped(want, names), _grouped(got, names))
            )
    elif got != want and len(got) > max(FLOOD_BYTES, 4 * len(want)):
        problems.append(flood_lines(want, got, result.stdout_truncated))
    elif got != want:
        problems.append(diff_lines(output_lines(want), output_lines(got)))
    if result.stdout_truncated:
        problems.append("(your program wrote more than 4 MB to stdout; the rest was cut)")
    if expected.returncode == 2:
        message = result.stderr.decode("utf-8", "replace")
        absent = [name for name in expected.unreadable if name.rstrip("/") not in message]
        if absent:
            problems.append(
                f"expected a message on stderr naming {', '.join(absent)}, got "
                + (
                    f"this on stderr:\n{stderr_excerpt(result.stderr)}"
                    if message.strip()
                    else "nothing on stderr"
                )
            )
    elif problems and result.stderr.strip():
        problems.append("your program's stderr:\n" + stderr_excerpt(result.stderr))
    return problems


def _grouped(data: bytes, names: list[str]) -> list[str]:
    lines = by_file(data, names)
    return [f'"{escape(line)}"' for line in lines]


def hint_for(case: Case, expected: Expected, result: RunResult) -> str | None:
    got, want = result.stdout, expected.stdout
    if b"Traceback (most recent call last)" in result.stderr:
        return "your program crashed: its stderr above shows where"
    if want and got == want.rstrip(b"\n"):
        return "end every line you print with \\n, even when the input's last line had none"
    if got == want and result.returncode != expected.returncode:
        if expected.returncode == 1:
            return "exit with code 1 when no line was selected; grep's exit code is how scripts test it"
        if expected.returncode == 2:
            return (
                "a file that cannot be read is an error: say so on stderr, "
                "search the others, then exit with 2"
            )
        return "exit with code 0 when at least one line was selected"
    if case.hint:
        return case.hint
    if "--color=always" in case.invocation.options and MATCH_START not in got and MATCH_START in want:
        return "each match goes between ESC[01;31mESC[K and ESC[mESC[K (\\x1b is ESC)"
    names = [name for name, _ in case.files]
    if any(line.startswith(b"./") for line in got.split(b"\n")) and not any(
        line.startswith(b"./") for line in want.split(b"\n")
    ):
        return "with no operand, -r searches the working directory and names its files without ./"
    if (
        len(case.invocation.operands) > 1
        and want
        and not any(got.startswith(n.encode() + b":") for n in names)
    ):
        return "with more than one file, each line starts with the file's name and a colon"
    return None
