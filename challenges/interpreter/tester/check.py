"""Running one Lox program through the learner's interpreter and explaining a difference.

Each case writes its program to ``program.lox`` in a folder of its own and runs
``./your_program.sh COMMAND program.lox`` there. stdout and the exit code must be what the
reference gives; stderr too whenever the reference writes errors (when it writes none,
stderr is free for the learner's own logs). A failure lists the program with a caret under
the line it is about: the line whose ``print`` wrote the first wrong line of output, the
line named in the expected error, or the line of the token that differs.
"""

from __future__ import annotations

import difflib
import re

from crack.harness import Harness
from crack.harness.oneshot import RunResult

from .model import Expected, expected
from .programs import Case

RUN_TIMEOUT_S = 10.0
"""The programs are a few lines long and run in milliseconds; this bounds an infinite loop
or a recursion that never ends, and the failure names them."""

FILE_NAME = "program.lox"
SHOWN_LINES = 12
"""Output lines of a diff kept around the first difference."""
STDERR_TAIL = 8

ERROR_LINE = re.compile(r"\[line (\d+)\]")

EXIT_MEANINGS = {0: "success", 65: "a compile error", 70: "a runtime error"}


def exit_words(code: int | None) -> str:
    if code is None:
        return "no exit (it was still running)"
    if code < 0:
        return f"killed by signal {-code}"
    meaning = EXIT_MEANINGS.get(code)
    return f"{code} ({meaning})" if meaning else str(code)


def shown(line: str) -> str:
    return line.replace("\t", "\\t").replace("\r", "\\r")


def listing(source: str, caret: int | None) -> str:
    """The program with line numbers and carets under line ``caret``."""
    lines = source.split("\n")
    if lines and lines[-1] == "" and len(lines) > 1:
        lines.pop()
    width = len(str(len(lines)))
    rows = [f"{FILE_NAME}:"]
    for number, line in enumerate(lines, 1):
        text = shown(line)
        rows.append(f"  {str(number).rjust(width)} | {text}".rstrip())
        if number == caret:
            start = len(text) - len(text.lstrip())
            rows.append(f"  {' ' * width} | {' ' * start}{'^' * max(1, len(text) - start)}")
    return "\n".join(rows)


def text_lines(data: str) -> list[str]:
    if not data:
        return []
    lines = data.split("\n")
    last = lines.pop()
    shown_lines = [shown(line) for line in lines]
    if last:
        shown_lines.append(f"{shown(last)}  (no newline at the end)")
    return shown_lines


def first_difference(want: list[str], got: list[str]) -> int:
    for index, (a, b) in enumerate(zip(want, got, strict=False)):
        if a != b:
            return index
    return min(len(want), len(got))


def diff(what: str, want: str, got: str) -> str:
    expected_lines, got_lines = text_lines(want), text_lines(got)
    if not got_lines:
        return f"expected this on {what}, got nothing:\n" + "\n".join(f"- {line}" for line in expected_lines)
    if not expected_lines:
        return f"expected nothing on {what}, got:\n" + "\n".join(
            f"+ {line}" for line in got_lines[:SHOWN_LINES]
        )
    body = list(
        difflib.unified_diff(
            expected_lines, got_lines, lineterm="", n=max(len(expected_lines), len(got_lines))
        )
    )[3:]
    marked = [f"{line[0] if line[0] in '+-' else ' '} {line[1:]}" for line in body]
    first = next(i for i, line in enumerate(marked) if line[0] in "+-")
    start = max(0, first - 3)
    cut = marked[start : start + SHOWN_LINES]
    more = len(marked) - start - len(cut)
    tail = [f"  … ({more} more lines)"] if more > 0 else []
    head = ["  …"] if start else []
    return f"{what} differs (- expected, + got):\n" + "\n".join(head + cut + tail)


