"""reference_language: a challenge whose every stage has a reference in a language other
than Python (mini-react is taken in JavaScript) says so, and the reference chain, the
scenarios and `crack solution`'s fallback use it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from crack.authoring.scenarios import load_scenarios
from crack.authoring.solutions import reference_language
from crack.challenge import load_challenge
from crack.errors import ConfigError

TESTER = """
from crack.tester import Tester
tester = Tester("lang")
@tester.stage("one")
def one(h): pass
"""


def test_it_defaults_to_python(fake_challenges: Callable[..., Path]) -> None:
    fake_challenges("lang", [{"slug": "one"}], TESTER)
    assert load_challenge("lang").reference_language == "python"


def test_it_must_be_one_of_the_challenges_languages(fake_challenges: Callable[..., Path]) -> None:
    fake_challenges("lang", [{"slug": "one"}], TESTER, "reference_language: go\n")
    with pytest.raises(ConfigError) as info:
        load_challenge("lang")
    assert "challenge.yaml" in str(info.value)
    assert "reference_language 'go' is not one of languages (python)" in str(info.value)


def test_a_learner_without_a_reference_in_their_language_is_shown_the_challenges_one() -> None:
    challenge = load_challenge("mini-react")
    assert challenge.reference_language == "javascript"
    assert reference_language(challenge, "go") == "javascript"
    assert reference_language(challenge, "javascript") == "javascript"
    assert reference_language(load_challenge("redis"), "cpp") in ("cpp", "python")


def test_scenarios_on_the_reference_use_its_language() -> None:
    challenge = load_challenge("mini-react")
    on_reference = [s for s in load_scenarios(challenge) if s.spec.base is not None]
    assert on_reference
    assert {s.language(challenge) for s in on_reference} == {"javascript"}
