"""Drivers a tester compiles itself: C or C++ programs built from the challenge's own files,
optionally together with the learner's sources, and run against the learner's code.

Some systems are not programs with a command line but libraries: an allocator loaded with
``LD_PRELOAD``, a queue behind a fixed header. Their tester ships small driver programs
(``challenges/<slug>/tester/*.c``) and compiles them here. Why a module of its own:

- compiling is slow next to a stage, so each build is cached under a hash of everything that
  decides its bytes (compiler identity, flags, every source and header), and a second stage
  or a second run reuses it;
- a build that fails because of the *learner's* file (a syntax error, a function their header
  promises but their code never defines) is the learner's failure and must read like one:
  the compiler's first lines and a sentence naming the missing symbol, never our traceback;
- a build that fails in the tester's own driver is a bug of crack and raises
  :class:`DriverBuildError`, which the runner reports as an internal error.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from crack.harness.failure import StageFailure
from crack.paths import cache_dir

OPTIMIZE = ("-O2", "-g")
"""What every driver is built with unless the caller says otherwise: optimised as a learner's
release build would be (timing stages compare like with like), with symbols for sanitizer
reports."""

SANITIZE_THREAD = ("-fsanitize=thread", "-O1", "-g")
SANITIZE_ADDRESS = ("-fsanitize=address", "-fno-omit-frame-pointer", "-O1", "-g")

COMPILE_TIMEOUT_S = 120.0
SHOWN_DIAGNOSTIC_LINES = 15
"""How much of the compiler's output a learner reads: the first error is what matters."""

HEADER_SUFFIXES = (".h", ".hpp", ".hh")

SHARED_INCLUDE = Path(__file__).resolve().parent / "include"
"""Headers every driver may include (``crack_driver.h``: helpers the testers' drivers
share, such as reading the process's resident memory). On every build's include path,
after the build's own folders, and hashed into every build's key."""


class DriverBuildError(RuntimeError):
    """The tester's own driver did not build: a bug of crack, not of the learner."""


@dataclass(frozen=True)
class Build:
    """One program to compile.

    ``sources`` are the tester's files; ``learner_sources`` the learner's, compiled into the
    same program (a failure that points at them is the learner's). ``include_dirs`` are
    searched for headers and hashed whole, so editing a header rebuilds.
    """

    name: str
    sources: tuple[Path, ...]
    learner_sources: tuple[Path, ...] = ()
    include_dirs: tuple[Path, ...] = ()
    flags: tuple[str, ...] = OPTIMIZE
    libraries: tuple[str, ...] = ("-pthread", "-ldl")
    compiler: str = "gcc"
    extra_inputs: tuple[Path, ...] = field(default=())
    """Further files whose bytes decide the build (a prebuilt library it links)."""

    def command(self, output: Path) -> list[str]:
        includes = [f"-I{directory}" for directory in (*self.include_dirs, SHARED_INCLUDE)]
        files = [str(path) for path in (*self.sources, *self.learner_sources)]
        return [self.compiler, *self.flags, *includes, "-o", str(output), *files, *self.libraries]

    def key(self) -> str:
        digest = hashlib.sha256()
        digest.update(compiler_identity(self.compiler).encode())
        digest.update("\0".join((self.name, *self.flags, *self.libraries)).encode())
        inputs = [*self.sources, *self.learner_sources, *self.extra_inputs]
        for directory in (*self.include_dirs, SHARED_INCLUDE):
            if directory.is_dir():
                inputs += sorted(p for p in directory.rglob("*") if p.suffix in HEADER_SUFFIXES)
        for path in inputs:
            digest.update(b"\0" + path.name.encode() + b"\0")
            try:
                digest.update(path.read_bytes())
            except OSError:
                digest.update(b"<missing>")
        return digest.hexdigest()[:32]


