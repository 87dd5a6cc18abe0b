"""Hints for known mistakes, recognised in what the learner's program printed or did.

Two mistakes are recognised for every challenge, whatever its tester says:

- a reply written through a buffered writer that is never flushed: the program runs and
  has read every byte the tester sent, yet not one byte ever arrives on any connection;
- debug output printed on standard output by a program that is run once per case (a
  command-line tool): its output is what is graded, so the log lines make it wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

_KNOWN = (
    (
        ("Address already in use", "EADDRINUSE"),
        "the port was already taken when your program tried to listen: set SO_REUSEADDR "
        "before bind, and make sure no earlier run of your program is still alive",
    ),
    (
        ("SyntaxError", "IndentationError"),
        "your program does not compile: its output above shows where",
    ),
    (
        ("ModuleNotFoundError", "ImportError"),
        "your program imports a module that cannot be found: check the name, and keep to "
        "the standard library unless your template says otherwise",
    ),
    (
        ("unrecognized arguments", "unknown option", "invalid option"),
        "your program rejected the arguments the tester passes: accept them (e.g. --port N)",
    ),
)


def hint_from_output(output: str) -> str | None:
    for needles, hint in _KNOWN:
        if any(needle in output for needle in needles):
            return hint
    return None


_BUFFERED_WRITERS = {
    "go": "Go's bufio.Writer",
    "c": "C's stdio FILE*",
    "cpp": "C++ streams",
    "java": "Java's PrintWriter or BufferedWriter",
    "rust": "Rust's BufWriter",
    "javascript": "a corked Node socket",
    "python": "Python's socket.makefile",
}
_STDERR_WRITES = {
    "cpp": "std::cerr",
    "c": "fprintf(stderr, …)",
    "java": "System.err.println",
    "go": "fmt.Fprintln(os.Stderr, …)",
    "rust": "eprintln!",
    "javascript": "console.error",
    "python": "print(…, file=sys.stderr)",
}


def _for(language: str | None, table: dict[str, str]) -> str:
    """The learner's own language's way, or every language's when it is not known (a
    program named with ``--run``, an oracle)."""
    if language in table:
        return table[language]
    return ", ".join(table.values())


def flush_hint(language: str | None = None) -> str:
    return (
        "your program read what crack sent, yet not one byte came back: if it writes through a "
        f"buffered writer ({_for(language, _BUFFERED_WRITERS)}), flush it after each reply — bytes "
        "left in a buffer never reach the socket"
    )


HINT_FLUSH = flush_hint()
"""The flush hint for a program whose language is not known."""

_HINT_STDERR = (
    "your program printed log or debug lines on standard output ({example}): standard output "
    "is what the tester grades, so write logs and debug output to standard error instead "
    "({way})"
)


_LOG_LINE = re.compile(
    rb"^\W{0,3}(?:(?:debug|dbg)\b|(?:trace|info|log|warn|warning)\s*[\]:=>|)])", re.IGNORECASE
)
"""A line as logging and debug prints start: ``DEBUG: x``, ``[info] parsed``, ``debug tokens=…``."""


def looks_like_logging(line: bytes) -> bool:
    return bool(_LOG_LINE.match(line))


def stderr_hint(stdout: bytes, given: bytes = b"", language: str | None = None) -> str | None:
    """The hint for log lines on stdout, or None when stdout shows none. A line found in
    ``given`` (what the program was given to read: a grep prints lines of its input, and
    an input line may well read "log: started") is data, never logging."""
    logs = [line for line in stdout.split(b"\n") if looks_like_logging(line) and line not in given]
    if not logs:
        return None
    from crack.harness.bytes_display import show

    return _HINT_STDERR.format(example=show(logs[0], 60), way=_for(language, _STDERR_WRITES))


def caused_by(failure: BaseException, kind: type[BaseException]) -> bool:
    """Whether ``failure`` or an exception it was raised from (or while handling) is a
    ``kind``: testers turn a harness error into their own failure, ``from None`` or not."""
    seen: set[int] = set()
    current: BaseException | None = failure
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def combine(tester: str | None, harness: Iterable[str]) -> str | None:
    """The tester's hint first (it knows the stage), then the harness's, one per line, each
    said once."""
    hints: list[str] = []
    for hint in [tester, *harness]:
        if hint and hint not in hints:
            hints.append(hint)
    return "\n".join(hints) or None


_FRAME = re.compile(r'^\s*File "(?P<path>[^"]+)", line (?P<line>\d+), in (?P<function>.+)$')


def traceback_summary(stderr: bytes, root: Path) -> str | None:
    """A Python traceback in short, for a program run once per check: the exception, and
    the last line of the program's own code (a file under ``root``) it went through. The
    whole traceback stays in the program's output, logged above the failure. None when
    ``stderr`` holds no traceback."""
    text = stderr.decode("utf-8", errors="replace")
    if "Traceback (most recent call last):" not in text:
        return None
    lines = text.rstrip().splitlines()
    exception = lines[-1].strip()
    where = ""
    root = root.resolve()
    for line in lines:
        match = _FRAME.match(line)
        if match is None:
            continue
        try:
            shown = Path(match["path"]).resolve().relative_to(root)
        except (ValueError, OSError):
            continue
        where = f"{shown}, line {match['line']}, in {match['function']}"
    at = f" (raised at {where})" if where else ""
    return f"  {exception}{at}\n  The whole traceback is in your program's output above."


def exit_status(returncode: int | None) -> str:
    """How a one-shot command ended, as a failure says it."""
    if returncode is not None and returncode < 0:
        return f"was killed by signal {-returncode}"
    return f"exited with code {returncode}"


def what_it_said(stdout: bytes, stderr: bytes, root: Path, lines: int = 12) -> str:
    """What a failed one-shot command said, indented for a failure message: its traceback
    in short, else the last ``lines`` of stderr, else of stdout."""

    def tail(data: bytes) -> str:
        text = data.decode("utf-8", errors="replace").rstrip()
        return "\n".join(f"  {line}" for line in text.splitlines()[-lines:])

    return traceback_summary(stderr, root) or tail(stderr) or tail(stdout) or "  (nothing)"
