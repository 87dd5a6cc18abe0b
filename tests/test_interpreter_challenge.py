"""Tests of the interpreter challenge beyond those every challenge gets (tests/test_challenges.py).

No packaged Lox exists, so the reference is the oracle: the tester computes every expected
output with ``oracle/lox.py``, the reference's last stage. These tests hold that oracle to
the book's jlox (its formats, messages and exit codes, on programs of our own whose
answers follow from the book's rules), hold the stage pages to the oracle (every
transcript on a page is what it prints), and check the tester's own pieces: the programs
of every stage run on the oracle, and a failure points at a line of the program.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from crack.authoring.solutions import materialize
from crack.challenge import load_challenge
from crack.harness.data import EdgeData
from crack.harness.oneshot import RunResult
from crack.tester import load_tester

CHALLENGE = load_challenge("interpreter")
load_tester(CHALLENGE)
PACKAGE = "crack_challenges.interpreter.tester"
model: ModuleType = sys.modules[f"{PACKAGE}.model"]
programs: ModuleType = sys.modules[f"{PACKAGE}.programs"]
check: ModuleType = sys.modules[f"{PACKAGE}.check"]


def run(command: str, source: str) -> tuple[str, str, int]:
    result = model.expected(command, source)
    return result.stdout, result.stderr, result.returncode


def test_the_oracle_is_the_last_stage_of_the_reference(tmp_path: Path) -> None:
    program = materialize(CHALLENGE, "python", CHALLENGE.stage_slugs[-1], tmp_path / "reference")
    assert (program / "app" / "main.py").read_bytes() == model.ORACLE.read_bytes()


JLOX = [
    # tokens: Java's Double.toString for literals, the empty lexeme of EOF
    (
        "tokenize",
        "1 1.50 007 12345678",
        "NUMBER 1 1.0\nNUMBER 1.50 1.5\nNUMBER 007 7.0\nNUMBER 12345678 1.2345678E7\nEOF  null\n",
        "",
        0,
    ),
    (
        "tokenize",
        '"a\nb" $',
        'STRING "a\nb" a\nb\nEOF  null\n',
        "[line 2] Error: Unexpected character.\n",
        65,
    ),
    ("tokenize", '"open', "EOF  null\n", "[line 1] Error: Unterminated string.\n", 65),
    # the tree printer
    ("parse", "-(1) * 2 == !nil", "(== (* (- (group 1.0)) 2.0) (! nil))\n", "", 0),
    ("parse", "1 +", "", "[line 1] Error at end: Expect expression.\n", 65),
    # values: no trailing .0, large numbers with an exponent, IEEE division
    ("evaluate", "10 / 4", "2.5\n", "", 0),
    ("evaluate", "10000 * 1000", "1.0E7\n", "", 0),
    ("evaluate", "1 / 0", "Infinity\n", "", 0),
    ("evaluate", "0.0001 * 1", "1.0E-4\n", "", 0),
    ("evaluate", "true == 1", "false\n", "", 0),
    ("evaluate", "nil == nil", "true\n", "", 0),
    ("evaluate", '"a" < "b"', "", "Operands must be numbers.\n[line 1]\n", 70),
    # statements, scope, closures and the resolver
    (
        "run",
        'var a = "global";\n{\n  fun f() { print a; }\n  f();\n  var a = "local";\n  f();\n}\n',
        "global\nglobal\n",
        "",
        0,
    ),
    ("run", "fun f() {}\nprint f;\nprint clock;\nprint f();\n", "<fn f>\n<native fn>\nnil\n", "", 0),
    (
        "run",
        "print 1;\n{ var a = 1; var a = 2; }\n",
        "",
        "[line 2] Error at 'a': Already a variable with this name in this scope.\n",
        65,
    ),
    ("run", "print 1;\nprint x;\n", "1\n", "Undefined variable 'x'.\n[line 2]\n", 70),
    ("run", "fun f(a) {}\nf(1,\n2);\n", "", "Expected 1 arguments but got 2.\n[line 3]\n", 70),
    ("run", "print nil or 0;\nprint 0 and false;\n", "0\nfalse\n", "", 0),
    # classes
    (
        "run",
        "class A { init() { this.v = 1; } }\nvar a = A();\nprint A;\nprint a;\nprint a.init() == a;\n",
        "A\nA instance\ntrue\n",
        "",
        0,
    ),
    (
        "run",
        'class A { m() { print "A"; } }\n'
        'class B < A { m() { print "B"; } t() { super.m(); } }\n'
        "class C < B {}\nC().t();\n",
        "A\n",
        "",
        0,
    ),
    ("run", 'var s = "x";\nclass B < s {}\n', "", "Superclass must be a class.\n[line 2]\n", 70),
    (
        "run",
        "class A { init() { return 1; } }\n",
        "",
        "[line 1] Error at 'return': Can't return a value from an initializer.\n",
        65,
    ),
]


@pytest.mark.parametrize(("command", "source", "stdout", "stderr", "code"), JLOX)
def test_the_oracle_follows_jlox(command: str, source: str, stdout: str, stderr: str, code: int) -> None:
    assert run(command, source) == (stdout, stderr, code)


TRANSCRIPT = re.compile(
    r"```text\n\$ cat program\.lox\n(?P<source>.*?)\n"
    r"\$ \./your_program\.sh (?P<command>\w+) program\.lox(?P<redirect> 2>errors\.txt)?\n"
    r"(?P<stdout>.*?)"
    r"(?:\$ cat errors\.txt\n(?P<stderr>.*?))?"
    r"\$ echo \$\?\n(?P<code>\d+)\n```",
    re.S,
)


def test_every_page_shows_examples() -> None:
    missing = [
        slug
        for slug in CHALLENGE.stage_slugs
        if not TRANSCRIPT.search((CHALLENGE.directory / "stages" / f"{slug}.md").read_text())
    ]
    assert not missing, f"pages without a transcript: {missing}"


@pytest.mark.parametrize("slug", CHALLENGE.stage_slugs)
def test_page_transcripts_are_what_the_reference_prints(slug: str) -> None:
    page = (CHALLENGE.directory / "stages" / f"{slug}.md").read_text()
    for example in TRANSCRIPT.finditer(page):
        stdout, stderr, code = run(example["command"], example["source"] + "\n")
        assert example["stdout"] == stdout, f"{slug}: stdout of\n{example['source']}"
        assert (example["stderr"] or "") == stderr, f"{slug}: stderr of\n{example['source']}"
        assert bool(example["redirect"]) == bool(stderr)
        assert int(example["code"]) == code


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_stage_program_runs_on_the_oracle(seed: int) -> None:
    """Each program of each stage, fixed or drawn, runs to an exit code of jlox's (0, 65,
    70) and gives the same output twice (a program whose output changed between runs
    could fail a correct interpreter)."""
    import random

    for slug, make in programs.STAGES.items():
        cases = make(random.Random(f"{seed}:{slug}"), EdgeData(seed, slug))
        assert len(cases) >= 3, slug
        for case in cases:
            first = model.expected(case.command, case.source)
            assert first.returncode in (0, 65, 70), (slug, case.title)
            assert model.expected(case.command, case.source) == first, (slug, case.title)


def test_a_failure_puts_carets_under_the_line() -> None:
    text = check.listing("var a = 1;\n  print a + b;\nprint a;\n", 2)
    assert text.split("\n") == [
        "program.lox:",
        "  1 | var a = 1;",
        "  2 |   print a + b;",
        "    |   ^^^^^^^^^^^^",
        "  3 | print a;",
    ]


def test_the_caret_goes_to_the_print_of_the_first_wrong_line() -> None:
    want = model.expected("run", 'print "one";\n\nprint "two";\n')
    got = RunResult(0, b"one\nthree\n", b"", 0.1, False, False, False)
    assert check.caret_line(want, got, "one\nthree\n") == 3


def test_a_program_that_never_ends_is_named() -> None:
    want = model.expected("run", "print 1;\n")
    hung = RunResult(None, b"", b"", 10.0, True, False, False)
    [problem] = check.compare(want, hung)
    assert "did not finish within 10 s" in problem and "infinite loop" in problem


def test_a_crash_shows_the_end_of_its_trace() -> None:
    want = model.expected("run", "print -nil;\n")
    trace = "Traceback (most recent call last):\n" + "".join(f'  File "main", line {n}\n' for n in range(30))
    trace += "IndexError: list index out of range\n"
    crashed = RunResult(1, b"", trace.encode(), 0.1, False, False, False)
    problems = check.compare(want, crashed)
    assert problems[-1].startswith("expected this on stderr:\n- Operand must be a number.\n- [line 1]\n")
    assert problems[-1].endswith("+ IndexError: list index out of range")