@cache
def compiler_identity(compiler: str) -> str:
    """The compiler's version line: a compiler upgrade invalidates the cache."""
    try:
        done = subprocess.run([compiler, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return f"{compiler}: unavailable"
    return done.stdout.splitlines()[0] if done.stdout else compiler


def cache_root() -> Path:
    """``compiled`` in crack's cache (:func:`crack.paths.cache_dir`)."""
    return cache_dir("compiled")


def compile_build(build: Build, *, cache: Path | None = None) -> Path:
    """The compiled program for ``build``, from the cache when its inputs are unchanged.

    Raises :class:`StageFailure` when the learner's code is at fault and
    :class:`DriverBuildError` when the tester's own is.
    """
    if shutil.which(build.compiler) is None:
        raise StageFailure(
            f"the tester compiles its driver programs with {build.compiler}, which is not installed",
            hint=f"install it: apt-get install {'g++' if build.compiler == 'g++' else 'gcc'}",
        )
    for path in build.learner_sources:
        if not path.is_file():
            raise StageFailure(
                f"the tester compiles your {path.name} with its driver, but {path} does not exist",
                hint="keep the file names of the starter: the tester looks for them by name",
            )
    folder = (cache or cache_root()) / build.key()
    output = folder / build.name
    if output.is_file():
        return output
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        partial = Path(tmp) / build.name
        try:
            done = subprocess.run(
                build.command(partial), capture_output=True, text=True, timeout=COMPILE_TIMEOUT_S
            )
        except subprocess.TimeoutExpired:
            raise StageFailure(
                f"compiling the driver {build.name} with your code took over {COMPILE_TIMEOUT_S:.0f} s"
            ) from None
        if done.returncode != 0:
            raise _explain(build, done.stderr + done.stdout)
        os.replace(partial, output)  # atomic: a concurrent build sees all or nothing
    return output


UNDEFINED_RE = re.compile(r"undefined reference to [`'‘]([^'’`]+)['’`]")


def missing_symbols(diagnostics: str) -> list[str]:
    """Symbols the linker could not find, in the order it named them, each once."""
    seen: list[str] = []
    for name in UNDEFINED_RE.findall(diagnostics):
        if name not in seen:
            seen.append(name)
    return seen


def _blames_learner(build: Build, diagnostics: str) -> bool:
    learner_names = {path.name for path in build.learner_sources}
    learner_paths = {str(path) for path in build.learner_sources}
    for line in diagnostics.splitlines():
        location = line.split(":", 1)[0]
        if location in learner_paths or Path(location).name in learner_names:
            return True
    return False


def _explain(build: Build, diagnostics: str) -> Exception:
    shown = "\n".join(diagnostics.strip().splitlines()[:SHOWN_DIAGNOSTIC_LINES])
    command = " ".join(build.command(Path(build.name)))
    missing = missing_symbols(diagnostics)
    if missing and build.learner_sources:
        names = ", ".join(missing)
        return StageFailure(
            f"the tester's driver {build.name} calls {names}, but your code does not define "
            f"{'it' if len(missing) == 1 else 'them'}\n$ {command}\n{shown}",
            hint="define every function the header declares, with exactly its name and "
            "signature (a `static` function is invisible to the driver)",
        )
    if _blames_learner(build, diagnostics):
        return StageFailure(
            f"your code does not compile together with the tester's driver {build.name}\n"
            f"$ {command}\n{shown}",
            hint="the tester builds with its own flags (see the command above): fix the first "
            "error first, later ones often follow from it",
        )
    return DriverBuildError(f"driver {build.name} did not build:\n$ {command}\n{shown}")


def place(binary: Path, folder: Path) -> Path:
    """A copy of ``binary`` in ``folder`` (the stage's scratch directory), which the learner's
    program can read and execute even when it runs as another user or in a container."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / binary.name
    shutil.copy2(binary, target)
    target.chmod(0o755)
    return target


def driver_sources(folder: Path, names: Sequence[str]) -> tuple[Path, ...]:
    """``names`` inside ``folder`` (a tester's folder of C files), each checked to exist."""
    paths = tuple(folder / name for name in names)
    absent = [str(path) for path in paths if not path.is_file()]
    if absent:
        raise DriverBuildError(f"driver sources missing: {', '.join(absent)}")
    return paths
