"""Running the learner's program once per command, and saying how its output differs."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from crack.harness import Harness
from crack.harness.bytes_display import show
from crack.harness.hints import exit_status, hint_from_output, what_it_said
from crack.harness.oneshot import RunResult

from .realgit import RealGit

LOGGED_OUTPUT_BYTES = 4000

COMMON_HINTS = [
    (
        "unknown command",
        "your program does not handle this command yet: `crack task` describes what it must do",
    ),
]


def where(h: Harness, path: Path) -> str:
    """``path`` as the learner reads it: relative to the stage's folder, with a slash."""
    try:
        relative = path.relative_to(h.scratch)
    except ValueError:
        return str(path)
    return f"{relative}/" if path.is_dir() else str(relative)


@dataclass(frozen=True)
class Ran:
    """A finished run of the learner's program that exited 0."""

    command: str
    cwd: Path
    stdout: bytes
    stderr: bytes


def run_program(
    h: Harness,
    git: RealGit,
    args: Sequence[str],
    cwd: Path,
    env: Mapping[str, str] | None = None,
    hints: Sequence[tuple[str, str]] = (),
) -> Ran:
    """Run ``./your_program.sh args`` in ``cwd``; fail unless it exits 0 in time."""
    command = h.program.display(args)
    h.log(f"In {where(h, cwd)}:")
    result = run_in(h, args, cwd, {**git.isolation, **(env or {})})
    _log_output(h, result)
    if result.timed_out:
        h.fail(
            f"`{command}` (in {where(h, cwd)}) did not finish within {result.duration_s:.0f} seconds",
            hint=(
                "a command must exit when its work is done: look for a loop that never ends, or a "
                "read (from a socket, a pipe) that waits forever"
            ),
        )
    if result.returncode != 0:
        said = what_it_said(result.stdout, result.stderr, h.program.cwd)
        status = exit_status(result.returncode)
        h.fail(
            f"`{command}` (in {where(h, cwd)}) {status}:\n{said}",
            hint=next((hint for needle, hint in [*COMMON_HINTS, *hints] if needle in said), None)
            or hint_from_output(said)
            or "run the same command yourself in the same folder to see why it fails",
        )
    return Ran(command, cwd, result.stdout, result.stderr)


def run_in(h: Harness, args: Sequence[str], cwd: Path, env: Mapping[str, str]) -> RunResult:
    """``h.run`` in another working directory than the program's own, leaving half a
    second of the stage to say what happened if it hangs."""
    return h.run(args, cwd=cwd, env=env, timeout=max(h.remaining() - 0.5, 0.1))


def _log_output(h: Harness, result: RunResult) -> None:
    """The program's stdout and stderr in the session log: text as it is, binary escaped."""
    for data in (result.stdout, result.stderr):
        lines = _as_lines(data[:LOGGED_OUTPUT_BYTES])
        if lines is None or any(ch < " " and ch not in "\t" for line in lines for ch in line):
            h.log_session.program(f"({len(data)} bytes) {show(data, 160)}")
            continue
        if "".join(lines).strip():
            h.log_session.program("\n".join(lines).rstrip("\n"))
        if len(data) > LOGGED_OUTPUT_BYTES:
            h.log_session.program(f"… ({len(data):,} bytes in all)")


def _as_lines(data: bytes) -> list[str] | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if any(ch in text for ch in "\x00\r"):
        return None
    return text.split("\n")


def first_difference(expected: bytes, got: bytes) -> int:
    for index, (a, b) in enumerate(zip(expected, got, strict=False)):
        if a != b:
            return index
    return min(len(expected), len(got))


def describe_difference(
    expected: bytes,
    got: bytes,
    expected_label: str,
    got_label: str = "your output",
    *,
    show_bytes: bool = True,
) -> str:
    """Expected and got, as a line diff for text and as escaped bytes otherwise."""
    at = first_difference(expected, got)
    where_ = f"they differ from byte {at}"
    if at == len(got) < len(expected):
        where_ = f"{got_label} stops after {len(got)} of {len(expected)} bytes"
    elif at == len(expected) < len(got):
        extra = len(got) - len(expected)
        where_ = f"{got_label} has {extra} extra byte(s) after the expected {len(expected)}"
    old, new = _as_lines(expected), _as_lines(got)
    if old is not None and new is not None and len(old) > 2:
        diff = list(difflib.unified_diff(old, new, "expected", got_label, n=2, lineterm=""))
        body = "\n".join(f"  {line}" for line in diff[:60])
        if len(diff) > 60:
            body += f"\n  … ({len(diff) - 60} more diff lines)"
        start = max(at - 20, 0)
        message = f"expected ({expected_label}), as a diff against {got_label} ({where_}):\n{body}"
        if show_bytes:
            message += (
                f"\nexpected from byte {start}: {show(expected[start : start + 60], 60)}\n"
                f"     got from byte {start}: {show(got[start : start + 60], 60)}"
            )
        return message
    return (
        f"expected ({expected_label}, {len(expected)} bytes): {show(expected)}\n"
        f"     got ({len(got)} bytes): {show(got)}\n"
        f"({where_})"
    )
