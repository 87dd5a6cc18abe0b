"""Running the driver under the learner's allocator and turning what it prints into verdicts.

The learner's ``your_program.sh`` preloads their library and ``exec``s its arguments, so
``h.run([driver, ...])`` runs the driver (compiled by the tester, see ``driver.c``) with their
malloc. The driver prints facts; this module decides and explains.
"""

from __future__ import annotations

import signal
import statistics
import subprocess
from dataclasses import dataclass
from pathlib import Path

from crack.harness import Harness
from crack.harness.compiled import Build
from crack.harness.oneshot import RunResult

from .traces import Trace

TESTER_DIR = Path(__file__).resolve().parent

DRIVER = Build(
    name="malloc-driver",
    sources=(TESTER_DIR / "driver.c",),
    # -fno-builtin: the compiler must not fold a malloc/free pair or a malloc+memset away;
    # every call has to reach the allocator under test.
    flags=("-O2", "-g", "-fno-builtin"),
)

BASIC_SYMBOLS = ["malloc", "free", "calloc", "realloc"]
ALL_SYMBOLS = [*BASIC_SYMBOLS, "posix_memalign", "aligned_alloc", "memalign", "valloc", "malloc_usable_size"]

CRASH_HINT = (
    "a crash inside the allocator usually means a header written past the memory you "
    "obtained, or a size computed without the header; run the program under gdb with "
    "LD_PRELOAD set to see where"
)


def driver(h: Harness) -> Path:
    return h.compiled(DRIVER)


def run_driver(h: Harness, args: list[str], what: str, *, timeout: float | None = None) -> list[str]:
    """Run the driver under the learner's allocator; fail on a crash, a hang or an error exit.
    Returns its stdout lines."""
    result = h.run([str(driver(h)), *args], timeout=timeout)
    lines = result.stdout.decode(errors="replace").splitlines()
    _check_ended_well(h, result, what, lines)
    return lines


def _check_ended_well(h: Harness, result: RunResult, what: str, lines: list[str]) -> None:
    stderr = result.stderr.decode(errors="replace").strip()
    tail = f"\nstderr:\n{stderr[-1500:]}" if stderr else ""
    if result.timed_out:
        h.fail(
            f"{what}: the program did not finish in time (a malloc or free that never returns?){tail}",
            hint="a loop over a list that a bad link made circular never ends; so does a lock "
            "taken twice by the same thread",
        )
    code = result.returncode
    if code is not None and code < 0:
        name = signal.Signals(-code).name
        h.fail(f"{what}: the program was killed by {name}{tail}", hint=CRASH_HINT)
    fails = [line for line in lines if line.startswith(("fail ", "error "))]
    if fails:
        return  # explained by the caller, who knows the operations
    if code != 0:
        h.fail(f"{what}: the program exited with code {code}, expected 0{tail}")


def fields(line: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in line.split() if "=" in part)


def check_symbols(h: Harness, names: list[str]) -> None:
    """Every function of the family must come from one place: a program that gets memory
    from your malloc and frees it with the C library's free crashes (partial interposition)."""
    lines = run_driver(h, ["symbols", *names], "looking up where each function comes from")
    origin = {}
    preload = "-"
    for line in lines:
        if line.startswith("preload "):
            preload = line.split(" ", 1)[1]
        parts = line.split(" ", 2)
        if parts[0] == "sym" and len(parts) == 3:
            origin[parts[1]] = parts[2]
    missing = [name for name in names if name not in origin]
    if missing:
        h.fail(f"the driver did not report where {', '.join(missing)} comes from: got {lines!r}")
    places = sorted(set(origin.values()))
    for name in names:
        h.log(f"{name}: {origin[name]}")
    if len(places) == 1:
        if "libc.so" in places[0]:
            if preload != "-":
                h.fail(
                    f"{', '.join(names)} all come from the C library ({places[0]}), although "
                    f"your library is preloaded (LD_PRELOAD={preload}): it defines none of them",
                    hint="define them with exactly these names and signatures, not static, in a "
                    "file build.sh compiles into the library",
                )
            h.log("every function is the C library's own (nothing preloaded)")
        return
    by_place = {place: [n for n in names if origin[n] == place] for place in places}
    libc = [place for place in places if "libc.so" in place]
    detail = "; ".join(f"{', '.join(by_place[p])} from {p}" for p in places)
    if libc:
        h.fail(
            f"{', '.join(by_place[libc[0]])} still come from the C library: {detail}",
            hint="define the whole family in your library (here: " + ", ".join(names) + "): "
            "memory from one allocator handed to another's free or realloc corrupts both",
        )
    h.fail(f"the allocation functions come from different libraries: {detail}")


