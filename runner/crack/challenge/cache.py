"""The validated challenge model, kept between runs of crack.

Validating challenge.yaml is quick; what costs is getting ready to: pydantic builds a
validator for every model class (tens of milliseconds) and, the first time, scans every
installed package's metadata for plugins. Every ``crack test`` paid that before its first
stage. The models are declared with ``defer_build``, so that work happens only at the first
validation, and a model loaded from here was validated by an earlier run: none happens.

The key is a hash of everything the result depends on: the bytes of challenge.yaml (not its
mtime, which an edit within the same second keeps), its path, the code that validates it,
and the versions of crack, pydantic and Python. A changed file, a stage added while an
author runs a check, a new field in the model: each is a new key, validated again. The
loader still checks the instruction files on every load, cached or not.

A pickle runs code when it is loaded, so one is believed only when it is a regular file
owned by the user running crack that no one else may write, in a folder no one else may
write either; anything else is validated again. Reading or writing the cache never fails a
command: a missing, damaged or unwritable cache only means validating as before.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from crack import __version__

if TYPE_CHECKING:
    from crack.challenge.model import Challenge

_VALIDATING_CODE = ("challenge/model.py", "challenge/loader.py", "challenge/cache.py", "variants.py")
"""crack's modules whose change can change the validated model."""

_PACKAGE_DIR = Path(__file__).resolve().parents[1]


def cache_folder() -> Path:
    """``challenges`` in crack's cache (the compiled drivers' cache lies beside it)."""
    from crack.paths import cache_dir

    return cache_dir("challenges")


def _code_digest() -> bytes | None:
    """What the validating code looks like now; None when its sources cannot be read
    (an install without them): then nothing is cached."""
    from pydantic.version import VERSION

    digest = hashlib.sha256(f"{__version__}\0{VERSION}\0{sys.version}".encode())
    try:
        for name in _VALIDATING_CODE:
            with open(_PACKAGE_DIR / name, "rb") as handle:
                digest.update(handle.read())
    except OSError:
        return None
    return digest.digest()


def entry(path: Path, text: bytes) -> Path | None:
    """Where the model validated from ``text`` (the bytes of ``path``) is kept: named by the
    challenge and its file, then by the content, so storing a new one can drop the old.
    None: nothing can be cached here."""
    code = _code_digest()
    try:
        folder = cache_folder()
    except RuntimeError:  # no home directory to be found
        return None
    if code is None:
        return None
    where = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
    digest = hashlib.sha256(code)
    digest.update(text)
    return folder / f"{path.parent.name}-{where}-{digest.hexdigest()[:32]}.pickle"


def _trusted(info: os.stat_result) -> bool:
    return info.st_uid == os.geteuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def load(where: Path) -> Challenge | None:
    """The model kept at ``where``, or None (absent, damaged, or not to be trusted)."""
    from crack.challenge.model import Challenge

    try:
        folder = os.stat(where.parent)
        with open(where, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not (stat.S_ISREG(info.st_mode) and _trusted(info) and _trusted(folder)):
                return None
            found = pickle.load(handle)
    except Exception:  # absent, unreadable, or written by another version of a class
        return None
    return found if isinstance(found, Challenge) else None


def store(where: Path, challenge: Challenge) -> None:
    """Keep ``challenge`` at ``where``, atomically (a concurrent run reads all or nothing)."""
    try:
        where.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=where.parent, prefix=".tmp-", suffix=".pickle")
        try:
            with os.fdopen(handle, "wb") as out:
                pickle.dump(challenge, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, where)
        except BaseException:
            os.unlink(temporary)
            raise
        _drop_older(where)
    except (OSError, pickle.PicklingError):
        pass


def _drop_older(kept: Path) -> None:
    """Remove what earlier versions of the same challenge.yaml left: an author's every edit
    would otherwise leave a file behind."""
    family = kept.name.rsplit("-", 1)[0] + "-"
    for other in kept.parent.iterdir():
        if other != kept and other.name.startswith(family) and other.suffix == ".pickle":
            try:
                other.unlink()
            except OSError:
                pass