def stderr_problem(want: str, got: str) -> str:
    """A diff of the error lines, or, when stderr is far longer (a crash's trace), the
    expected lines and the end of what came, where a trace says what went wrong."""
    got_lines = text_lines(got)
    if len(got_lines) <= SHOWN_LINES:
        return diff("stderr", want, got)
    expected = "\n".join(f"- {line}" for line in text_lines(want))
    last = "\n".join(f"+ {line}" for line in got_lines[-STDERR_TAIL:])
    return (
        f"expected this on stderr:\n{expected}\ngot {len(got_lines)} lines; the last {STDERR_TAIL}:\n{last}"
    )


def caret_line(want: Expected, got: RunResult, stdout: str) -> int | None:
    if stdout != want.stdout:
        index = first_difference(text_lines(want.stdout), text_lines(stdout))
        return want.source_line_of_output(index)
    match = ERROR_LINE.search(want.stderr)
    return int(match.group(1)) if match else None


def compare(want: Expected, result: RunResult) -> list[str]:
    if result.timed_out:
        return [
            f"your program did not finish within {RUN_TIMEOUT_S:.0f} s: an infinite loop (a loop "
            "whose condition never turns false, a scanner that never moves past a character) "
            "or a recursion that never ends?"
        ]
    stdout = result.stdout.decode("utf-8", "replace")
    stderr = result.stderr.decode("utf-8", "replace")
    problems: list[str] = []
    if result.returncode != want.returncode:
        problems.append(
            f"expected exit code {exit_words(want.returncode)}, got {exit_words(result.returncode)}"
        )
    if stdout != want.stdout:
        problems.append(diff("stdout", want.stdout, stdout))
    if want.stderr and stderr != want.stderr:
        problems.append(stderr_problem(want.stderr, stderr))
    elif problems and not want.stderr and stderr.strip():
        excerpt = stderr.rstrip("\n").split("\n")[-8:]
        problems.append("your program's stderr:\n" + "\n".join(f"  {line}" for line in excerpt))
    return problems


def check_case(h: Harness, case: Case, number: int, total: int) -> None:
    want = expected(case.command, case.source)
    folder = h.scratch / f"case-{number:02d}"
    folder.mkdir(parents=True)
    (folder / FILE_NAME).write_text(case.source, encoding="utf-8")
    args = [case.command, FILE_NAME]
    h.log(f"$ {h.program.display(args)}    # {number}: {case.title}")
    result = h.run(args, cwd=folder, timeout=min(RUN_TIMEOUT_S, h.remaining()), quiet=True)
    problems = compare(want, result)
    if not problems:
        return
    stdout = result.stdout.decode("utf-8", "replace")
    caret = None if result.timed_out else caret_line(want, result, stdout)
    header = f"case {number} of {total}: {case.title}\n$ {h.program.display(args)}\n"
    h.fail(
        header + listing(case.source, caret) + "\n" + "\n".join(problems), hint=hint_for(case, want, result)
    )


def hint_for(case: Case, want: Expected, result: RunResult) -> str | None:
    stdout = result.stdout.decode("utf-8", "replace")
    stderr = result.stderr.decode("utf-8", "replace")
    if result.timed_out:
        return case.hint
    if (
        "Traceback (most recent call last)" in stderr
        or "Exception in thread" in stderr
        or "panicked" in stderr
    ):
        return "your program crashed: its stderr above shows where"
    if result.returncode != want.returncode and stdout == want.stdout:
        if want.returncode == 65:
            return (
                "an error found before running (scanning, parsing or resolving) is reported on "
                "stderr and the program exits with 65"
            )
        if want.returncode == 70:
            return "a runtime error is reported on stderr, then the program exits with 70"
        if want.returncode == 0 and not want.stderr:
            return "a program with no error exits with 0"
    if want.returncode == 70 and "[line" in stderr and "\n[line" not in stderr:
        return "a runtime error is two lines on stderr: the message, then [line N] on a line of its own"
    if case.hint:
        return case.hint
    if want.stdout and stdout == want.stdout.rstrip("\n"):
        return "end every line you print with a newline"
    return None