@dataclass(frozen=True)
class TraceResult:
    ops: int
    peak_live: int
    footprint_kib: int
    ns: float


def run_trace(h: Harness, trace: Trace, *, fast: bool = False) -> TraceResult:
    path = trace.write(h.scratch)
    h.log(trace.summary() + (" (timing only)" if fast else ""))
    what = f"running {trace.summary()}"
    lines = run_driver(h, ["trace", str(path), *(["fast"] if fast else [])], what)
    for line in lines:
        if line.startswith("fail "):
            _explain_failure(h, trace, line)
        if line.startswith("error "):
            h.fail(f"{what}: the driver could not run: {line[6:]}")
    done = [line for line in lines if line.startswith("ok ")]
    if not done:
        h.fail(f"{what}: the program printed no result line (its output: {lines[-5:]!r})")
    values = fields(done[-1])
    result = TraceResult(
        int(values["ops"]), int(values["peak_live"]), int(values["footprint_kib"]), float(values["ns"])
    )
    if not fast:
        h.log(
            f"ok: {result.ops} operations, peak {kib(result.peak_live)} live, heap footprint "
            f"{result.footprint_kib} KiB"
        )
    return result


def kib(n: int) -> str:
    return f"{n // 1024} KiB"


def _explain_failure(h: Harness, trace: Trace, line: str) -> None:
    kind = line.split()[1]
    values = fields(line)
    index = int(values["op"]) - 1
    op = trace.ops[index]
    where = f"operation {index + 1} of {trace.name}, {op.describe()}"
    if kind == "null":
        h.fail(f"{where}: returned NULL, expected a pointer to {values['size']} usable bytes")
    if kind == "align":
        off = int(values["address"], 16) % int(values["align"])
        h.fail(
            f"{where}: returned an address {off} bytes past a multiple of {values['align']}",
            hint="a block must suit any object that fits in it: 16 bytes for 16 bytes and "
            "more. Keep the header 16 bytes, round every block up to a multiple of 16, and "
            "start the heap at an address that is one",
        )
    if kind == "overlap":
        a, b = line.split("block=")[1:3]
        h.fail(
            f"{where}: two live blocks overlap: block #{a.strip()} and block #{b.strip()}",
            hint="a block handed out twice, or a size that forgets the header, makes blocks overlap",
        )
    if kind == "data":
        when = values["when"]
        context = {
            "free": "just before it was freed",
            "realloc": "after realloc, which must keep the first bytes of the block",
            "check": "while it was live",
            "calloc": "right after calloc, which must return zeroed memory",
        }.get(when, when)
        hint = {
            "realloc": "copy min(old size, new size) bytes into the new block before freeing the old one",
            "calloc": "memory that was freed and handed out again still holds its old bytes: "
            "calloc must clear it",
        }.get(
            when,
            "another block was placed over this one, or a free block's bookkeeping "
            "was written into a block still in use",
        )
        h.fail(
            f"{where}: block #{values['block']} ({values['size']} bytes) byte {values['offset']} "
            f"is {values['got']}, expected {values['expected']} ({context})",
            hint=hint,
        )
    h.fail(f"{where}: {line}")


def timed_run(h: Harness, trace_path: Path, limit_s: float) -> float | None:
    """Nanoseconds the trace took under the learner's allocator (timing only, no checks),
    or None when it did not finish within ``limit_s``."""
    result = h.run([str(driver(h)), "trace", str(trace_path), "fast"], timeout=limit_s, quiet=True)
    if result.timed_out:
        return None
    lines = result.stdout.decode(errors="replace").splitlines()
    _check_ended_well(h, result, f"timing {trace_path.stem}", lines)
    done = [line for line in lines if line.startswith("ok ")]
    if not done:
        h.fail(f"timing {trace_path.stem}: the program printed no result line (its output: {lines[-5:]!r})")
    return float(fields(done[-1])["ns"])


def baseline_ns(h: Harness, trace_path: Path) -> float:
    """The same trace under the C library's malloc, run by the tester itself."""
    binary = driver(h)
    done = subprocess.run(
        [str(binary), "trace", str(trace_path), "fast"],
        capture_output=True,
        text=True,
        timeout=max(h.remaining(), 1.0),
        env={"PATH": "/usr/bin:/bin"},
    )
    for line in done.stdout.splitlines():
        if line.startswith("ok "):
            return float(fields(line)["ns"])
    raise RuntimeError(f"the driver failed under the C library's malloc: {done.stdout} {done.stderr}")


def median(values: list[float]) -> float:
    return statistics.median(values)
