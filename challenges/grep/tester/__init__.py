"""The grep challenge's tester: one function per stage slug of challenge.yaml.

The program is run once per case as ``./your_program.sh [OPTIONS] -E PATTERN [FILE...]``
with its input on stdin or in files, and its stdout and exit code are compared with what
grep does. Every stage runs fixed cases (each aimed at a known mistake) and seeded random
cases built from the stage's features.

- ``patterns``: the regex subset as syntax trees, and text that matches them or nearly does.
- ``cases``: each stage's cases.
- ``model``: the expected output and exit code of each case (held to GNU grep by the tests).
- ``check``: running a case and explaining a difference (difflib, exit codes, hints).
"""

from __future__ import annotations

from crack.harness import Harness
from crack.tester import Tester

from .cases import STAGES, Case, non_ascii_digits
from .check import check_case

tester = Tester("grep", overlap_stages=True)


def run_cases(h: Harness, cases: list[Case]) -> None:
    """Each case runs in a folder of its own: they are independent, so they run at once."""
    h.run_cases(
        list(enumerate(cases, 1)), lambda case_h, item: check_case(case_h, item[1], item[0], len(cases))
    )
    seeded = sum(case.seeded for case in cases)
    h.log(f"{len(cases)} cases passed ({len(cases) - seeded} fixed, {seeded} random)")


@tester.stage("literal-character")
def literal_character(h: Harness) -> None:
    run_cases(h, STAGES["literal-character"](h.random))


@tester.stage("digits")
def digits(h: Harness) -> None:
    run_cases(h, [*STAGES["digits"](h.random), *non_ascii_digits(h.data)])


@tester.stage("word-characters")
def word_characters(h: Harness) -> None:
    run_cases(h, STAGES["word-characters"](h.random))


@tester.stage("positive-groups")
def positive_groups(h: Harness) -> None:
    run_cases(h, STAGES["positive-groups"](h.random))


@tester.stage("negative-groups")
def negative_groups(h: Harness) -> None:
    run_cases(h, STAGES["negative-groups"](h.random))


@tester.stage("combining-classes")
def combining_classes(h: Harness) -> None:
    run_cases(h, STAGES["combining-classes"](h.random))


@tester.stage("start-anchor")
def start_anchor(h: Harness) -> None:
    run_cases(h, STAGES["start-anchor"](h.random))


@tester.stage("end-anchor")
def end_anchor(h: Harness) -> None:
    run_cases(h, STAGES["end-anchor"](h.random))


@tester.stage("one-or-more")
def one_or_more(h: Harness) -> None:
    run_cases(h, STAGES["one-or-more"](h.random))


@tester.stage("zero-or-one")
def zero_or_one(h: Harness) -> None:
    run_cases(h, STAGES["zero-or-one"](h.random))


@tester.stage("wildcard")
def wildcard(h: Harness) -> None:
    run_cases(h, STAGES["wildcard"](h.random))


@tester.stage("alternation")
def alternation(h: Harness) -> None:
    run_cases(h, STAGES["alternation"](h.random))


@tester.stage("backreference")
def backreference(h: Harness) -> None:
    run_cases(h, STAGES["backreference"](h.random))


@tester.stage("several-backreferences")
def several_backreferences(h: Harness) -> None:
    run_cases(h, STAGES["several-backreferences"](h.random))


@tester.stage("multiple-files")
def multiple_files(h: Harness) -> None:
    run_cases(h, STAGES["multiple-files"](h.random))


@tester.stage("recursive")
def recursive(h: Harness) -> None:
    run_cases(h, STAGES["recursive"](h.random))


@tester.stage("only-matching")
def only_matching(h: Harness) -> None:
    run_cases(h, STAGES["only-matching"](h.random))


@tester.stage("count")
def count(h: Harness) -> None:
    run_cases(h, STAGES["count"](h.random))


@tester.stage("invert-match")
def invert_match(h: Harness) -> None:
    run_cases(h, STAGES["invert-match"](h.random))


@tester.stage("color")
def color(h: Harness) -> None:
    run_cases(h, STAGES["color"](h.random))
