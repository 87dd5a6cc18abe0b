"""Reference solutions, kept as one diff per stage.

``reference_solutions/<challenge>/<lang>/stages/<slug>.diff`` turns the code that passes the
stage before into code that passes this one; the first diff applies to the learner's
starter. So a learner sees exactly what each stage added, the repository holds no copy of
the same server thirteen times, and the snapshot of stage N-1 — which must fail stage N —
is a ready-made proof that stage N tests something new.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from crack.challenge.model import Challenge
from crack.errors import ConfigError, CrackUsageError, InternalError
from crack.languages import load_language
from crack.scaffold import IGNORED, copy_starter


def solution_dir(challenge: Challenge, language: str) -> Path:
    """``reference_solutions/`` sits beside the ``challenges/`` folder the challenge is in."""
    return challenge.directory.parent.parent / "reference_solutions" / challenge.slug / language


def reference_language(challenge: Challenge, language: str) -> str:
    """The language of the reference a learner of ``language`` is shown: their own when the
    challenge has one, else the challenge's ``reference_language`` (Python unless its YAML
    says otherwise), which has every stage (any reference teaches the design)."""
    if (solution_dir(challenge, language) / "stages").is_dir():
        return language
    return challenge.reference_language


def fallback_note(language: str, shown: str) -> str:
    """One line saying the reference shown is not in the learner's language."""
    from crack.variants import display_name

    return f"No {display_name(language)} reference yet; showing the {display_name(shown)} one."


def diff_path(challenge: Challenge, language: str, slug: str) -> Path:
    return solution_dir(challenge, language) / "stages" / f"{slug}.diff"


def stage_diff(challenge: Challenge, language: str, slug: str) -> str:
    path = diff_path(challenge, language, slug)
    if not path.is_file():
        raise CrackUsageError(f"no reference solution for stage '{slug}' in {language}")
    return path.read_text(encoding="utf-8")


def materialize(challenge: Challenge, language: str, upto: str | None, dest: Path) -> Path:
    """Write the reference program as it stands after stage ``upto`` (None: the starter)."""
    dest.mkdir(parents=True, exist_ok=True)
    copy_starter(challenge, language, dest)
    if upto is None:
        return dest
    for stage in challenge.stages[: challenge.index_of(upto) + 1]:
        path = diff_path(challenge, language, stage.slug)
        if not path.is_file():
            raise ConfigError(path, "missing: every stage needs a reference diff")
        if not path.read_text(encoding="utf-8").strip():
            continue  # a stage whose reference needs no new code
        _git(["apply", "--whitespace=nowarn", str(path.resolve())], dest, f"applying {path}")
    return dest


def _git(args: list[str], cwd: Path, what: str, ok: tuple[int, ...] = (0,)) -> str:
    if shutil.which("git") is None:
        raise CrackUsageError("git is needed for reference solutions: install git")
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if result.returncode not in ok:
        raise InternalError(f"{what} failed: {result.stderr.strip() or result.stdout.strip()}")
    return result.stdout


def _snapshot_for(folder: Path, index: int, slug: str) -> Path:
    for name in (f"{index:02d}-{slug}", slug):
        if (folder / name).is_dir():
            return folder / name
    raise CrackUsageError(f"{folder} has no snapshot folder '{index:02d}-{slug}' or '{slug}'")


def _source_only(root: Path, language: str) -> Callable[[str, list[str]], set[str]]:
    """What to leave out of a snapshot: what a learner's repository ignores, and what the
    language's build writes at the top (a Go snapshot that was built and run has a ``build/``
    folder holding a binary, which is no part of the solution)."""
    outputs = set(load_language(language).build_outputs)

    def ignore(directory: str, names: list[str]) -> set[str]:
        skipped = set(IGNORED(directory, names))
        if Path(directory) == root:
            skipped |= outputs & set(names)
        return skipped

    return ignore


def unpack(challenge: Challenge, language: str, dest: Path) -> list[Path]:
    """One folder per stage, ``NN-slug``, each a complete program (for editing)."""
    out = [materialize(challenge, language, None, dest / "00-starter")]
    for i, stage in enumerate(challenge.stages, start=1):
        out.append(materialize(challenge, language, stage.slug, dest / f"{i:02d}-{stage.slug}"))
    return out


def pack(challenge: Challenge, language: str, source: Path) -> list[Path]:
    """Turn snapshot folders (as :func:`unpack` writes them) back into per-stage diffs."""
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        previous = work / "starter"
        copy_starter(challenge, language, previous)
        for i, stage in enumerate(challenge.stages, start=1):
            a, b = work / "a", work / "b"
            for side in (a, b):
                shutil.rmtree(side, ignore_errors=True)
            shutil.copytree(previous, a, ignore=IGNORED)
            snapshot = _snapshot_for(source, i, stage.slug)
            shutil.copytree(snapshot, b, ignore=_source_only(snapshot, language))
            diff = _git(["diff", "--no-index", "--no-prefix", "a", "b"], work, "git diff", ok=(0, 1))
            target = diff_path(challenge, language, stage.slug)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(diff, encoding="utf-8")
            written.append(target)
            shutil.rmtree(previous)
            shutil.copytree(b, previous)
    return written
