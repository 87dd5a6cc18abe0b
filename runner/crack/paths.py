"""Where crack finds its data: inside the installed wheel, or at the top of a checkout.

The wheel carries ``challenges/``, ``reference_solutions/`` and ``learner_template/`` under
``crack/_data``; an editable install reads them straight from the source tree, so an author
sees an edit at once. ``CRACK_CHALLENGE_PATH`` (``os.pathsep``-separated) adds directories
of extra challenges, searched before the built-in ones.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from crack.errors import InternalError

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def data_root() -> Path:
    """The directory holding ``challenges/``, ``reference_solutions/``, ``learner_template/``."""
    packaged = _PACKAGE_DIR / "_data"
    if (packaged / "challenges").is_dir():
        return packaged
    source = _PACKAGE_DIR.parents[1]
    if (source / "challenges").is_dir():
        return source
    raise InternalError(f"crack's data directory is missing (looked in {packaged} and {source})")


def challenge_dirs() -> list[Path]:
    """Directories that hold one folder per challenge, most specific first."""
    extra = [Path(p) for p in os.environ.get("CRACK_CHALLENGE_PATH", "").split(os.pathsep) if p]
    return [*extra, data_root() / "challenges"]


def learner_templates_dir() -> Path:
    return data_root() / "learner_template"


def cache_dir(kind: str) -> Path:
    """Where crack keeps what it can make again (``compiled`` drivers, validated
    ``challenges``): ``$CRACK_CACHE_DIR/KIND``, else ``$XDG_CACHE_HOME/crack/KIND``, else
    ``~/.cache/crack/KIND``. Path.home() raises RuntimeError where no home can be found."""
    explicit = os.environ.get("CRACK_CACHE_DIR")
    if explicit:
        return Path(explicit) / kind
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "crack" / kind
