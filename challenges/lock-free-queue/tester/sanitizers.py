"""ThreadSanitizer and AddressSanitizer reports, boiled down to what a learner acts on.

A report is dozens of lines of addresses and thread numbers that change from run to run.
What stays is which functions, at which lines, made the two conflicting accesses (a data
race) or the bad one (a use after free, a leak), so that is what the failure says; the
first lines of the raw report follow for whoever wants them.
"""

from __future__ import annotations

import re
from pathlib import PurePath

TSAN_OPTIONS = "halt_on_error=1 exitcode=66 second_deadlock_stack=1 history_size=4"
ASAN_OPTIONS = "halt_on_error=1 exitcode=67 detect_leaks=1 abort_on_error=0"
LSAN_OPTIONS = "exitcode=68"

TSAN_FRAME = re.compile(r"^\s*#\d+\s+(\S+)\s+(\S+):(\d+)")
ASAN_FRAME = re.compile(r"^\s*#\d+\s+0x[0-9a-f]+\s+in\s+(\S+)\s+(\S+):(\d+)")
ACCESS = re.compile(
    r"^\s*(Previous )?(atomic )?(read|write|Read|Write|Atomic read|Atomic write)\b[^:]*", re.I
)
NOT_OURS = ("malloc", "calloc", "free", "realloc", "operator new", "operator delete", "__interceptor")


def _frame(match: re.Match[str]) -> str:
    return f"{match.group(1)} ({PurePath(match.group(2)).name}:{match.group(3)})"


def tsan_race(stderr: str) -> str | None:
    """``a write in queue_enqueue (main.c:40) and a read in queue_dequeue (main.c:51)``
    for the first data race reported, or None when there is none. The two accesses are
    named in a fixed order: which one TSan calls "previous" depends on timing."""
    if "WARNING: ThreadSanitizer" not in stderr:
        return None
    lines = stderr.splitlines()
    start = next(i for i, line in enumerate(lines) if "WARNING: ThreadSanitizer" in line)
    kind = lines[start].split("ThreadSanitizer:", 1)[1].split("(")[0].strip()
    accesses: list[str] = []
    current: str | None = None
    for line in lines[start + 1 :]:
        if line.startswith("SUMMARY") or line.startswith("=========="):
            break
        access = ACCESS.match(line)
        if access and " of size " in line:
            words = line.strip().split(" of size")[0].lower().replace("previous ", "")
            current = words
            continue
        frame = TSAN_FRAME.match(line)
        if frame and current is not None:
            if frame.group(1).startswith(NOT_OURS) or "sanitizer" in frame.group(2):
                # free() writes the whole block: name the call, and who made it.
                current = f"{frame.group(1).replace('__interceptor_', '')}()"
                continue
            article = "" if current.endswith("()") else ("an " if current[0] in "aeiou" else "a ")
            accesses.append(f"{article}{current} in {_frame(frame)}")
            current = None
    if len(accesses) < 2:
        summary = next((line for line in lines if line.startswith("SUMMARY")), lines[start])
        text = summary.replace("SUMMARY: ThreadSanitizer: ", "").strip()
        return re.sub(r"\S*/([^/\s]+:\d+)", r"\1", text)  # file names without their folders
    if kind == "data race":
        first, second = sorted(accesses[:2])
        return f"a data race: {first} and {second}, in two threads, with nothing ordering them"
    return f"a {kind}: {accesses[0]}, after {accesses[1]}"


def asan_error(stderr: str) -> str | None:
    """``heap-use-after-free: a read in queue_dequeue (main.c:60)``, a leak with the function
    that allocated it, or None when ASan reported nothing."""
    lines = stderr.splitlines()
    if any("ERROR: LeakSanitizer" in line for line in lines):
        total = next((line for line in lines if line.startswith("SUMMARY")), "")
        amount = re.search(r"(\d+) byte\(s\) leaked in (\d+) allocation", total)
        place = _first_frame_outside(lines, "leak of")
        what = f"{amount.group(1)} bytes in {amount.group(2)} blocks" if amount else "memory"
        return f"memory leaked: {what} still allocated at exit" + (f", allocated in {place}" if place else "")
    error = next((i for i, line in enumerate(lines) if "ERROR: AddressSanitizer" in line), None)
    if error is None:
        return None
    kind = lines[error].split("AddressSanitizer:", 1)[1].split(" on ")[0].strip()
    access = next(
        (line.strip().split(" of size")[0].lower() for line in lines[error:] if " of size " in line), ""
    )
    place = _first_frame_outside(lines[error:], "")
    detail = f"{'an' if access[:1] in 'aeiou' else 'a'} {access} in {place}" if access and place else place
    freed = _frame_after(lines[error:], "freed by thread")
    text = f"{kind}: {detail}" if detail else kind
    return text + (f", of memory freed in {freed}" if freed else "")


def _first_frame_outside(lines: list[str], after: str) -> str | None:
    seen = not after
    for line in lines:
        if after and after in line.lower():
            seen = True
            continue
        if not seen:
            continue
        frame = ASAN_FRAME.match(line)
        if frame and not frame.group(1).startswith(NOT_OURS) and "sanitizer" not in frame.group(2):
            return _frame(frame)
    return None


def _frame_after(lines: list[str], marker: str) -> str | None:
    for index, line in enumerate(lines):
        if marker in line:
            return _first_frame_outside(lines[index + 1 :], "")
    return None


def excerpt(stderr: str, limit: int = 12) -> str:
    """The start of the raw report, addresses and pids left in: for the curious."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    start = next((i for i, line in enumerate(lines) if "Sanitizer" in line), 0)
    return "\n".join(lines[start : start + limit])
