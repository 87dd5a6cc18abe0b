"""challenge.yaml: the real challenges load, and bad files name the file and the field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from crack.challenge import list_challenges, load_challenge
from crack.errors import ConfigError
from crack.tester import check_slugs, load_tester

TESTER = """
from crack.tester import Tester
tester = Tester("bad")
@tester.stage("one")
def one(h): pass
"""


@pytest.mark.parametrize("challenge", [c.slug for c in list_challenges()])
def test_yaml_and_tester_name_the_same_stages(challenge: str) -> None:
    loaded = load_challenge(challenge)
    assert check_slugs(loaded, load_tester(loaded)) == []


def test_slug_check_sees_both_directions(fake_challenges: Callable[..., Path]) -> None:
    fake_challenges(
        "bad", [{"slug": "one"}, {"slug": "two"}], TESTER + '\n@tester.stage("three")\ndef three(h): pass\n'
    )
    loaded = load_challenge("bad")
    assert check_slugs(loaded, load_tester(loaded)) == [
        "stage 'two' is in challenge.yaml but has no tester function",
        "tester function for 'three' has no stage in challenge.yaml",
    ]


def test_every_stage_teaches_something(fake_challenges: Callable[..., Path]) -> None:
    for stage in load_challenge("redis").stages:
        assert stage.concepts.pattern and stage.concepts.data_structure and stage.concepts.algorithm
        assert len(stage.hints) >= 2 and stage.interview


def _error(folder: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_challenge(folder.name)
    return info.value.message


def test_wrong_type_names_the_stage_and_field(fake_challenges: Callable[..., Path]) -> None:
    folder = fake_challenges("bad", [{"slug": "one"}, {"slug": "two", "timeout": "soon"}], TESTER)
    message = _error(folder)
    assert str(folder / "challenge.yaml") in message
    assert "field 'stages[1] (two).timeout'" in message
    assert "number" in message


def test_unknown_key_is_an_error_not_ignored(fake_challenges: Callable[..., Path]) -> None:
    folder = fake_challenges("bad", [{"slug": "one"}], TESTER, yaml_extra="colour: blue\n")
    assert "field 'colour'" in _error(folder)


def test_yaml_syntax_error_gives_line(fake_challenges: Callable[..., Path]) -> None:
    folder = fake_challenges("bad", [{"slug": "one"}], TESTER)
    (folder / "challenge.yaml").write_text("slug: bad\nstages: [\n  - {\n")
    message = _error(folder)
    assert "invalid YAML (line" in message and "challenge.yaml" in message


def test_missing_instructions_file(fake_challenges: Callable[..., Path]) -> None:
    folder = fake_challenges("bad", [{"slug": "one"}], TESTER)
    (folder / "stages" / "one.md").unlink()
    assert "stages/one.md is missing" in _error(folder)


def test_duplicate_stage_slug(fake_challenges: Callable[..., Path]) -> None:
    folder = fake_challenges("bad", [{"slug": "one"}, {"slug": "one"}], TESTER)
    assert "stage slug 'one' appears twice" in _error(folder)


def test_bad_slug_shape(fake_challenges: Callable[..., Path]) -> None:
    folder = fake_challenges("bad", [{"slug": "Not_A_Slug"}], TESTER)
    assert "stages[0] (Not_A_Slug).slug" in _error(folder)


def test_cli_reports_bad_yaml_with_exit_2(
    fake_challenges: Callable[..., Path], crack: Callable[..., object], tmp_path: Path
) -> None:
    fake_challenges("bad", [{"slug": "one", "timeout": -1}], TESTER)
    result = crack(["test", "--challenge", "bad", "--run", "true"], cwd=tmp_path)
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "field 'stages[0] (one).timeout'" in result.output  # type: ignore[attr-defined]
    assert "Traceback" not in result.output  # type: ignore[attr-defined]
