"""starter_variants: a challenge may offer a starter in another form of one of its languages
(TypeScript for mini-react, run as JavaScript); a variant that names no language of the
challenge is a config error naming challenge.yaml."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from crack.challenge import load_challenge
from crack.errors import ConfigError
from crack.scaffold import available_languages

TESTER = """
from crack.tester import Tester
tester = Tester("lang")
@tester.stage("one")
def one(h): pass
"""


def test_mini_react_offers_typescript_run_as_javascript() -> None:
    challenge = load_challenge("mini-react")
    assert challenge.language_of("typescript") == "javascript"
    assert challenge.language_of("javascript") == "javascript"
    assert available_languages(challenge) == ["javascript", "typescript"]


@pytest.mark.parametrize(
    ("variants", "message"),
    [
        (
            "{typescript: javascript}",
            "starter_variants: typescript is run as 'javascript', which is not one of languages (python)",
        ),
        ("{python: python}", "starter_variants: 'python' is one of languages already"),
        ("{Type Script: python}", "starter_variants: 'Type Script' is not a name for a starter"),
    ],
)
def test_a_variant_must_be_of_one_of_the_challenges_languages(
    fake_challenges: Callable[..., Path], variants: str, message: str
) -> None:
    fake_challenges("lang", [{"slug": "one"}], TESTER, f"starter_variants: {variants}\n")
    with pytest.raises(ConfigError) as info:
        load_challenge("lang")
    assert "challenge.yaml" in str(info.value)
    assert message in str(info.value)
