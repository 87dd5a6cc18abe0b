"""`crack task` shows the whole stage page: every word of it, at any width, piped or not."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from crack.challenge import load_challenge
from crack.variants import for_language

WIDTHS = ("80", "100", "200")
CHALLENGES = ("grep", "http-server", "redis")


def _words(text: str) -> Counter[str]:
    return Counter(re.findall(r"[A-Za-z0-9]+", text))


def _page_words(markdown: str) -> Counter[str]:
    """The words a reader sees: a link's text, not its address; a code block's text, not
    the language tag of its fence."""
    markdown = re.sub(r"^[ \t]*(```|~~~)[^\n]*$", "", markdown, flags=re.MULTILINE)
    return _words(re.sub(r"\]\([^)]*\)", "]", markdown))


def _missing(page: str, printed: str) -> dict[str, int]:
    shown = _words(printed)
    return {word: count - shown[word] for word, count in _page_words(page).items() if shown[word] < count}


def _unlock_everything(repo: Path, last: str) -> None:
    progress = repo / ".crack" / "progress.json"
    data = json.loads(progress.read_text())
    data["unlocked"] = last
    progress.write_text(json.dumps(data))


@pytest.mark.parametrize("slug", CHALLENGES)
def test_every_word_of_every_page_is_printed_at_every_width(
    crack: Callable[..., Any], tmp_path: Path, slug: str
) -> None:
    challenge = load_challenge(slug)
    assert crack(["start", slug, "repo"], cwd=tmp_path).exit_code == 0
    repo = tmp_path / "repo"
    _unlock_everything(repo, challenge.stages[-1].slug)
    for width in WIDTHS:
        for stage in challenge.stages:
            result = crack(["task", stage.slug], cwd=repo, env={"COLUMNS": width})
            assert result.exit_code == 0, result.output
            missing = _missing(for_language(challenge.instructions(stage), "python"), result.output)
            assert not missing, f"{slug}/{stage.slug} at {width} columns lost {missing}"
            too_long = [line for line in result.output.splitlines() if len(line.rstrip()) > int(width)]
            assert not too_long, f"{slug}/{stage.slug}: lines wider than {width} columns: {too_long[:2]}"


def test_piped_output_keeps_every_word(tmp_path: Path) -> None:
    """A real process whose stdout is a pipe, with no COLUMNS: the page wraps at 100."""
    crack = [sys.executable, "-m", "crack"]
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    subprocess.run([*crack, "start", "grep", "repo"], cwd=tmp_path, env=env, check=True, capture_output=True)
    challenge = load_challenge("grep")
    printed = subprocess.run(
        [*crack, "task"], cwd=tmp_path / "repo", env=env, check=True, capture_output=True, text=True
    ).stdout
    assert not _missing(for_language(challenge.instructions(challenge.stages[0]), "python"), printed)
    assert max(len(line.rstrip()) for line in printed.splitlines()) <= 100
