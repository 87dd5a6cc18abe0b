"""What to compile: the learner's ``your_program.sh sources`` names the compiler and the
files, and the tester builds its driver with them in several flavours.

The learner's program is asked rather than searched because the oracles are not a
learner's repository: the Boost adapter is C++ built with g++, the liburcu one C linked
with ``-lurcu-cds``; each answers ``sources`` for itself and is built exactly as a
learner's queue is. The manifest is one fact per line::

    compiler gcc            gcc or g++ (a C++ queue compiles the driver as C++ too)
    source /abs/path.c      a file compiled with the driver (one line each)
    include /abs/dir        an extra header folder
    library -lurcu-cds      an extra library to link
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crack.harness import Harness
from crack.harness.compiled import OPTIMIZE, SANITIZE_ADDRESS, SANITIZE_THREAD, Build

TESTER_DIR = Path(__file__).resolve().parent
COMPILERS = ("gcc", "g++")

MANIFEST_HINT = (
    "keep the starter's your_program.sh: `./your_program.sh sources` prints `compiler gcc` "
    "and one `source /absolute/path.c` line per file of your queue"
)


@dataclass(frozen=True)
class Manifest:
    compiler: str
    sources: tuple[Path, ...]
    includes: tuple[Path, ...]
    libraries: tuple[str, ...]


def parse_manifest(text: str) -> tuple[Manifest | None, str | None]:
    """The manifest, or None and what is wrong with it (in the learner's terms)."""
    compiler: str | None = None
    sources: list[Path] = []
    includes: list[Path] = []
    libraries: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        word, _, rest = line.partition(" ")
        rest = rest.strip()
        if word == "compiler":
            if rest not in COMPILERS:
                return None, f"line {number}: compiler {rest!r}; expected gcc or g++"
            compiler = rest
        elif word == "source":
            sources.append(Path(rest))
        elif word == "include":
            includes.append(Path(rest))
        elif word == "library":
            libraries.extend(rest.split())
        else:
            return None, f"line {number}: {line!r} is none of compiler, source, include, library"
    if compiler is None:
        return None, "no `compiler gcc` (or g++) line"
    if not sources:
        return None, "no `source PATH` line"
    relative = [str(path) for path in sources if not path.is_absolute()]
    if relative:
        return None, f"source paths must be absolute: {', '.join(relative)}"
    return Manifest(compiler, tuple(sources), tuple(includes), tuple(libraries)), None


def manifest(h: Harness) -> Manifest:
    result = h.run(["sources"], quiet=True)
    text = result.stdout.decode(errors="replace")
    if result.returncode != 0:
        h.fail(f"./your_program.sh sources exited with code {result.returncode}", hint=MANIFEST_HINT)
    found, problem = parse_manifest(text)
    if found is None:
        shown = text.strip()[:600] or "(nothing)"
        h.fail(
            f"./your_program.sh sources printed:\n{shown}\nwhich the tester cannot use: {problem}",
            hint=MANIFEST_HINT,
        )
    return found


FLAVOURS = {
    "O2": OPTIMIZE,
    "tsan": SANITIZE_THREAD,
    "asan": SANITIZE_ADDRESS,
    # With a seeded pause point before every atomic operation of the queue (perturb.h).
    "perturbed": (*OPTIMIZE, "-include", str(TESTER_DIR / "perturb.h")),
    "tsan-perturbed": (*SANITIZE_THREAD, "-include", str(TESTER_DIR / "perturb.h")),
}


def driver(h: Harness, flavour: str = "O2") -> Path:
    """The driver built with the learner's queue, optimised or under a sanitizer."""
    found = manifest(h)
    return h.compiled(
        Build(
            name=f"queue-driver-{flavour}",
            sources=(TESTER_DIR / "driver.c",),
            learner_sources=found.sources,
            include_dirs=(TESTER_DIR, *found.includes),
            flags=FLAVOURS[flavour],
            libraries=("-pthread", *found.libraries),
            compiler=found.compiler,
        )
    )


def shared_library(h: Harness) -> Path:
    """The learner's queue alone, as a shared library: its dynamic symbol table lists every
    function it calls from elsewhere (the lock-free stage reads it)."""
    found = manifest(h)
    return h.compiled(
        Build(
            name="libqueue-alone.so",
            sources=(),
            learner_sources=found.sources,
            include_dirs=(TESTER_DIR, *found.includes),
            flags=("-O2", "-g", "-fPIC", "-shared"),
            libraries=("-pthread", *found.libraries),
            compiler=found.compiler,
        )
    )
