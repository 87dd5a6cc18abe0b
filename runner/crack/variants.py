"""Per-language variants in what a learner reads: stage pages, hints, debriefs.

A challenge is taken in up to seven languages, so its text must not hand a Go learner
Python. Most text is written language-neutrally; where code really helps, it comes in one
variant per language and the learner sees only their own:

- in a stage page, a fenced code block tagged with a language (```` ```go ````), or a
  pandoc-style fenced div for prose (``::: go`` … ``:::``). Consecutive variants (blank
  lines between them) form a group, and a group must cover every language of the challenge;
- in ``challenge.yaml``, a hint, interview question or concept may be a mapping
  ``{python: "...", go: "...", ...}`` instead of a string.

The page filter is plain text in, plain text out, applied before the markdown is rendered,
so it stays independent of how the renderer wraps or styles the page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

LANGUAGES: tuple[str, ...] = ("python", "javascript", "c", "cpp", "rust", "java", "go")
"""Every language a challenge can be taken in, as ``--lang`` and ``languages:`` spell them."""

DISPLAY_NAMES: dict[str, str] = {
    "python": "Python",
    "javascript": "JavaScript",
    "c": "C",
    "cpp": "C++",
    "rust": "Rust",
    "java": "Java",
    "go": "Go",
}

_ALIASES: dict[str, str] = {
    "py": "python",
    "python3": "python",
    "js": "javascript",
    "node": "javascript",
    "c++": "cpp",
    "rs": "rust",
    "golang": "go",
}

_CODE_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*([^\s`{]*)")
_DIV_OPEN = re.compile(r"^:{3,}\s*\{?\s*\.?([A-Za-z0-9+]+)\s*\}?\s*$")
_DIV_CLOSE = re.compile(r"^:{3,}\s*$")


def display_name(language: str) -> str:
    """``go`` → ``Go``: the short name for a sentence (the descriptor's name adds versions)."""
    return DISPLAY_NAMES.get(language, language)


def language_of_tag(tag: str) -> str | None:
    """The language a fence's tag names (``go``, ``golang``, ``c++``), or None for any other tag."""
    name = tag.strip().lower()
    name = _ALIASES.get(name, name)
    return name if name in LANGUAGES else None


@dataclass(frozen=True)
class VariantBlock:
    """One language's variant in a page: its language, first line (0-based) and kind."""

    language: str
    line: int
    kind: str  # "code" or "prose"


def _blocks(lines: list[str]) -> list[tuple[VariantBlock, int]]:
    """Every language variant of a page with the index of its closing line."""
    found: list[tuple[VariantBlock, int]] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        fence = _CODE_FENCE.match(line)
        if fence:
            marker = fence.group(1)
            end = index + 1
            while end < len(lines) and not lines[end].lstrip().startswith(marker):
                end += 1
            language = language_of_tag(fence.group(2))
            if language is not None:
                found.append((VariantBlock(language, index, "code"), end))
            index = end + 1
            continue
        div = _DIV_OPEN.match(line)
        if div and (language := language_of_tag(div.group(1))) is not None:
            end = index + 1
            while end < len(lines) and not _DIV_CLOSE.match(lines[end]):
                end += 1
            found.append((VariantBlock(language, index, "prose"), end))
            index = end + 1
            continue
        index += 1
    return found


def for_language(markdown: str, language: str) -> str:
    """The page as a learner of ``language`` reads it: other languages' variants removed,
    the fences of their own prose variants unwrapped (code variants keep their fence, so
    they render as code)."""
    lines = markdown.split("\n")
    keep = [True] * len(lines)
    for block, end in _blocks(lines):
        if block.language != language:
            for i in range(block.line, min(end, len(lines) - 1) + 1):
                keep[i] = False
        elif block.kind == "prose":
            keep[block.line] = False
            if end < len(lines):
                keep[end] = False
    out = [line for line, kept in zip(lines, keep, strict=True) if kept]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out))


def variant_groups(markdown: str) -> list[list[VariantBlock]]:
    """The page's variants in groups: consecutive variants with only blank lines between
    them, a language met a second time starting the next group. Each group is one piece of
    text in several languages, so it must cover all."""
    lines = markdown.split("\n")
    groups: list[list[VariantBlock]] = []
    previous_end = -2
    for block, end in _blocks(lines):
        between = lines[previous_end + 1 : block.line]
        adjacent = all(not line.strip() for line in between)
        if groups and adjacent and block.language not in {b.language for b in groups[-1]}:
            groups[-1].append(block)
        else:
            groups.append([block])
        previous_end = end
    return groups


Variant = str | Mapping[str, str]
"""A hint, question or concept in ``challenge.yaml``: one text, or one per language."""


def pick(value: Variant, language: str) -> str:
    """The text of ``value`` a learner of ``language`` reads. A mapping without the language
    falls back to Python's (the loader has checked it covers the challenge's languages)."""
    if isinstance(value, str):
        return value
    if language in value:
        return value[language]
    return value.get("python") or next(iter(value.values()))


def missing_languages(value: Variant, languages: list[str]) -> list[str]:
    """Languages of the challenge a per-language mapping gives no text for."""
    if isinstance(value, str):
        return []
    return [lang for lang in languages if lang not in value]
