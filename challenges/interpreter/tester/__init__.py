"""The interpreter challenge's tester: one function per stage slug of challenge.yaml.

Every stage runs a handful of small Lox programs, fixed and seeded, each as
``./your_program.sh tokenize|parse|evaluate|run program.lox`` in a folder of its own, and
compares stdout, stderr and the exit code with what the reference interpreter gives.

- ``programs``: each stage's programs.
- ``model``: the expected output of a program (the reference, run in-process).
- ``check``: running a program and explaining a difference, the program shown with a caret.
"""

from __future__ import annotations

from crack.harness import Harness
from crack.tester import Tester

from .check import check_case
from .programs import STAGES, Case

tester = Tester("interpreter")


def run_cases(h: Harness, cases: list[Case]) -> None:
    """The programs share nothing, each in its own folder, so they run at once."""
    h.run_cases(
        list(enumerate(cases, 1)), lambda case_h, item: check_case(case_h, item[1], item[0], len(cases))
    )
    h.log(f"{len(cases)} programs passed")


def grade(h: Harness) -> None:
    run_cases(h, STAGES[h.stage_slug](h.random, h.data))


@tester.stage("punctuation")
def punctuation(h: Harness) -> None:
    grade(h)


@tester.stage("operators")
def operators(h: Harness) -> None:
    grade(h)


@tester.stage("whitespace-comments")
def whitespace_comments(h: Harness) -> None:
    grade(h)


@tester.stage("unexpected-characters")
def unexpected_characters(h: Harness) -> None:
    grade(h)


@tester.stage("strings")
def strings(h: Harness) -> None:
    grade(h)


@tester.stage("numbers")
def numbers(h: Harness) -> None:
    grade(h)


@tester.stage("identifiers-keywords")
def identifiers_keywords(h: Harness) -> None:
    grade(h)


@tester.stage("parse-literals")
def parse_literals(h: Harness) -> None:
    grade(h)


@tester.stage("parse-unary-grouping")
def parse_unary_grouping(h: Harness) -> None:
    grade(h)


@tester.stage("parse-arithmetic")
def parse_arithmetic(h: Harness) -> None:
    grade(h)


@tester.stage("parse-comparison")
def parse_comparison(h: Harness) -> None:
    grade(h)


@tester.stage("parse-errors")
def parse_errors(h: Harness) -> None:
    grade(h)


@tester.stage("evaluate-literals")
def evaluate_literals(h: Harness) -> None:
    grade(h)


@tester.stage("evaluate-arithmetic")
def evaluate_arithmetic(h: Harness) -> None:
    grade(h)


@tester.stage("comparison")
def comparison(h: Harness) -> None:
    grade(h)


@tester.stage("equality-truthiness")
def equality_truthiness(h: Harness) -> None:
    grade(h)


@tester.stage("runtime-errors")
def runtime_errors(h: Harness) -> None:
    grade(h)


@tester.stage("print")
def print_stage(h: Harness) -> None:
    grade(h)


@tester.stage("global-variables")
def global_variables(h: Harness) -> None:
    grade(h)


@tester.stage("assignment")
def assignment(h: Harness) -> None:
    grade(h)


@tester.stage("blocks")
def blocks(h: Harness) -> None:
    grade(h)


@tester.stage("error-recovery")
def error_recovery(h: Harness) -> None:
    grade(h)


@tester.stage("if-else")
def if_else(h: Harness) -> None:
    grade(h)


@tester.stage("logical-operators")
def logical_operators(h: Harness) -> None:
    grade(h)


@tester.stage("while")
def while_stage(h: Harness) -> None:
    grade(h)


@tester.stage("for")
def for_stage(h: Harness) -> None:
    grade(h)


@tester.stage("functions")
def functions(h: Harness) -> None:
    grade(h)


@tester.stage("return")
def return_stage(h: Harness) -> None:
    grade(h)


@tester.stage("call-errors")
def call_errors(h: Harness) -> None:
    grade(h)


@tester.stage("native-clock")
def native_clock(h: Harness) -> None:
    grade(h)


@tester.stage("closures")
def closures(h: Harness) -> None:
    grade(h)


@tester.stage("static-scope")
def static_scope(h: Harness) -> None:
    grade(h)


@tester.stage("resolver-errors")
def resolver_errors(h: Harness) -> None:
    grade(h)


@tester.stage("classes")
def classes(h: Harness) -> None:
    grade(h)


@tester.stage("fields")
def fields(h: Harness) -> None:
    grade(h)


@tester.stage("methods")
def methods(h: Harness) -> None:
    grade(h)


@tester.stage("initializers")
def initializers(h: Harness) -> None:
    grade(h)


@tester.stage("inheritance")
def inheritance(h: Harness) -> None:
    grade(h)


@tester.stage("super")
def super_stage(h: Harness) -> None:
    grade(h)
