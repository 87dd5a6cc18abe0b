"""The validated challenge model is kept between runs (a pickle in crack's cache) and is
never used once the challenge.yaml it came from, or the code that validates it, has changed."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from crack.challenge import loader
from crack.challenge.model import Challenge
from crack.errors import ConfigError

TESTER = """
from crack.tester import Tester
tester = Tester("fake")

def stage(h):
    h.log(f"grading {h.stage_slug}")

for slug in ("one", "two"):
    tester.stage(slug)(stage)
"""


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("CRACK_CACHE_DIR", str(folder))
    return folder


def _add_stage(folder: Path, slug: str) -> None:
    """What an author does: a new stage in challenge.yaml, with its instructions."""
    text = (folder / "challenge.yaml").read_text()
    text += (
        f"  - slug: {slug}\n    name: {slug}\n    difficulty: easy\n    timeout: 5\n"
        "    concepts: {pattern: p, data_structure: d, algorithm: a}\n"
        "    hints: [first hint, second hint]\n    interview: [what would an interviewer ask]\n"
    )
    (folder / "challenge.yaml").write_text(text)
    (folder / "stages" / f"{slug}.md").write_text(f"# {slug}\n\nDo it.\n")


def _no_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> Challenge:
        raise AssertionError("validated again: the cached model was not used")

    monkeypatch.setattr(Challenge, "model_validate", refuse)


def test_a_second_load_comes_from_the_cache(
    fake_challenges: Callable[..., Path], cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_challenges("fake", [{"slug": "one"}], TESTER)
    first = loader.load_challenge("fake")
    assert list(cache_dir.glob("challenges/*.pickle")), "nothing was cached"
    _no_validation(monkeypatch)
    second = loader.load_challenge("fake")
    assert second == first
    assert second.directory == first.directory


def test_a_changed_challenge_yaml_is_validated_again(
    fake_challenges: Callable[..., Path], cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stage added mid-run (same second, any size) is seen at the next load."""
    folder = fake_challenges("fake", [{"slug": "one"}], TESTER)
    assert loader.load_challenge("fake").stage_slugs == ["one"]
    stat = (folder / "challenge.yaml").stat()
    _add_stage(folder, "two")
    os.utime(folder / "challenge.yaml", ns=(stat.st_atime_ns, stat.st_mtime_ns))  # mtime alone tells nothing
    assert loader.load_challenge("fake").stage_slugs == ["one", "two"]


def test_an_invalid_edit_is_an_error_even_after_a_cached_load(
    fake_challenges: Callable[..., Path], cache_dir: Path
) -> None:
    folder = fake_challenges("fake", [{"slug": "one"}], TESTER)
    loader.load_challenge("fake")
    yaml_path = folder / "challenge.yaml"
    yaml_path.write_text(
        yaml_path.read_text().replace("difficulty: easy\nstages", "difficulty: extreme\nstages")
    )
    with pytest.raises(ConfigError) as raised:
        loader.load_challenge("fake")
    assert raised.value.field == "difficulty"


def test_a_missing_instructions_file_is_an_error_even_from_the_cache(
    fake_challenges: Callable[..., Path], cache_dir: Path
) -> None:
    folder = fake_challenges("fake", [{"slug": "one"}], TESTER)
    loader.load_challenge("fake")
    (folder / "stages" / "one.md").unlink()
    with pytest.raises(ConfigError, match="instructions file"):
        loader.load_challenge("fake")


def test_a_damaged_cache_file_is_ignored(fake_challenges: Callable[..., Path], cache_dir: Path) -> None:
    fake_challenges("fake", [{"slug": "one"}], TESTER)
    loader.load_challenge("fake")
    [cached] = cache_dir.glob("challenges/*.pickle")
    cached.write_bytes(b"not a pickle")
    assert loader.load_challenge("fake").stage_slugs == ["one"]


def test_a_cache_file_of_another_user_is_not_trusted(
    fake_challenges: Callable[..., Path], cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pickle runs code when loaded: one that is not the user's own (or that others may
    write) is validated again rather than believed."""
    fake_challenges("fake", [{"slug": "one"}], TESTER)
    loader.load_challenge("fake")
    [cached] = cache_dir.glob("challenges/*.pickle")
    cached.chmod(0o666)
    _no_validation(monkeypatch)
    with pytest.raises(AssertionError, match="validated again"):
        loader.load_challenge("fake")


def test_an_unwritable_cache_still_loads(
    fake_challenges: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("CRACK_CACHE_DIR", str(blocker))
    fake_challenges("fake", [{"slug": "one"}], TESTER)
    assert loader.load_challenge("fake").stage_slugs == ["one"]
    assert loader.load_challenge("fake").stage_slugs == ["one"]


def test_without_the_validating_code_to_read_nothing_is_cached(
    fake_challenges: Callable[..., Path], cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An install without crack's sources cannot tell whether the code changed: it validates."""
    from crack.challenge import cache

    monkeypatch.setattr(cache, "_VALIDATING_CODE", (*cache._VALIDATING_CODE, "no-such-module.py"))
    fake_challenges("fake", [{"slug": "one"}], TESTER)
    assert loader.load_challenge("fake").stage_slugs == ["one"]
    assert not list(cache_dir.glob("challenges/*.pickle"))


def test_a_cached_load_builds_no_validator(tmp_path: Path) -> None:
    """What the cache is for: a warm ``crack test`` gets as far as its first stage without
    pydantic's schema building and its plugin scan (importlib.metadata over every installed
    package), without YAML, and without the interview models when no interview runs."""
    env = {**os.environ, "CRACK_CACHE_DIR": str(tmp_path)}
    code = (
        "import sys; import crack.cli, crack.grading, crack.learner, crack.languages; "
        "from crack.interview import before_command; before_command('test'); "
        "from crack.challenge import load_challenge; c = load_challenge('redis'); "
        "c.stages[0].concepts; c.model_copy(update={'directory': c.directory}); "
        "print(*(name in sys.modules for name in "
        "('importlib.metadata', 'yaml', 'crack.interview.session')))"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
        )
        for _ in range(2)
    ]
    assert [run.returncode for run in runs] == [0, 0], runs[-1].stderr
    assert runs[1].stdout.split() == ["False", "False", "False"]
