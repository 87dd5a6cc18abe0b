"""The Lox programs of every stage: fixed ones, each aimed at a known mistake, and seeded
ones with random names and values.

Nothing here says what a program should print: ``model.expected`` computes that with the
reference. Every random choice comes from the ``random.Random`` given (the stage's seeded
``h.random``) or from the stage's edge data (``h.data``), so ``--seed`` replays a run.
Programs keep numbers below 10^7 and calls shallow, where every faithful jlox agrees.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from crack.harness.data import EdgeData


@dataclass(frozen=True)
class Case:
    title: str
    command: str
    source: str
    hint: str | None = None


WORDS = (
    "apple", "banana", "cherry", "delta", "ember", "falcon", "garnet", "harbor", "iris",
    "juniper", "kettle", "lantern", "meadow", "nectar", "oak", "pepper", "quartz", "river",
    "saffron", "tulip", "umber", "velvet", "willow", "yarrow", "zephyr", "basil", "copper",
)  # fmt: skip

KEYWORDS = (
    "and", "class", "else", "false", "for", "fun", "if", "nil", "or", "print", "return",
    "super", "this", "true", "var", "while",
)  # fmt: skip


def names(rng: random.Random, count: int) -> list[str]:
    """``count`` different identifiers, some with an underscore or digits."""
    chosen = rng.sample(WORDS, count)
    return [w if rng.random() < 0.6 else f"{w}{rng.choice(('_', '2', '_x', '9'))}" for w in chosen]


def num(rng: random.Random, low: int = 0, high: int = 99) -> str:
    return str(rng.randint(low, high))


def dec(rng: random.Random) -> str:
    return f"{rng.randint(0, 99)}.{rng.choice(('5', '25', '75', '125', '4'))}"


def word(rng: random.Random) -> str:
    return rng.choice(WORDS)


def arithmetic(rng: random.Random, depth: int, ops: str = "+-*") -> str:
    """A random expression of small integers, grouping and the operators ``ops``."""
    if depth == 0 or rng.random() < 0.25:
        value = num(rng, 1, 20)
        return f"-{value}" if rng.random() < 0.15 else value
    left, right = arithmetic(rng, depth - 1, ops), arithmetic(rng, depth - 1, ops)
    text = f"{left} {rng.choice(ops)} {right}"
    return f"({text})" if rng.random() < 0.4 else text


# --- scanning -------------------------------------------------------------------------

PUNCTUATION = "(){},.-+;*"


def punctuation(rng: random.Random, data: EdgeData) -> list[Case]:
    shuffled = "".join(rng.choice(PUNCTUATION) for _ in range(rng.randint(10, 16)))
    return [
        Case("an empty file: only the end of file token", "tokenize", ""),
        Case("parentheses", "tokenize", "(()"),
        Case("braces", "tokenize", "{{}}"),
        Case("every single-character token", "tokenize", "".join(rng.sample(PUNCTUATION, len(PUNCTUATION)))),
        Case("random punctuation", "tokenize", shuffled),
    ]


OPERATORS = ("!", "!=", "=", "==", "<", "<=", ">", ">=", "/", "(", ")", "+", ";")


def operators(rng: random.Random, data: EdgeData) -> list[Case]:
    random_ops = "".join(rng.choice(OPERATORS) for _ in range(rng.randint(8, 12)))
    return [
        Case(
            "= and == side by side",
            "tokenize",
            "={===}",
            hint="after '=', look at the next character: '=' makes EQUAL_EQUAL, anything else leaves EQUAL",
        ),
        Case("! and != side by side", "tokenize", "!!===!"),
        Case("<, <=, > and >=", "tokenize", rng.choice(("<<=>>=", "><=<>=", ">=<<=>"))),
        Case("division", "tokenize", "(*/)"),
        Case("random operators", "tokenize", random_ops),
    ]


def whitespace_comments(rng: random.Random, data: EdgeData) -> list[Case]:
    a, b = rng.sample(PUNCTUATION[:4], 2)
    comment = f"// {word(rng)} ({word(rng)}) == {num(rng)}; not tokens"
    return [
        Case("spaces between tokens", "tokenize", f"{a} {b} ;  =="),
        Case("tabs and newlines", "tokenize", f"{a}\t{b}\n!=\n\n<= {b}\r\n"),
        Case(
            "a comment runs to the end of its line",
            "tokenize",
            f"{a}{b} {comment}\n{b}",
            hint="after //, skip every character up to the newline, however many tokens it looks like",
        ),
        Case("a comment on the last line, with no newline after it", "tokenize", f"+-\n// {word(rng)}"),
        Case("a slash alone, then two", "tokenize", f"{a}/ /{b}//{word(rng)}"),
    ]


def unexpected_characters(rng: random.Random, data: EdgeData) -> list[Case]:
    bad = rng.sample("$#@^%&|~`", 3)
    accented = next(c for c in data.non_ascii_word() if not c.isascii())
    return [
        Case(
            "an unexpected character among good ones",
            "tokenize",
            f",.{bad[0]}(",
            hint="report the character on stderr, keep scanning, and exit with 65 at the end",
        ),
        Case("errors on several lines", "tokenize", f"{bad[0]}\n(\n{bad[1]}{bad[2]}\n)"),
        Case(
            f"a character outside ASCII ({accented!r}) is one unexpected character",
            "tokenize",
            f"({accented})",
            hint="scan characters, not bytes: a two-byte UTF-8 character is one unexpected character",
        ),
        Case("a file of nothing but errors", "tokenize", f"{bad[1]}\n\n{bad[2]}"),
    ]


def strings(rng: random.Random, data: EdgeData) -> list[Case]:
    w1, w2 = rng.sample(WORDS, 2)
    return [
        Case("a string", "tokenize", f'"{w1}"'),
        Case("an empty string", "tokenize", '("")'),
        Case(
            "a string holding spaces, operators and a //",
            "tokenize",
            f'"{w1} (+) // {w2}" ;',
            hint="inside a string nothing is a token or a comment: read up to the closing quote",
        ),
        Case("a string of non-ASCII text", "tokenize", f'"{data.non_ascii_word()} {w2}"'),
        Case(
            "a string over two lines, then an error: the line count includes the string's newline",
            "tokenize",
            f'"{w1}\n{w2}"\n@',
            hint="a newline inside a string still moves the line number on",
        ),
        Case(
            "an unterminated string",
            "tokenize",
            f'+ "{w1}\n{w2}',
            hint="at the end of the file with no closing quote: [line N] Error: Unterminated string. "
            "(N: the last line)",
        ),
    ]


def numbers(rng: random.Random, data: EdgeData) -> list[Case]:
    digit = data.non_ascii_digit()
    return [
        Case(
            "an integer: its literal has a decimal point",
            "tokenize",
            num(rng, 10, 999),
            hint="a number's literal is printed with at least one decimal: 42 gives NUMBER 42 42.0",
        ),
        Case("a decimal", "tokenize", dec(rng)),
        Case(
            "trailing zeros in the lexeme, not in the literal",
            "tokenize",
            f"{num(rng, 1, 9)}.{rng.choice(('50', '2500', '000'))}",
            hint="the lexeme is the text as written; the literal is the number: 1.50 gives NUMBER 1.50 1.5",
        ),
        Case("a dot with no digit after it is a DOT", "tokenize", f"{num(rng)}. .{num(rng, 1, 9)}"),
        Case("numbers in an expression", "tokenize", f"({num(rng)} + {dec(rng)}) * -{num(rng)}"),
        Case(
            f"{digit!r} is not a digit",
            "tokenize",
            f"{num(rng, 1, 9)}{digit}",
            hint="only 0-9 are digits; a Unicode 'is digit' test also takes superscripts and other scripts",
        ),
    ]


def identifiers_keywords(rng: random.Random, data: EdgeData) -> list[Case]:
    a, b = names(rng, 2)
    keyword = rng.choice([k for k in KEYWORDS if len(k) > 2])
    return [
        Case("identifiers", "tokenize", f"{a} {b} _hidden {b}42"),
        Case("every keyword", "tokenize", " ".join(rng.sample(KEYWORDS, len(KEYWORDS)))),
        Case(
            "a keyword's prefix inside a longer name is an identifier",
            "tokenize",
            f"{keyword}{word(rng)} or orchid {keyword}_",
            hint="read the whole identifier first (letters, digits, _), then look it up among the keywords",
        ),
        Case(
            "keywords are lower-case: another case is an identifier",
            "tokenize",
            f"{data.case_variant(keyword)} {keyword}",
        ),
        Case(
            "a small program",
            "tokenize",
            f'var {a} = {num(rng)};\nif ({a} >= {dec(rng)}) print "{word(rng)}"; // {b}\n',
        ),
    ]


# --- parsing --------------------------------------------------------------------------


def parse_literals(rng: random.Random, data: EdgeData) -> list[Case]:
    return [
        Case("true", "parse", "true"),
        Case("nil", "parse", "nil"),
        Case("false", "parse", "false"),
        Case(
            "a number prints with a decimal point",
            "parse",
            num(rng, 10, 999),
            hint="a number literal is printed as its value with at least one decimal: 42.0",
        ),
        Case("a decimal number", "parse", dec(rng)),
        Case(
            "a string prints without quotes",
            "parse",
            f'"{word(rng)} {word(rng)}"',
            hint="the tree shows a string literal's value, without its quotes",
        ),
    ]


def parse_unary_grouping(rng: random.Random, data: EdgeData) -> list[Case]:
    return [
        Case("grouping", "parse", f"({num(rng)})"),
        Case("a string in two groups", "parse", f'(("{word(rng)}"))'),
        Case("not", "parse", f"!{rng.choice(('true', 'false'))}"),
        Case("negation", "parse", f"-{num(rng)}"),
        Case("unary operators nest", "parse", f"!!{rng.choice(('true', 'nil'))}"),
        Case("negation of a group", "parse", f"-(-{num(rng)})"),
    ]


def parse_arithmetic(rng: random.Random, data: EdgeData) -> list[Case]:
    a, b, c = (num(rng, 1, 50) for _ in range(3))
    return [
        Case("* before +", "parse", f"{a} + {b} * {c}", hint="factor (* /) binds tighter than term (+ -)"),
        Case(
            "minus is left-associative",
            "parse",
            f"{a} - {b} - {c}",
            hint="a - b - c is (a - b) - c: loop over the operators, folding to the left",
        ),
        Case("division is left-associative", "parse", f"{a} / {b} / {c}"),
        Case("grouping overrides precedence", "parse", f"({a} + {b}) * {c}"),
        Case("unary minus binds tightest", "parse", f"-{a} * {b} - -{c}"),
        Case("strings and +", "parse", f'"{word(rng)}" + "{word(rng)}"'),
        Case("a random expression", "parse", arithmetic(rng, 4, "+-*/")),
    ]


def parse_comparison(rng: random.Random, data: EdgeData) -> list[Case]:
    a, b, c = (num(rng, 1, 50) for _ in range(3))
    return [
        Case("comparison", "parse", f"{a} < {b}"),
        Case("<= >= >", "parse", f"{a} <= {b} >= {c} > {a}"),
        Case("equality", "parse", f"{a} == {b}"),
        Case(
            "comparison binds tighter than equality",
            "parse",
            f"{a} < {b} == {b} > {c}",
            hint="equality → comparison → term → factor → unary → primary, each calling the next",
        ),
        Case("!= and == are left-associative", "parse", f'{a} != "{word(rng)}" == false'),
        Case("arithmetic inside comparison", "parse", f"{a} + {b} > {c} * 2 == !nil"),
        Case("a random comparison", "parse", f"({arithmetic(rng, 2)}) >= {arithmetic(rng, 2)}"),
    ]


def parse_errors(rng: random.Random, data: EdgeData) -> list[Case]:
    a, b = num(rng, 1, 50), num(rng, 1, 50)
    return [
        Case(
            "a missing operand",
            "parse",
            f"({a} +)",
            hint="report the token where an expression was expected: [line 1] Error at ')': Expect "
            "expression.",
        ),
        Case(
            "an unclosed group: the error is at the end",
            "parse",
            f"({a} + {b}",
            hint="at the end of the input the error says 'at end': [line 1] Error at end: Expect ')' "
            "after expression.",
        ),
        Case("an operator with nothing before it", "parse", f"* {a}"),
        Case("an error on a later line", "parse", f"({a} *\n{b} -\n)"),
        Case("a good expression still parses", "parse", f"({a} == {b})"),
    ]


# --- evaluating -----------------------------------------------------------------------


def evaluate_literals(rng: random.Random, data: EdgeData) -> list[Case]:
    return [
        Case("true", "evaluate", "true"),
        Case("nil", "evaluate", "nil"),
        Case(
            "a string's value is its text",
            "evaluate",
            f'"{word(rng)} {data.non_ascii_word()}"',
            hint="print a string without its quotes",
        ),
        Case(
            "an integer prints without a decimal point",
            "evaluate",
            f"{num(rng, 10, 999)}",
            hint="a number whose text ends in .0 prints without it: 42, not 42.0",
        ),
        Case("a decimal with a trailing zero", "evaluate", f"{num(rng, 1, 99)}.{rng.choice(('50', '250'))}"),
        Case("a group", "evaluate", f"(({rng.choice(('false', 'nil'))}))"),
    ]


def evaluate_arithmetic(rng: random.Random, data: EdgeData) -> list[Case]:
    a, b = num(rng, 10, 60), num(rng, 2, 9)
    return [
        Case("negation", "evaluate", f"-({a})"),
        Case("precedence", "evaluate", f"{a} - {b} * 2"),
        Case(
            "division gives a fraction",
            "evaluate",
            f"{rng.choice(('7', '9', '13', '21'))} / {rng.choice(('2', '4', '8'))}",
            hint="numbers are double-precision floats: 7 / 2 is 3.5, not 3",
        ),
        Case("a whole result prints without .0", "evaluate", f"{rng.randint(1, 9) * 4} / 4"),
        Case("decimals", "evaluate", f"{rng.randint(1, 9)}.5 * 2 + 0.25"),
        Case("concatenation", "evaluate", f'"{word(rng)}" + "{word(rng)}"'),
        Case("a random expression", "evaluate", arithmetic(rng, 4)),
    ]


def comparison(rng: random.Random, data: EdgeData) -> list[Case]:
    a = rng.randint(1, 50)
    return [
        Case("less than", "evaluate", f"{a} < {a + rng.randint(1, 9)}"),
        Case("greater than or equal, when equal", "evaluate", f"{a} >= {a}"),
        Case("greater than, false", "evaluate", f"{a} > {a + 1}"),
        Case("negative numbers", "evaluate", f"-{a} <= -{a + 1}"),
        Case("arithmetic on both sides", "evaluate", f"({arithmetic(rng, 2)}) > {arithmetic(rng, 2)}"),
    ]


def equality_truthiness(rng: random.Random, data: EdgeData) -> list[Case]:
    a, w = num(rng, 1, 50), word(rng)
    return [
        Case("equal numbers", "evaluate", f"{a} == {a}"),
        Case("equal strings", "evaluate", f'"{w}" == "{w}"'),
        Case(
            "a number never equals a string",
            "evaluate",
            f'{a} == "{a}"',
            hint='values of different types are never equal: 1 == "1" is false',
        ),
        Case(
            "true is not 1",
            "evaluate",
            rng.choice(("true == 1", "false == 0", "1 != true")),
            hint="compare the types first: in Lox, true == 1 is false even where your language says "
            "1 == true",
        ),
        Case("nil equals only nil", "evaluate", rng.choice(("nil == nil", "nil == false", "nil != false"))),
        Case(
            "only nil and false are falsey",
            "evaluate",
            rng.choice(("!0", '!""', "!!0")),
            hint="0 and the empty string are true in Lox: only nil and false are falsey",
        ),
        Case("not nil", "evaluate", "!nil"),
        Case("a built string equals a literal", "evaluate", f'"{w[:2]}" + "{w[2:]}" != "{w}"'),
    ]


def runtime_errors(rng: random.Random, data: EdgeData) -> list[Case]:
    w, a = word(rng), num(rng, 1, 9)
    return [
        Case(
            "negating a string",
            "evaluate",
            f'-"{w}"',
            hint="print the message, then [line N] on its own line, to stderr; exit with 70",
        ),
        Case(
            "a string times a number",
            "evaluate",
            f'"{w}" * {a}',
            hint='* - / < <= > >= take numbers only: "ab" * 3 is an error, not a repeated string',
        ),
        Case(
            "a string plus a number",
            "evaluate",
            f'"{w}" + {a}',
            hint="+ takes two numbers or two strings: anything else is 'Operands must be two numbers "
            "or two strings.'",
        ),
        Case(
            "comparing strings",
            "evaluate",
            f'"{w}" < "{word(rng)}"',
            hint="< <= > >= take numbers only in Lox, even where your language orders strings",
        ),
        Case(
            "true plus a number",
            "evaluate",
            f"true + {a}",
            hint="true is not a number: true + 1 is an error even where your language counts true as 1",
        ),
        Case("the operator on line 2", "evaluate", f"({a}\n  + nil)"),
        Case("no error: the check comes after a successful sum", "evaluate", f"{a} + {a} * 2"),
    ]


# --- statements -----------------------------------------------------------------------


def print_statements(rng: random.Random, data: EdgeData) -> list[Case]:
    w = word(rng)
    return [
        Case("one print", "run", f'print "{w}";\n'),
        Case(
            "several prints",
            "run",
            f"print {arithmetic(rng, 2)};\nprint {num(rng)} > {num(rng)};\nprint nil;\n",
        ),
        Case("two statements on one line", "run", f'print "{w}"; print {dec(rng)} * 2;\n'),
        Case(
            "an expression statement prints nothing",
            "run",
            f'{num(rng)} + {num(rng)};\n"{w}";\nprint "after";\n',
            hint="an expression followed by ; is evaluated and its value thrown away",
        ),
        Case(
            "a missing semicolon: nothing runs",
            "run",
            f'print "{w}";\nprint {num(rng)}\n',
            hint="parse the whole file before running any of it: a syntax error means nothing is printed",
        ),
        Case(
            "a runtime error after a print",
            "run",
            f'print "{w}";\nprint -"{w}";\nprint "never";\n',
            hint="statements run in order: what was printed before the error stays printed",
        ),
    ]


def global_variables(rng: random.Random, data: EdgeData) -> list[Case]:
    a, b, c = names(rng, 3)
    return [
        Case("declare and read", "run", f"var {a} = {num(rng)};\nprint {a};\n"),
        Case(
            "a variable with no initializer is nil",
            "run",
            f"var {a};\nprint {a};\n",
        ),
        Case(
            "variables in expressions",
            "run",
            f"var {a} = {num(rng)};\nvar {b} = {a} * 2;\nprint {a} + {b};\n",
        ),
        Case(
            "redeclaring a global replaces it",
            "run",
            f'var {a} = "{word(rng)}";\nvar {a} = "{word(rng)}";\nprint {a};\n',
        ),
        Case(
            "an undefined variable is a runtime error",
            "run",
            f"var {a} = 1;\nprint {a};\nprint {c};\n",
            hint="reading a variable that was never declared: Undefined variable 'name'. and exit 70",
        ),
        Case("a keyword is not a variable name", "run", f"var if = {num(rng)};\n"),
    ]


def assignment(rng: random.Random, data: EdgeData) -> list[Case]:
    a, b, c = names(rng, 3)
    return [
        Case("assign, then read", "run", f"var {a} = {num(rng)};\n{a} = {num(rng)};\nprint {a};\n"),
        Case(
            "assignment is an expression with a value",
            "run",
            f"var {a};\nprint {a} = {num(rng)};\n",
            hint="an assignment evaluates to the value assigned",
        ),
        Case(
            "assignment is right-associative",
            "run",
            f'var {a}; var {b};\n{a} = {b} = "{word(rng)}";\nprint {a};\nprint {b};\n',
            hint="a = b = 1 is a = (b = 1): parse the right side of = as another assignment",
        ),
        Case(
            "assigning an undeclared variable",
            "run",
            f"var {a} = 1;\n{c} = 2;\n",
            hint="assignment does not declare: assigning an undeclared name is Undefined variable 'name'.",
        ),
        Case(
            "an invalid assignment target",
            "run",
            f"var {a} = 1;\n{a} + 1 = 3;\n",
            hint="only a variable can be assigned: report [line N] Error at '=': Invalid assignment target.",
        ),
    ]


def blocks(rng: random.Random, data: EdgeData) -> list[Case]:
    a, b = names(rng, 2)
    v1, v2 = word(rng), word(rng)
    return [
        Case(
            "shadowing in a block",
            "run",
            f'var {a} = "outer {v1}";\n{{\n  var {a} = "inner {v2}";\n  print {a};\n}}\nprint {a};\n',
        ),
        Case(
            "assigning an outer variable from a block",
            "run",
            f"var {a} = 1;\n{{\n  {a} = {num(rng, 2)};\n}}\nprint {a};\n",
            hint="assignment walks out through the enclosing scopes to the variable's own",
        ),
        Case(
            "nested blocks",
            "run",
            f"var {a} = 1;\n{{\n  var {b} = 2;\n  {{\n    var {a} = 3;\n    print {a} + {b};\n"
            f"  }}\n  print {a} + {b};\n}}\n",
        ),
        Case(
            "a block's variable ends with the block",
            "run",
            f"{{\n  var {b} = {num(rng)};\n  print {b};\n}}\nprint {b};\n",
            hint="leaving a block restores the enclosing environment, even when the block fails",
        ),
        Case("an unclosed block", "run", f"{{\n  print {num(rng)};\n"),
    ]


def error_recovery(rng: random.Random, data: EdgeData) -> list[Case]:
    a = names(rng, 1)[0]
    return [
        Case(
            "two errors in two statements",
            "run",
            f"print {num(rng)} +;\nvar {a} = 1;\nprint {a}\nprint {a};\n",
            hint="after an error, skip to the next statement (past a ; or up to a keyword that "
            "starts one) and go on",
        ),
        Case("three errors", "run", f"var = 1;\nprint (;\nvar {a} = 2;\n{a} * ;\n"),
        Case(
            "a statement keyword ends the skipping",
            "run",
            f"var = 1\nvar {a} = ;\nprint {a};\n",
            hint="stop skipping before a keyword that starts a statement (var, print, …), even with no ; yet",
        ),
        Case("an error in a block", "run", f"{{\n  var {a} = ;\n  print {a};\n}}\nprint 1 1;\n"),
        Case("a good program is unaffected", "run", f"var {a} = {num(rng)};\nprint {a};\n"),
    ]


# --- control flow ---------------------------------------------------------------------


def if_else(rng: random.Random, data: EdgeData) -> list[Case]:
    a = names(rng, 1)[0]
    x, y = rng.randint(1, 50), rng.randint(1, 50)
    return [
        Case("if and else", "run", f'var {a} = {x};\nif ({a} > {y}) print "big";\nelse print "small";\n'),
        Case("if without else", "run", 'if (false) print "no";\nprint "done";\n'),
        Case(
            "0 is true",
            "run",
            'if (0) print "zero is true"; else print "zero is false";\n',
            hint="only nil and false are falsey",
        ),
        Case("nil is false", "run", f'var {a};\nif ({a}) print "set"; else print "unset";\n'),
        Case(
            "else belongs to the nearest if",
            "run",
            'if (true)\n  if (false) print "inner";\n  else print "nearest";\n',
            hint="the dangling else binds to the closest if",
        ),
        Case(
            "blocks as branches",
            "run",
            f'if ({x} == {x}) {{\n  var {a} = "then";\n  print {a};\n}} else {{\n  print "else";\n}}\n',
        ),
    ]


def logical_operators(rng: random.Random, data: EdgeData) -> list[Case]:
    a = names(rng, 1)[0]
    w = word(rng)
    return [
        Case(
            "or gives back an operand",
            "run",
            f'print nil or "{w}";\nprint {num(rng)} or false;\n',
            hint='and/or return one of their operands, not true or false: nil or "x" is "x"',
        ),
        Case("and gives back an operand", "run", f'print {num(rng)} and "{w}";\nprint nil and 1;\n'),
        Case(
            "or skips its right side when the left is true",
            "run",
            f'var {a} = "before";\ntrue or ({a} = "after");\nprint {a};\n',
            hint="short-circuit: do not evaluate the right operand when the left decides",
        ),
        Case(
            "and skips its right side when the left is false",
            "run",
            f'var {a} = "before";\nfalse and ({a} = "after");\nprint {a};\n'
            'nil and undefinedName;\nprint "ok";\n',
        ),
        Case("and binds tighter than or", "run", f'print false and 1 or "{w}";\nprint 1 or 2 and nil;\n'),
    ]


def while_loops(rng: random.Random, data: EdgeData) -> list[Case]:
    i, total = names(rng, 2)
    n = rng.randint(3, 7)
    return [
        Case("counting", "run", f"var {i} = 0;\nwhile ({i} < {n}) {{\n  print {i};\n  {i} = {i} + 1;\n}}\n"),
        Case(
            "a sum",
            "run",
            f"var {i} = 1;\nvar {total} = 0;\nwhile ({i} <= {n * 2}) {{\n"
            f"  {total} = {total} + {i};\n  {i} = {i} + 1;\n}}\nprint {total};\n",
        ),
        Case("a loop that never runs", "run", 'while (false) print "never";\nprint "after";\n'),
        Case(
            "a body without a block", "run", f"var {i} = {n};\nwhile ({i} > 0) {i} = {i} - 2;\nprint {i};\n"
        ),
    ]


def for_loops(rng: random.Random, data: EdgeData) -> list[Case]:
    i, j = names(rng, 2)
    n = rng.randint(3, 6)
    return [
        Case("a for loop", "run", f"for (var {i} = 0; {i} < {n}; {i} = {i} + 1) print {i};\n"),
        Case(
            "the loop variable ends with the loop",
            "run",
            f"for (var {i} = 0; {i} < 2; {i} = {i} + 1) print {i};\nprint {i};\n",
            hint="a for loop is a block holding its initializer and a while loop",
        ),
        Case(
            "an existing variable as initializer",
            "run",
            f"var {i};\nfor ({i} = {n}; {i} > 0; {i} = {i} - 1) {{}}\nprint {i};\n",
        ),
        Case(
            "no initializer, no increment",
            "run",
            f"var {i} = 1;\nfor (; {i} < 100;) {i} = {i} * 3;\nprint {i};\n",
        ),
        Case(
            "nested loops",
            "run",
            f"for (var {i} = 1; {i} <= 2; {i} = {i} + 1)\n"
            f"  for (var {j} = 1; {j} <= 2; {j} = {j} + 1)\n    print {i} * 10 + {j};\n",
        ),
        Case("a syntax error in the clauses", "run", f"for (var {i} = 0; {i} < 3) print {i};\n"),
    ]


# --- functions ------------------------------------------------------------------------


def functions(rng: random.Random, data: EdgeData) -> list[Case]:
    f, g, x, y = names(rng, 4)
    w = word(rng)
    return [
        Case("a call", "run", f'fun {f}() {{\n  print "{w}";\n}}\n{f}();\n{f}();\n'),
        Case(
            "parameters",
            "run",
            f"fun {f}({x}, {y}) {{\n  print {x} * {y};\n}}\n{f}({num(rng)}, {num(rng)});\n",
        ),
        Case(
            "printing a function",
            "run",
            f"fun {f}() {{}}\nprint {f};\n",
            hint="a function prints as <fn name>",
        ),
        Case(
            "a function with no return gives nil",
            "run",
            f"fun {f}() {{\n  {num(rng)};\n}}\nprint {f}();\n",
        ),
        Case(
            "functions calling functions",
            "run",
            f'fun {g}({x}) {{\n  print "{g} " + {x};\n}}\nfun {f}() {{\n  {g}("one");\n'
            f'  {g}("two");\n}}\n{f}();\n',
        ),
        Case(
            "parameters are local",
            "run",
            f'var {x} = "global";\nfun {f}({x}) {{\n  print {x};\n}}\n{f}("argument");\nprint {x};\n',
        ),
    ]


def returns(rng: random.Random, data: EdgeData) -> list[Case]:
    f, n, i = names(rng, 3)
    k = rng.randint(10, 16)
    return [
        Case(
            "a return value",
            "run",
            f"fun {f}({n}) {{\n  return {n} * {n};\n}}\nprint {f}({num(rng, 2, 30)});\n",
        ),
        Case(
            "return leaves at once, even from a loop",
            "run",
            f"fun {f}() {{\n  for (var {i} = 0; ; {i} = {i} + 1) {{\n"
            f"    if ({i} == 3) return {i};\n  }}\n}}\nprint {f}();\n",
            hint="return unwinds every block and loop up to the call",
        ),
        Case(
            "a bare return gives nil",
            "run",
            f'fun {f}() {{\n  return;\n  print "unreachable";\n}}\nprint {f}();\n',
        ),
        Case(
            "recursion",
            "run",
            f"fun {f}({n}) {{\n  if ({n} < 2) return {n};\n  return {f}({n} - 1) + {f}({n} - 2);\n"
            f"}}\nprint {f}({k});\n",
        ),
        Case(
            "a returned value in an expression",
            "run",
            f'fun {f}() {{ return "{word(rng)}"; }}\nprint {f}() + {f}();\n',
        ),
    ]


def call_errors(rng: random.Random, data: EdgeData) -> list[Case]:
    f, a = names(rng, 2)
    return [
        Case(
            "too few arguments",
            "run",
            f"fun {f}({a}, b) {{\n  print {a};\n}}\n{f}(1);\n",
            hint="check the count before the call: Expected 2 arguments but got 1.",
        ),
        Case("too many arguments", "run", f'fun {f}() {{}}\nprint "before";\n{f}(1, 2,\n  3);\n'),
        Case(
            "calling a string",
            "run",
            f'"{word(rng)}"();\n',
            hint="only functions and classes can be called: Can only call functions and classes.",
        ),
        Case("calling nil", "run", f"var {a};\n{a}();\n"),
        Case("the right count is fine", "run", f"fun {f}({a}) {{ print {a}; }}\n{f}({num(rng)});\n"),
    ]


def native_clock(rng: random.Random, data: EdgeData) -> list[Case]:
    t = names(rng, 1)[0]
    return [
        Case(
            "clock gives seconds as a number",
            "run",
            "print clock() > 1000000;\n",
            hint="clock is a global defined before the program runs; it returns the seconds since the epoch",
        ),
        Case("time never goes back", "run", f"var {t} = clock();\nprint clock() >= {t};\n"),
        Case(
            "printing a native function",
            "run",
            "print clock;\n",
            hint="a native function prints as <native fn>",
        ),
        Case("clock takes no argument", "run", "clock(1);\n"),
    ]


def closures(rng: random.Random, data: EdgeData) -> list[Case]:
    mk, c, i, n, add = names(rng, 5)
    return [
        Case(
            "a counter",
            "run",
            f"fun {mk}() {{\n  var {i} = 0;\n  fun count() {{\n    {i} = {i} + 1;\n"
            f"    return {i};\n  }}\n  return count;\n}}\nvar {c} = {mk}();\n{c}();\n"
            f"print {c}();\n",
            hint="a function keeps the environment it was declared in, and uses it when called later",
        ),
        Case(
            "two counters do not share",
            "run",
            f"fun {mk}() {{\n  var {i} = 0;\n  fun count() {{\n    {i} = {i} + 1;\n"
            f"    print {i};\n  }}\n  return count;\n}}\nvar a = {mk}();\nvar b = {mk}();\na();\n"
            "a();\nb();\n",
        ),
        Case(
            "an adder",
            "run",
            f"fun {add}({n}) {{\n  fun inner(x) {{\n    return x + {n};\n  }}\n  return inner;\n"
            f"}}\nprint {add}({num(rng)})({num(rng)});\n",
        ),
        Case(
            "a closure over a block's variable",
            "run",
            f'var {c};\n{{\n  var {i} = "{word(rng)}";\n  fun show() {{ print {i}; }}\n'
            f"  {c} = show;\n}}\n{c}();\n",
        ),
    ]


# --- resolving ------------------------------------------------------------------------


def static_scope(rng: random.Random, data: EdgeData) -> list[Case]:
    a = names(rng, 1)[0]
    return [
        Case(
            "a closure sees the variable of its declaration, not a later one",
            "run",
            f'var {a} = "global";\n{{\n  fun show() {{\n    print {a};\n  }}\n  show();\n'
            f'  var {a} = "block";\n  show();\n}}\n',
            hint="resolve each variable once, before running: the number of scopes between its use "
            "and its declaration",
        ),
        Case(
            "assignment through the resolved scope",
            "run",
            f'var {a} = "global";\n{{\n  fun set() {{\n    {a} = "assigned";\n  }}\n'
            f'  var {a} = "block";\n  set();\n  print {a};\n}}\nprint {a};\n',
        ),
        Case(
            "locals and globals side by side",
            "run",
            f"var {a} = 1;\nfun f() {{\n  var b = {a} + 1;\n  {{\n    var {a} = b * 10;\n"
            f"    print {a};\n  }}\n  print {a};\n}}\nf();\n",
        ),
    ]


def resolver_errors(rng: random.Random, data: EdgeData) -> list[Case]:
    a, b = names(rng, 2)
    return [
        Case(
            "reading a local in its own initializer",
            "run",
            f'print "nothing runs";\n{{\n  var {a} = {a};\n}}\n',
            hint="declare the name before resolving its initializer, define it after; a use in "
            "between is an error",
        ),
        Case(
            "two locals of one name in one scope",
            "run",
            f"{{\n  var {a} = 1;\n  var {a} = 2;\n}}\n",
            hint="Already a variable with this name in this scope. (only in local scopes: globals "
            "may be redeclared)",
        ),
        Case("two parameters of one name", "run", f"fun f({a}, {b}, {a}) {{}}\n"),
        Case(
            "return at the top level",
            "run",
            f"print {num(rng)};\nreturn {num(rng)};\n",
            hint="the resolver knows whether it is inside a function: Can't return from top-level code.",
        ),
        Case("globals may be redeclared", "run", f"var {a} = 1;\nvar {a} = {a} + 1;\nprint {a};\n"),
        Case("several errors", "run", f"return;\n{{\n  var {b};\n  var {b};\n}}\n"),
    ]


# --- classes --------------------------------------------------------------------------


def class_names(rng: random.Random, count: int) -> list[str]:
    return [w.capitalize() for w in rng.sample(WORDS, count)]


def classes(rng: random.Random, data: EdgeData) -> list[Case]:
    (k,) = class_names(rng, 1)
    v = names(rng, 1)[0]
    return [
        Case("printing a class", "run", f"class {k} {{}}\nprint {k};\n", hint="a class prints as its name"),
        Case(
            "calling a class makes an instance",
            "run",
            f"class {k} {{}}\nvar {v} = {k}();\nprint {v};\n",
            hint="an instance prints as its class's name followed by ' instance'",
        ),
        Case("a class in a block", "run", f"{{\n  class {k} {{}}\n  print {k}();\n}}\n"),
        Case("a class is a value", "run", f"class {k} {{}}\nvar {v} = {k};\nprint {v}();\n"),
        Case("a class's name is declared", "run", f"class {k} {{}}\nclass {k}2 {{}}\nprint {k}2;\n"),
    ]


def fields(rng: random.Random, data: EdgeData) -> list[Case]:
    (k,) = class_names(rng, 1)
    o, f = names(rng, 2)
    return [
        Case(
            "set and get a field",
            "run",
            f"class {k} {{}}\nvar {o} = {k}();\n{o}.{f} = {num(rng)};\nprint {o}.{f};\n",
        ),
        Case(
            "fields of two instances are apart",
            "run",
            f'class {k} {{}}\nvar a = {k}();\nvar b = {k}();\na.{f} = "a";\nb.{f} = "b";\n'
            f"print a.{f} + b.{f};\n",
        ),
        Case(
            "assignment to a field is an expression",
            "run",
            f"class {k} {{}}\nvar {o} = {k}();\nprint {o}.{f} = {o};\n",
        ),
        Case(
            "an undefined property",
            "run",
            f"class {k} {{}}\nvar {o} = {k}();\nprint {o}.{f};\n",
            hint="a field that was never set: Undefined property 'name'.",
        ),
        Case(
            "a property of a non-instance",
            "run",
            f'var {o} = "{word(rng)}";\nprint {o}.{f};\n',
            hint="only instances have properties: Only instances have properties.",
        ),
        Case("a field on a non-instance", "run", f"var {o} = {num(rng)};\n{o}.{f} = 1;\n"),
    ]


def methods(rng: random.Random, data: EdgeData) -> list[Case]:
    (k,) = class_names(rng, 1)
    o, m = names(rng, 2)
    w = word(rng)
    return [
        Case("a method", "run", f'class {k} {{\n  {m}() {{\n    print "{w}";\n  }}\n}}\n{k}().{m}();\n'),
        Case(
            "this is the instance",
            "run",
            f"class {k} {{\n  {m}() {{\n    return this.value * 2;\n  }}\n}}\nvar {o} = {k}();\n"
            f"{o}.value = {num(rng)};\nprint {o}.{m}();\n",
        ),
        Case(
            "a method remembers its instance",
            "run",
            f"class {k} {{\n  {m}() {{\n    print this.name;\n  }}\n}}\nvar a = {k}();\n"
            f'a.name = "{w}";\nvar saved = a.{m};\nsaved();\nprint saved;\n',
            hint="looking a method up on an instance binds this to that instance",
        ),
        Case(
            "a field shadows a method",
            "run",
            f'class {k} {{\n  {m}() {{ return "method"; }}\n}}\nvar {o} = {k}();\n'
            f'{o}.{m} = "field";\nprint {o}.{m};\n',
        ),
        Case(
            "this outside a class",
            "run",
            "print this;\n",
            hint="the resolver knows whether it is inside a class: Can't use 'this' outside of a class.",
        ),
        Case("this in a function outside a class", "run", "fun f() {\n  return this;\n}\n"),
    ]


def initializers(rng: random.Random, data: EdgeData) -> list[Case]:
    (k,) = class_names(rng, 1)
    x, y = names(rng, 2)
    return [
        Case(
            "init runs when the class is called",
            "run",
            f"class {k} {{\n  init({x}, {y}) {{\n    this.{x} = {x};\n    this.{y} = {y};\n  }}\n"
            f"}}\nvar p = {k}({num(rng)}, {num(rng)});\nprint p.{x} + p.{y};\n",
        ),
        Case(
            "the class's arity is init's",
            "run",
            f"class {k} {{\n  init({x}) {{}}\n}}\n{k}();\n",
            hint="calling a class checks the arguments against init's parameters",
        ),
        Case(
            "calling init again gives the instance back",
            "run",
            f'class {k} {{\n  init() {{\n    print "init";\n  }}\n}}\nvar a = {k}();\nprint a.init();\n',
            hint="init always returns this, even called directly",
        ),
        Case(
            "a bare return in init gives the instance",
            "run",
            f'class {k} {{\n  init() {{\n    return;\n    print "unreachable";\n  }}\n}}\nprint {k}();\n',
        ),
        Case(
            "returning a value from init",
            "run",
            f"class {k} {{\n  init() {{\n    return {num(rng)};\n  }}\n}}\n",
            hint="Can't return a value from an initializer. (a compile error)",
        ),
    ]


# --- inheritance ----------------------------------------------------------------------


def inheritance(rng: random.Random, data: EdgeData) -> list[Case]:
    a, b = class_names(rng, 2)
    m = names(rng, 1)[0]
    w = word(rng)
    return [
        Case(
            "an inherited method",
            "run",
            f'class {a} {{\n  {m}() {{\n    print "{w}";\n  }}\n}}\nclass {b} < {a} {{}}\n{b}().{m}();\n',
            hint="a method not found in the class is looked up in its superclass, and so on up",
        ),
        Case(
            "overriding",
            "run",
            f'class {a} {{\n  {m}() {{ print "{a}"; }}\n}}\nclass {b} < {a} {{\n'
            f'  {m}() {{ print "{b}"; }}\n}}\n{b}().{m}();\n{a}().{m}();\n',
        ),
        Case(
            "an inherited initializer",
            "run",
            f"class {a} {{\n  init(v) {{ this.v = v; }}\n}}\nclass {b} < {a} {{}}\n"
            f"print {b}({num(rng)}).v;\n",
        ),
        Case(
            "inheriting from a non-class",
            "run",
            f'var {a} = "not a class";\nclass {b} < {a} {{}}\n',
            hint="Superclass must be a class. is a runtime error at the superclass's name",
        ),
        Case(
            "a class inheriting from itself",
            "run",
            f"class {a} < {a} {{}}\n",
            hint="A class can't inherit from itself. is a compile error (exit 65)",
        ),
    ]


def super_calls(rng: random.Random, data: EdgeData) -> list[Case]:
    a, b, c = class_names(rng, 3)
    m = names(rng, 1)[0]
    return [
        Case(
            "super calls the superclass's method",
            "run",
            f'class {a} {{\n  {m}() {{ print "{a} {m}"; }}\n}}\nclass {b} < {a} {{\n  {m}() {{\n'
            f'    print "{b} {m}";\n    super.{m}();\n  }}\n}}\n{b}().{m}();\n',
        ),
        Case(
            "super is the superclass of the class holding the method",
            "run",
            f'class {a} {{\n  {m}() {{ print "{a}"; }}\n}}\nclass {b} < {a} {{\n'
            f'  {m}() {{ print "{b}"; }}\n  test() {{ super.{m}(); }}\n}}\nclass {c} < {b} {{}}\n'
            f"{c}().test();\n",
            hint="super is bound where the method is declared, not looked up from this's class",
        ),
        Case(
            "super in an initializer",
            "run",
            f"class {a} {{\n  init(n) {{ this.n = n; }}\n}}\nclass {b} < {a} {{\n  init() {{\n"
            f"    super.init({num(rng)});\n    this.n = this.n + 1;\n  }}\n}}\nprint {b}().n;\n",
        ),
        Case(
            "a bound super method",
            "run",
            f"class {a} {{\n  {m}() {{ return this.tag; }}\n}}\nclass {b} < {a} {{\n"
            f'  get() {{ return super.{m}; }}\n}}\nvar o = {b}();\no.tag = "{word(rng)}";\n'
            "print o.get()();\n",
        ),
        Case(
            "super outside a class",
            "run",
            f"super.{m}();\n",
            hint="Can't use 'super' outside of a class.",
        ),
        Case(
            "super in a class with no superclass",
            "run",
            f"class {a} {{\n  {m}() {{ super.{m}(); }}\n}}\n",
            hint="Can't use 'super' in a class with no superclass.",
        ),
    ]


STAGES: dict[str, Callable[[random.Random, EdgeData], list[Case]]] = {
    "punctuation": punctuation,
    "operators": operators,
    "whitespace-comments": whitespace_comments,
    "unexpected-characters": unexpected_characters,
    "strings": strings,
    "numbers": numbers,
    "identifiers-keywords": identifiers_keywords,
    "parse-literals": parse_literals,
    "parse-unary-grouping": parse_unary_grouping,
    "parse-arithmetic": parse_arithmetic,
    "parse-comparison": parse_comparison,
    "parse-errors": parse_errors,
    "evaluate-literals": evaluate_literals,
    "evaluate-arithmetic": evaluate_arithmetic,
    "comparison": comparison,
    "equality-truthiness": equality_truthiness,
    "runtime-errors": runtime_errors,
    "print": print_statements,
    "global-variables": global_variables,
    "assignment": assignment,
    "blocks": blocks,
    "error-recovery": error_recovery,
    "if-else": if_else,
    "logical-operators": logical_operators,
    "while": while_loops,
    "for": for_loops,
    "functions": functions,
    "return": returns,
    "call-errors": call_errors,
    "native-clock": native_clock,
    "closures": closures,
    "static-scope": static_scope,
    "resolver-errors": resolver_errors,
    "classes": classes,
    "fields": fields,
    "methods": methods,
    "initializers": initializers,
    "inheritance": inheritance,
    "super": super_calls,
}
