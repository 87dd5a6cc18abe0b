"""The files a learner starts from: a language template plus the challenge's starter code."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from crack.challenge.model import Challenge
from crack.errors import CrackUsageError
from crack.paths import learner_templates_dir

IGNORED = shutil.ignore_patterns(
    "__pycache__",
    "*.pyc",
    ".git",
    ".crack",
    "crack.yml",
    ".venv",
    ".ruff_cache",
    ".mypy_cache",
    ".pytest_cache",
)
TEMPLATE_ONLY = ("language.yaml", "Dockerfile")
"""Files of a language template that describe it to crack (and to the docker isolation
mode), not part of the learner's repository."""


def available_languages(challenge: Challenge) -> list[str]:
    """What ``crack start --lang`` accepts for ``challenge``: its languages, then its starter
    variants."""
    languages = [lang for lang in challenge.languages if (learner_templates_dir() / lang).is_dir()]
    return languages + [v for v in challenge.starter_variants if challenge.language_of(v) in languages]


def copy_starter(challenge: Challenge, language: str, dest: Path) -> None:
    """Copy ``learner_template/<lang>``, then overlay ``challenges/<slug>/starter/<lang>``.

    ``language`` may name a starter variant (TypeScript for a JavaScript challenge): the
    template is its language's, without the template's source files, since the variant's
    starter brings sources of its own kind (a main.ts, not the template's main.js).
    """
    base = challenge.language_of(language)
    template = learner_templates_dir() / base
    if base not in challenge.languages or not template.is_dir():
        langs = ", ".join(available_languages(challenge)) or "none"
        raise CrackUsageError(
            f"{challenge.slug} has no '{language}' starter: it can be started in {langs} "
            f"(`crack languages` lists every language and its toolchain)"
        )
    shutil.copytree(template, dest, ignore=IGNORED, dirs_exist_ok=True)
    for name in TEMPLATE_ONLY:
        (dest / name).unlink(missing_ok=True)
    if base != language:
        _remove_sources(template, dest, base)
    overlay = challenge.directory / "starter" / language
    if overlay.is_dir():
        shutil.copytree(overlay, dest, ignore=IGNORED, dirs_exist_ok=True)


def _remove_sources(template: Path, dest: Path, language: str) -> None:
    from crack.languages import load_language

    extensions = tuple(load_language(language).extensions)
    for source in template.rglob("*"):
        if source.is_file() and source.name.endswith(extensions):
            (dest / source.relative_to(template)).unlink(missing_ok=True)


def git_init(dest: Path, message: str) -> str | None:
    """``git init`` and a first commit. Returns a warning instead of failing without git."""
    if shutil.which("git") is None:
        return "git was not found, so the repository was not initialised (install git)"
    identity = []
    probe = subprocess.run(["git", "config", "user.email"], cwd=dest, capture_output=True, text=True)
    if not probe.stdout.strip():
        identity = ["-c", "user.name=crack learner", "-c", "user.email=learner@localhost"]
    steps = [
        ["git", "init", "-q", "-b", "main"],
        ["git", "add", "-A"],
        ["git", *identity, "commit", "-q", "-m", message],
    ]
    for step in steps:
        result = subprocess.run(step, cwd=dest, capture_output=True, text=True)
        if result.returncode != 0:
            return f"`{' '.join(step)}` failed: {result.stderr.strip()}"
    return None
