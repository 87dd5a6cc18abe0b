"""Running the learner's program once per command and saying what went wrong."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from crack.harness import Harness
from crack.harness.bytes_display import show
from crack.harness.hints import exit_status, hint_from_output, what_it_said

LOGGED_OUTPUT_BYTES = 2000

KNOWN_ERRORS = [
    (
        "invalid request",
        "opentracker answers 400 Invalid Request when info_hash or peer_id is not exactly 20 "
        "bytes once URL-decoded: send the raw bytes of the SHA-1 (%XX each), not its hex digits",
    ),
    (
        "not authorized",
        "the tracker does not know that info hash: send the 20 raw bytes of the SHA-1, each "
        "URL-encoded as %XX (a space byte as %20, never +), not its 40 hex digits",
    ),
]


@dataclass(frozen=True)
class Ran:
    command: str
    stdout: bytes
    stderr: bytes


def where(h: Harness, path: Path) -> str:
    try:
        return str(path.relative_to(h.scratch))
    except ValueError:
        return str(path)


def run_program(
    h: Harness,
    args: Sequence[str],
    *,
    timeout: float | None = None,
    explain: Callable[[], tuple[str, str | None]] | None = None,
    refusals: Callable[[], tuple[str, str | None]] | None = None,
) -> Ran:
    """Run ``./your_program.sh args`` in the stage's folder; fail unless it exits 0 in time.
    ``timeout``: how long this one command may take (default: what is left of the stage);
    ``explain``: what the tester's peers saw, and a hint, added to a failure's message;
    ``refusals``: requests the peers refused, which fail the run whatever it did next (how
    a program goes on after a peer hung up on it depends on races, its exit status too)."""
    command = h.program.display(args)
    limit = max(h.remaining() - 0.5, 0.1) if timeout is None else min(timeout, max(h.remaining() - 0.5, 0.1))
    result = h.run(args, cwd=h.scratch, timeout=limit)
    for data in (result.stdout, result.stderr):
        if data.strip():
            text = data[:LOGGED_OUTPUT_BYTES].decode("utf-8", errors="replace").rstrip()
            h.log_session.program(
                text + (f"\n… ({len(data):,} bytes in all)" if len(data) > LOGGED_OUTPUT_BYTES else "")
            )
    refused, refused_hint = refusals() if refusals is not None else ("", None)
    if refused:
        h.fail(
            f"`{command}` made requests the peers refuse, and they hung up on it:{refused}", hint=refused_hint
        )
    seen, seen_hint = explain() if explain is not None else ("", None)
    if result.timed_out:
        h.fail(
            f"`{command}` did not finish within {result.duration_s:.0f} seconds{seen}",
            hint=seen_hint
            or (
                "a command must exit once its work is done: look for a read from a socket that "
                "waits for a message the peer will never send, or a loop that never ends"
            ),
        )
    if result.returncode != 0:
        said = what_it_said(result.stdout, result.stderr, h.program.cwd)
        status = exit_status(result.returncode)
        h.fail(
            f"`{command}` {status}:\n{said}{seen}",
            hint=seen_hint
            or next((hint for needle, hint in KNOWN_ERRORS if needle in said.lower()), None)
            or hint_from_output(said)
            or "run the same command yourself (the files are described above) to see why it fails",
        )
    return Ran(command, result.stdout, result.stderr)


def output_text(h: Harness, ran: Ran) -> str:
    try:
        return ran.stdout.decode("utf-8")
    except UnicodeDecodeError:
        h.fail(f"`{ran.command}` wrote bytes that are not UTF-8 text: {show(ran.stdout, 120)}")
