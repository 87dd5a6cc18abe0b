"""``crack author new``: a new challenge that passes ``crack author check`` from the start.

The scaffold is a two-stage TCP challenge (bind, then greet each line) with everything a
challenge needs — YAML, stage instructions, tester, starter, a reference solution as
per-stage diffs, broken scenario programs, and a test module — so an author edits a
working example rather than filling in blanks.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from crack.authoring.solutions import pack
from crack.challenge.loader import load_challenge_file
from crack.challenge.model import SLUG_PATTERN
from crack.errors import CrackUsageError
from crack.scaffold import copy_starter

TEMPLATE = Path(__file__).with_name("template")


def _render(text: str, slug: str) -> str:
    title = slug.replace("-", " ").title()
    return text.replace("{{slug}}", slug).replace("{{title}}", title)


def _copy_rendered(src: Path, dest: Path, slug: str) -> list[Path]:
    written = []
    for path in sorted(src.rglob("*")):
        if path.is_dir() or "__pycache__" in path.parts:
            continue
        target = dest / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_render(path.read_text(encoding="utf-8"), slug), encoding="utf-8")
        written.append(target)
    return written


def new_challenge(slug: str, root: Path) -> list[Path]:
    """Write challenge ``slug`` under ``root`` (which holds challenges/, tests/...)."""
    import re

    if not re.match(SLUG_PATTERN, slug):
        raise CrackUsageError(f"'{slug}' is not a slug: use lowercase letters, digits and hyphens")
    challenge_dir = root / "challenges" / slug
    if challenge_dir.exists():
        raise CrackUsageError(f"{challenge_dir} already exists")
    test_file = root / "tests" / f"test_{slug.replace('-', '_')}_challenge.py"
    written = _copy_rendered(TEMPLATE / "challenge", challenge_dir, slug)
    test_file.parent.mkdir(parents=True, exist_ok=True)
    test_file.write_text(_render((TEMPLATE / "test_challenge.py").read_text(), slug), encoding="utf-8")
    written.append(test_file)

    challenge = load_challenge_file(challenge_dir / "challenge.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        snapshots = Path(tmp)
        for snapshot in sorted((TEMPLATE / "solution").iterdir()):
            copy_starter(challenge, "python", snapshots / snapshot.name)
            shutil.copytree(snapshot, snapshots / snapshot.name, dirs_exist_ok=True)
        written += pack(challenge, "python", snapshots)
    return written
