"""The languages a learner can write in: one ``language.yaml`` per ``learner_template/<lang>/``.

A descriptor says how a repository in that language is built and run (the commands
``crack start`` writes into ``crack.yml``), which executables the toolchain needs, which
Debian packages provide them (the Dockerfile beside it installs the same ones), and what
``crack test --watch`` may ignore because a build writes it. Descriptors are data, loaded by
:class:`Language` only: a field that is missing, misspelt or of the wrong type is a
:class:`~crack.errors.ConfigError` naming the file and the field.
"""

from __future__ import annotations

import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from crack.challenge.loader import read_yaml, validation_to_config_error
from crack.challenge.model import SLUG_PATTERN
from crack.errors import ConfigError, CrackUsageError
from crack.paths import learner_templates_dir

if TYPE_CHECKING:
    from rich.console import Console

DESCRIPTOR_NAME = "language.yaml"
VERSION_TIMEOUT_S = 15.0
"""A version command that takes longer than this (a JVM on a loaded machine...) is reported
as found, version unknown, rather than holding up ``crack languages``."""


class Language(BaseModel):
    """One ``learner_template/<slug>/language.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    slug: str = Field(pattern=SLUG_PATTERN)
    """The folder's name, as ``--lang`` and ``languages:`` in a challenge spell it."""
    name: str = Field(min_length=1)
    """Display name with the version the templates target, e.g. ``Rust (standard library)``."""
    build: str | None = Field(default=None, min_length=1)
    """Written to ``crack.yml`` as ``build:``: run once, in the repository, before grading."""
    run: str = Field(min_length=1)
    """Written to ``crack.yml`` as ``run:``; the tester appends its arguments."""
    requires: list[str] = Field(min_length=1)
    """Executables that must be on PATH to build and run a program."""
    version_command: list[str] = Field(min_length=1)
    """Prints the toolchain's version (first non-empty line is shown)."""
    extensions: list[str] = Field(min_length=1)
    """Source file extensions, with the dot (``.rs``)."""
    packages: list[str] = Field(min_length=1)
    """Debian packages that provide ``requires`` (the Dockerfile installs the same)."""
    install: str = Field(min_length=1)
    """What to run when the toolchain is missing."""
    build_outputs: list[str] = Field(default_factory=list)
    """Folders a build writes, ignored by ``crack test --watch``."""

    @property
    def template(self) -> Path:
        return learner_templates_dir() / self.slug


def load_language(slug: str) -> Language:
    """The descriptor of ``slug``; an unknown language lists the known ones."""
    path = learner_templates_dir() / slug / DESCRIPTOR_NAME
    if not path.is_file():
        known = ", ".join(language_slugs()) or "none"
        raise CrackUsageError(f"unknown language '{slug}' (crack knows: {known})")
    return load_descriptor(path)


def load_descriptor(path: Path) -> Language:
    """Load one descriptor file; the folder's name is the language's slug."""
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(path, "expected a mapping (name, build, run, requires, ...)")
    if "slug" in data:
        raise ConfigError(path, "the slug is the folder's name; remove this field", "slug")
    try:
        return Language.model_validate({"slug": path.parent.name, **data})
    except ValidationError as exc:
        raise validation_to_config_error(path, exc, data) from None


def language_slugs() -> list[str]:
    root = learner_templates_dir()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / DESCRIPTOR_NAME).is_file())


def list_languages() -> list[Language]:
    return [load_language(slug) for slug in language_slugs()]


@dataclass(frozen=True)
class Toolchain:
    """What this machine has of a language's toolchain."""

    language: Language
    missing: list[str]
    """Required executables not found on PATH."""
    version: str | None
    """The version command's first line; None when missing or when it would not say."""

    @property
    def found(self) -> bool:
        return not self.missing


def probe(language: Language) -> Toolchain:
    missing = [exe for exe in language.requires if shutil.which(exe) is None]
    if missing:
        return Toolchain(language, missing, None)
    try:
        done = subprocess.run(
            language.version_command,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=VERSION_TIMEOUT_S,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return Toolchain(language, [], None)
    # `java -version` writes to stderr, everything else to stdout.
    lines = [line.strip() for line in (done.stdout + "\n" + done.stderr).splitlines() if line.strip()]
    return Toolchain(language, [], lines[0] if lines else None)


def probe_all(languages: list[Language]) -> list[Toolchain]:
    """Probe every language at once: the version commands are slow (a JVM) but idle."""
    with ThreadPoolExecutor(max_workers=max(1, len(languages))) as pool:
        return list(pool.map(probe, languages))


def show_languages(console: Console) -> None:
    """``crack languages``: each language, its toolchain here, and the challenges it starts."""
    from rich.table import Table
    from rich.text import Text

    from crack.challenge import list_challenges

    languages = list_languages()
    challenges = list_challenges()
    table = Table(title="Languages", title_justify="left")
    for column in ("Lang", "Name", "Toolchain on this machine", "Install", "Challenges"):
        table.add_column(column)
    for toolchain in probe_all(languages):
        language = toolchain.language
        if toolchain.found:
            status = Text(f"✓ {toolchain.version or 'found (version unknown)'}", style="green")
        else:
            status = Text(f"✗ missing: {', '.join(toolchain.missing)}", style="red")
        supported = [c.slug for c in challenges if language.slug in c.languages]
        table.add_row(
            language.slug,
            language.name,
            status,
            language.install,
            ", ".join(supported) or "none yet",
        )
    console.print(table)
    console.print("Start one with: crack start <challenge> <dir> --lang <lang>")
