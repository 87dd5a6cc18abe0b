"""The cases of every stage: a few fixed ones (each aimed at a known mistake) and seeded
random ones built from the stage's features.

A case is an invocation, its input (stdin, or files in a fresh folder) and a title. Nothing
here says what the output should be: ``model.run`` computes that, and the test suite holds
the model to GNU grep on these very cases. Random cases take every choice from the
``random.Random`` they are given (the stage's seeded ``h.random``), so ``--seed`` replays them.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from crack.harness.data import EdgeData

from .model import Invocation, compile_pattern
from .patterns import (
    LOWER,
    AnyChar,
    Backref,
    Cls,
    Digit,
    End,
    Group,
    Lit,
    Node,
    Repeat,
    Seq,
    Start,
    Word,
    anchored_end,
    anchored_start,
    can_match_empty,
    from_text,
    mutate,
    quantify,
    render,
    sample,
)

SEEDED_REGEX_CASES = 3
SEEDED_TOOL_CASES = 3

WORDS = (
    "apple", "banana", "cherry", "grape", "lemon", "mango", "peach", "plum", "kiwi", "melon",
    "pear", "lime", "fig", "date", "cat", "dog", "cow", "pig", "owl", "fox", "bee", "ant", "hen",
    "yak", "red", "blue", "green", "gold", "pink", "grey", "the", "and", "with", "of", "to", "in",
    "on", "at", "is", "was", "big", "small", "old", "new", "hot", "cold", "run", "jump", "read",
    "write", "open", "close", "start", "stop", "log", "error", "warn", "info",
)  # fmt: skip
NUMBERS = ("0", "1", "3", "7", "12", "42", "99", "100", "365", "2024")
SEED_TEXTS = (
    "apple", "3 apples", "cat", "dog7", "x=10", "bee", "42", "owl:5", "red fox", "a_b", "zip",
    "log: ok", "pear", "12 cows", "kiwi", "hen#2", "big cat", "fig", "v2", "yak", "error 404",
    "lime", "7 pigs", "gold", "ant", "b52", "plum tree", "id=7",
)  # fmt: skip
DOUBLED_TEXTS = (
    "apples", "coffee", "1000", "book", "aaah", "hmm", "bee", "sheep", "wall", "22 geese", "zzz",
    "kiwii", "oops", "all 77", "cool", "boo!", "sell", "moon",
)  # fmt: skip
ALT_WORDS = (
    "cat", "dog", "cow", "pig", "owl", "fox", "bee", "ant", "hen", "yak", "red", "blue", "gold",
    "pink", "fig", "lime", "kiwi", "plum",
)  # fmt: skip
SYMBOL_CHARS = " ,.!?:;-@#=+*/()<>&~"
FILE_NAMES = (
    "fruits.txt", "notes.md", "todo.txt", "log.txt", "poem.txt", "list.csv", "zoo.txt", "menu.txt",
    "diary.md", "farm.txt",
)  # fmt: skip
DIR_NAMES = ("docs", "src", "notes", "data", "lib")
SUBDIR_NAMES = ("sub", "deep", "old", "more", "x")


@dataclass(frozen=True)
class Case:
    title: str
    invocation: Invocation
    stdin: bytes = b""
    files: tuple[tuple[str, bytes], ...] = ()
    seeded: bool = False
    uses_stdin: bool = field(default=True)
    hint: str | None = None
    """For a fixed case aimed at one mistake: what usually causes a failure here."""

    @property
    def order_free(self) -> bool:
        """Whether files may come out in any order (``-r``: directory order is unspecified)."""
        return "-r" in self.invocation.options

    @property
    def file_map(self) -> dict[str, bytes]:
        return dict(self.files)


def text(lines: Sequence[str], newline_at_end: bool = True) -> bytes:
    body = "\n".join(lines)
    return (body + "\n" if lines and newline_at_end else body).encode("latin-1")


def stdin_case(
    title: str,
    pattern: str,
    lines: Sequence[str],
    options: Sequence[str] = (),
    *,
    seeded: bool = False,
    newline_at_end: bool = True,
    hint: str | None = None,
) -> Case:
    return Case(
        title,
        Invocation(tuple(options), pattern, ()),
        stdin=text(lines, newline_at_end),
        seeded=seeded,
        hint=hint,
    )


def files_case(
    title: str,
    pattern: str,
    files: Sequence[tuple[str, Sequence[str]]],
    operands: Sequence[str],
    options: Sequence[str] = (),
    *,
    seeded: bool = False,
    raw: Sequence[tuple[str, bytes]] = (),
    hint: str | None = None,
) -> Case:
    contents = tuple((name, text(lines)) for name, lines in files) + tuple(raw)
    return Case(
        title,
        Invocation(tuple(options), pattern, tuple(operands)),
        files=contents,
        seeded=seeded,
        uses_stdin=False,
        hint=hint,
    )


# --- random lines around a pattern ---------------------------------------------------------


def sentence(rng: random.Random, words: int | None = None) -> str:
    count = words if words is not None else rng.randint(1, 4)
    parts = [rng.choice(NUMBERS) if rng.random() < 0.2 else rng.choice(WORDS) for _ in range(count)]
    line = " ".join(parts)
    if rng.random() < 0.2:
        line += rng.choice(".!?:,")
    return line


def symbols(rng: random.Random) -> str:
    return "".join(rng.choice(SYMBOL_CHARS) for _ in range(rng.randint(1, 6))).strip() or "!"


def embed(rng: random.Random, seq: Seq, core: str, *, respect_anchors: bool = True) -> str:
    """``core`` with words around it, except where the pattern's anchors forbid them."""
    before = "" if respect_anchors and anchored_start(seq) else rng.choice(["", "", sentence(rng) + " "])
    after = "" if respect_anchors and anchored_end(seq) else rng.choice(["", "", " " + sentence(rng)])
    if not respect_anchors:
        if anchored_start(seq) and not before:
            before = sentence(rng, 1) + " "
        if anchored_end(seq) and not after:
            after = " " + sentence(rng, 1)
    line = before + core + after
    return line if line.strip() == line or rng.random() < 0.5 else line.strip()


def pick_lines(
    rng: random.Random,
    seq: Seq,
    *,
    want_match: bool,
    extras: Sequence[str] = (),
    total: tuple[int, int] = (3, 6),
) -> list[str]:
    """Lines for one input: near misses and unrelated lines that do not match, and (if
    ``want_match``) one to three lines that do. The model decides what matches."""
    rx = compile_pattern(render(seq))
    matching: list[str] = []
    wanted = rng.randint(1, 3) if want_match else 0
    for _ in range(60):
        if len(matching) >= wanted:
            break
        line = embed(rng, seq, sample(rng, seq))
        if rx.search(line):
            matching.append(line)
    near: list[str] = []
    for _ in range(12):
        roll = rng.random()
        if roll < 0.4:
            line = embed(rng, seq, mutate(rng, sample(rng, seq)))
        elif roll < 0.6:
            line = embed(rng, seq, sample(rng, seq, break_backrefs=True))
        elif roll < 0.8:
            line = embed(rng, seq, sample(rng, seq), respect_anchors=False)
        else:
            line = embed(rng, seq, mutate(rng, mutate(rng, sample(rng, seq))))
        if not rx.search(line) and line not in near:
            near.append(line)
    others = [line for line in [sentence(rng) for _ in range(8)] + list(extras) if not rx.search(line)]
    count = rng.randint(*total) - len(matching)
    chosen = rng.sample(near, min(len(near), max(1, count // 2)))
    pool = [line for line in others if line not in chosen]
    chosen += rng.sample(pool, min(len(pool), max(0, count - len(chosen))))
    lines = matching + chosen
    rng.shuffle(lines)
    return lines


Maker = Callable[[random.Random], tuple[Seq, list[str]]]
"""Builds one random pattern and extra lines worth trying against it."""


def seeded_stdin(rng: random.Random, make: Maker, count: int = SEEDED_REGEX_CASES) -> list[Case]:
    cases = []
    for i in range(count):
        seq, extras = make(rng)
        lines = pick_lines(rng, seq, want_match=i % 3 != 2, extras=extras, total=(5, 10))
        cases.append(stdin_case("a random case", render(seq), lines, seeded=True))
    return cases


# --- pattern makers, by stage ----------------------------------------------------------------

BASIC_KINDS = ("lit", "digit", "word", "class", "negclass")


def _no_leading_dash(seq: Seq) -> Seq:
    first = seq[0] if seq else None
    if isinstance(first, Lit) and first.char == "-":
        return (AnyChar(), *seq[1:])
    return seq


def make_literal(rng: random.Random) -> tuple[Seq, list[str]]:
    return (Lit(rng.choice(LOWER + "0123456789")),), []


def make_digit(rng: random.Random) -> tuple[Seq, list[str]]:
    extras = [" ".join(rng.sample(WORDS, 2)) for _ in range(4)] + ["d", "dd", "odd dd"]
    return (Digit(),), extras


def make_word(rng: random.Random) -> tuple[Seq, list[str]]:
    return (Word(),), [symbols(rng) for _ in range(6)] + [""]


def make_class(rng: random.Random) -> tuple[Seq, list[str]]:
    chars = "".join(rng.sample(LOWER, rng.randint(2, 4)))
    return (Cls(chars),), []


def make_negclass(rng: random.Random) -> tuple[Seq, list[str]]:
    chars = "".join(rng.sample("abcdeilmnoprstu", rng.randint(2, 4)))
    only = ["".join(rng.choice(chars) for _ in range(rng.randint(1, 6))) for _ in range(6)]
    return (Cls(chars, negated=True),), [*only, ""]


def basic_seq(
    rng: random.Random, texts: Sequence[str] = SEED_TEXTS, kinds: tuple[str, ...] = BASIC_KINDS
) -> Seq:
    """A sequence of two or more items with at least one that is not a literal."""
    for _ in range(20):
        seq = from_text(rng, rng.choice(texts), kinds)
        if len(seq) >= 2 and any(not isinstance(node, Lit) for node in seq):
            return _no_leading_dash(seq)
    return (Digit(), Lit(" "), Word())


def make_sequence(rng: random.Random) -> tuple[Seq, list[str]]:
    return basic_seq(rng), []


def make_start(rng: random.Random) -> tuple[Seq, list[str]]:
    return (Start(), *basic_seq(rng)), []


def make_end(rng: random.Random) -> tuple[Seq, list[str]]:
    seq = basic_seq(rng)
    if rng.random() < 0.3:
        return (Start(), *seq, End()), []
    return (*seq, End()), []


def _anchor_maybe(rng: random.Random, seq: Seq) -> Seq:
    roll = rng.random()
    if roll < 0.2:
        return (Start(), *seq)
    if roll < 0.4:
        return (*seq, End())
    return seq


def make_plus(rng: random.Random) -> tuple[Seq, list[str]]:
    seq = quantify(rng, basic_seq(rng, DOUBLED_TEXTS + SEED_TEXTS), "+", rng.randint(1, 2))
    return _anchor_maybe(rng, seq), []


def make_question(rng: random.Random) -> tuple[Seq, list[str]]:
    seq = basic_seq(rng, DOUBLED_TEXTS + SEED_TEXTS)
    seq = quantify(rng, seq, "?", rng.randint(1, 2))
    if rng.random() < 0.4:
        seq = quantify(rng, seq, "+", 1)
    if can_match_empty(seq):
        seq = (*seq, Lit("s"))
    return _anchor_maybe(rng, seq), []


def make_wildcard(rng: random.Random) -> tuple[Seq, list[str]]:
    seq = list(basic_seq(rng, SEED_TEXTS + DOUBLED_TEXTS, (*BASIC_KINDS, "any")))
    if not any(isinstance(node, AnyChar) for node in seq):
        seq[rng.randrange(len(seq))] = AnyChar()
    out: Seq = tuple(seq)
    if rng.random() < 0.4:
        out = quantify(rng, out, rng.choice("+?"), 1)
    if can_match_empty(out):
        out = (*out, Lit("e"))
    return _anchor_maybe(rng, _no_leading_dash(out)), []


def alternation_group(
    rng: random.Random, index: int, kinds: tuple[str, ...] = ("lit", "class", "word", "any")
) -> Group:
    words = rng.sample(ALT_WORDS, rng.randint(2, 3))
    alternatives = tuple(from_text(rng, word, kinds, literal_share=0.8) for word in words)
    return Group(index, alternatives)


def make_alternation(rng: random.Random) -> tuple[Seq, list[str]]:
    group: Repeat | Group = alternation_group(rng, 1)
    if rng.random() < 0.25:
        group = Repeat(group, rng.choice("+?"))
    before: Seq = ()
    after: Seq = ()
    roll = rng.random()
    if roll < 0.35:
        before = from_text(rng, rng.choice(("a ", "my ", "big ", "2 ", "the ")), BASIC_KINDS, 0.8)
    elif roll < 0.7:
        after = from_text(rng, rng.choice(("s", " food", "!", " 7", " run")), BASIC_KINDS, 0.8)
    seq: Seq = (*before, group, *after)
    if can_match_empty(seq):
        seq = (*seq, Lit("!"))
    return _anchor_maybe(rng, seq), []


def capture_alternatives(rng: random.Random) -> tuple[Seq, ...]:
    """What a capturing group holds: a repeated item, words to choose from, or one word."""
    roll = rng.random()
    if roll < 0.3:
        items: list[Node] = [Word(), Digit(), Cls("".join(rng.sample(LOWER, 3)))]
        return ((Repeat(rng.choice(items), "+"),),)
    if roll < 0.6:
        return alternation_group(rng, 0, ("lit",)).alternatives
    return (from_text(rng, rng.choice(ALT_WORDS), ("lit", "word", "class"), 0.6),)


def make_backref(rng: random.Random) -> tuple[Seq, list[str]]:
    group = Group(1, capture_alternatives(rng))
    middle = from_text(rng, rng.choice((" and ", " ", "-", " is ", ", ", "=")), ("lit",), 1.0)
    seq: Seq = (group, *middle, Backref(1))
    return _anchor_maybe(rng, seq), []


def make_backrefs(rng: random.Random) -> tuple[Seq, list[str]]:
    def sep() -> Seq:
        return from_text(rng, rng.choice((" ", " and ", "-", ", ")), ("lit",), 1.0)

    refs = [Backref(1), Backref(2)]
    rng.shuffle(refs)
    if rng.random() < 0.5:
        first, second = Group(1, capture_alternatives(rng)), Group(2, capture_alternatives(rng))
        return (first, *sep(), second, *sep(), refs[0], *sep(), refs[1]), []
    inner = Group(2, capture_alternatives(rng))
    outer = Group(1, ((inner, *sep(), Backref(2)),))
    seq: Seq = (outer, *sep(), refs[0])
    if rng.random() < 0.5:
        seq = (*seq, *sep(), refs[1])
    return seq, []


TOOL_MAKERS: tuple[Maker, ...] = (
    make_sequence,
    make_start,
    make_end,
    make_plus,
    make_question,
    make_wildcard,
    make_alternation,
    make_backref,
)


def make_any_nonempty(rng: random.Random) -> tuple[Seq, list[str]]:
    """A pattern of any of the regex stages' kinds that cannot match an empty string."""
    for _ in range(20):
        seq, extras = rng.choice(TOOL_MAKERS)(rng)
        if not can_match_empty(seq):
            return seq, extras
    return (Digit(), Repeat(Digit(), "+")), []


def make_for_only(rng: random.Random) -> tuple[Seq, list[str]]:
    """Patterns that often match several times in one line (for -o and --color)."""
    roll = rng.random()
    if roll < 0.3:
        items: list[Node] = [
            Digit(),
            Word(),
            Cls("".join(rng.sample("aeiou", 2))),
            Cls("".join(rng.sample(LOWER, 3))),
        ]
        seq: Seq = (Repeat(rng.choice(items), "+"),)
    elif roll < 0.5:
        seq = (Lit(rng.choice("aeiou")),)
    else:
        seq, _ = make_any_nonempty(rng)
    return seq, []


# --- random inputs for the file stages ------------------------------------------------------


def random_file_lines(rng: random.Random, seq: Seq, want_match: bool) -> list[str]:
    return pick_lines(rng, seq, want_match=want_match, total=(2, 5))


def seeded_files(
    rng: random.Random,
    make: Maker,
    options: Callable[[random.Random], Sequence[str]],
    *,
    count: int = SEEDED_TOOL_CASES,
    stdin_share: float = 0.0,
) -> list[Case]:
    cases = []
    for i in range(count):
        seq, _ = make(rng)
        pattern = render(seq)
        opts = options(rng)
        if rng.random() < stdin_share:
            lines = pick_lines(rng, seq, want_match=i % 3 != 2, total=(4, 8))
            cases.append(stdin_case("a random case", pattern, lines, opts, seeded=True))
            continue
        names = rng.sample(FILE_NAMES, rng.randint(1, 3))
        files = [(name, random_file_lines(rng, seq, i % 3 != 2 and rng.random() < 0.7)) for name in names]
        if i % 3 != 2 and not any(compile_pattern(pattern).search(line) for _, ls in files for line in ls):
            files[0] = (files[0][0], [*files[0][1], embed(rng, seq, sample(rng, seq))])
        operands = list(names)
        if rng.random() < 0.2 and "-r" not in opts:
            operands.insert(rng.randrange(len(operands) + 1), "missing.txt")
        cases.append(files_case("a random case", pattern, files, operands, opts, seeded=True))
    return cases


def random_tree(rng: random.Random, seq: Seq, want_match: bool) -> tuple[str, list[tuple[str, list[str]]]]:
    """A directory of two to five files, one or two levels deep."""
    top = rng.choice(DIR_NAMES)
    subs = rng.sample(SUBDIR_NAMES, 2)
    dirs = [top, f"{top}/{subs[0]}", f"{top}/{subs[0]}/{subs[1]}"]
    files: list[tuple[str, list[str]]] = []
    for name in rng.sample(FILE_NAMES, rng.randint(2, 5)):
        files.append(
            (f"{rng.choice(dirs)}/{name}", random_file_lines(rng, seq, want_match and rng.random() < 0.7))
        )
    return top, files


def seeded_recursive(rng: random.Random, count: int = SEEDED_TOOL_CASES) -> list[Case]:
    cases = []
    for i in range(count):
        seq, _ = make_any_nonempty(rng)
        top, files = random_tree(rng, seq, i % 3 != 2)
        outside = [(rng.choice(("readme.txt", "top.txt")), random_file_lines(rng, seq, True))]
        roll = rng.random()
        if roll < 0.5:
            operands = [top]
        elif roll < 0.7:
            operands = [top + "/"]
        elif roll < 0.85:
            operands = [top, outside[0][0]]
        else:
            operands = []
        cases.append(files_case("a random case", render(seq), files + outside, operands, ["-r"], seeded=True))
    return cases


# --- the stages -----------------------------------------------------------------------------


def literal_character(rng: random.Random) -> list[Case]:
    fixed = [
        stdin_case(
            "a line containing the letter is printed",
            "a",
            ["apple"],
            hint="print each line that contains the character, followed by \\n, and exit 0 "
            "when you printed at least one",
        ),
        stdin_case("no line contains the letter: nothing printed, exit code 1", "z", ["apple", "banana"]),
        stdin_case(
            "only the lines that contain it, in their order (case matters)",
            "e",
            ["apple", "banana", "cherry", "kiwi", "LEMON", "lemon"],
        ),
        stdin_case("a digit is a literal character too", "7", ["route 66", "route 7", "bus 17"]),
        stdin_case("the last line has no newline after it", "i", ["kiwi", "lime"], newline_at_end=False),
    ]
    return fixed + seeded_stdin(rng, make_literal)


def digits(rng: random.Random) -> list[Case]:
    fixed = [
        stdin_case(
            "\\d matches a digit anywhere in the line",
            "\\d",
            ["abc123"],
            hint="\\d (a backslash, then d) stands for any one digit from 0 to 9",
        ),
        stdin_case(
            "\\d is not the letter d",
            "\\d",
            ["the letter d", "dd", "odd"],
            hint="\\d is any digit 0-9; the letter d is not one",
        ),
        stdin_case("only lines with a digit", "\\d", ["apple", "3 apples", "no pears", "0"]),
        stdin_case("symbols are not digits", "\\d", ["!@#", "(-)", "a+b=c"]),
    ]
    return fixed + seeded_stdin(rng, make_digit)


def non_ascii_digits(data: EdgeData) -> list[Case]:
    """Digits outside ASCII (², ٣, ５…), as UTF-8: ``\\d`` is 0-9 only, which a matcher
    built on a Unicode digit test (Python's ``str.isdigit()``) gets wrong. Drawn from the
    stage's edge data (``h.data``); patterns stay one ``\\d`` so bytes and characters agree."""
    hint = (
        "\\d is one of the ten ASCII digits 0-9 only: a Unicode-aware digit test (the "
        "standard library's isdigit on text in several languages, Character.isDigit, "
        "iswdigit) also accepts ², ٣ and others"
    )
    word = data.non_ascii_word()
    mixed = [
        "E = mc²",
        f"{data.non_ascii_digit()} {word}",
        f"route {data.random.randint(10, 99)}",
        f"{word}{data.non_ascii_digit()}{data.non_ascii_digit()}",
    ]
    only_unicode = ["x²", f"{data.non_ascii_digit()}{data.non_ascii_digit()} {word}", word]
    return [
        Case("digits outside ASCII are not \\d", Invocation((), "\\d", ()), stdin=utf8(mixed), hint=hint),
        Case(
            "no ASCII digit, only others: nothing printed, exit code 1",
            Invocation((), "\\d", ()),
            stdin=utf8(only_unicode),
            hint=hint,
        ),
    ]


def utf8(lines: Sequence[str]) -> bytes:
    return "".join(f"{line}\n" for line in lines).encode()


def word_characters(rng: random.Random) -> list[Case]:
    fixed = [
        stdin_case("\\w matches a letter", "\\w", ["hello"]),
        stdin_case(
            "punctuation and spaces are not word characters",
            "\\w",
            ["!@#$ &*", "---", "  "],
            hint="\\w is an ASCII letter, a digit or _, nothing else",
        ),
        stdin_case(
            "the underscore is a word character",
            "\\w",
            ["__", "..", "+-+"],
            hint="the underscore _ is a word character, like letters and digits",
        ),
        stdin_case("digits and capitals count", "\\w", ["(7)", "<X>", "?!", "= ="]),
    ]
    return fixed + seeded_stdin(rng, make_word)


def positive_groups(rng: random.Random) -> list[Case]:
    fixed = [
        stdin_case(
            "[abc] matches any one of a, b or c",
            "[abc]",
            ["apple", "dog", "cherry"],
            hint="[abc] matches one character that is a, b or c; the line matches if it has one",
        ),
        stdin_case("none of the characters appears", "[xyz]", ["apple", "banana"]),
        stdin_case("a group of digits", "[0123]", ["room 4", "room 12", "room 99"]),
        stdin_case(
            "the brackets are not characters to find",
            "[aeiou]",
            ["rhythm", "sky", "[]", "fly"],
            hint="the brackets mark the group; only the characters between them are members",
        ),
    ]
    return fixed + seeded_stdin(rng, make_class)


def negative_groups(rng: random.Random) -> list[Case]:
    fixed = [
        stdin_case(
            "[^abc] matches a character that is not a, b or c",
            "[^abc]",
            ["apple"],
            hint="a line matches [^abc] when it holds some character other than a, b and c",
        ),
        stdin_case("every character is in the group: no match", "[^abc]", ["cab", "abba", "c"]),
        stdin_case(
            "one character outside the group is enough",
            "[^abc]",
            ["cab", "cabs", "aaa"],
            hint="a line matches [^abc] when it holds some character other than a, b and c",
        ),
        stdin_case(
            "^ inside brackets negates; it is not a character to find",
            "[^xyz]",
            ["xyz", "", "zzz^", "zyx"],
            hint="a ^ right after [ negates the group; it is not one of its members",
        ),
    ]
    return fixed + seeded_stdin(rng, make_negclass)


def combining_classes(rng: random.Random) -> list[Case]:
    fixed = [
        stdin_case(
            "a digit, a space, then a word",
            "\\d apple",
            ["1 apple", "1 orange", "apple 1"],
            hint="split the pattern into items and match them one after another, trying "
            "every start position in the line",
        ),
        stdin_case(
            "three digits in a row", "\\d\\d\\d apples", ["sally has 124 apples", "sally has 12 apples"]
        ),
        stdin_case("three word characters in a row", "\\w\\w\\w", ["ab", "a_b1", "a b c"]),
        stdin_case(
            "a failed attempt restarts one character later",
            "aab",
            ["aaab", "abab"],
            hint="after a failed attempt, start the next one a position after where that "
            "attempt began, not where it failed: aab is in aaab from the second a",
        ),
        stdin_case("groups in a sequence", "[^xyz][abc]\\d", ["xa1", "qb2", "zc3!", "yy7"]),
    ]
    return fixed + seeded_stdin(rng, make_sequence)


def start_anchor(rng: random.Random) -> list[Case]:
    fixed = [
        stdin_case(
            "^ matches only at the start of the line",
            "^log",
            ["log: started", "catalog", "blog"],
            hint="with ^, try position 0 only instead of every start position",
        ),
        stdin_case("anchored digits", "^\\d\\d", ["12 monkeys", "monkeys 12", "1 monkey"]),
        stdin_case("the pattern must start right at the beginning", "^x", ["xerox", "box", " x"]),
        stdin_case("a line that does not start with #", "^[^#]", ["# comment", "code", "", "#"]),
    ]
    return fixed + seeded_stdin(rng, make_start)


def end_anchor(rng: random.Random) -> list[Case]:
    fixed = [
        stdin_case(
            "$ matches only at the end of the line",
            "dog$",
            ["hotdog", "dogs", "dog house"],
            hint="$ succeeds only at the position just after the line's last character",
        ),
        stdin_case("a digit at the end", "\\d$", ["route 66", "66 route", "route 6!"]),
        stdin_case("^ and $ together match the whole line", "^kiwi$", ["kiwi", "kiwis", "my kiwi"]),
        stdin_case(
            "^$ matches an empty line",
            "^$",
            ["a", "", "b"],
            hint="^$ selects the empty lines, and each one is printed as an empty line",
        ),
    ]
    return fixed + seeded_stdin(rng, make_end)


def one_or_more(rng: random.Random) -> list[Case]:
    fixed = [
        stdin_case("+ repeats the character before it", "ca+t", ["caaats", "cat", "ct", "cart"]),
        stdin_case(
            "a whole line of digits then a word", "^\\d+ apples$", ["12 apples", " apples", "3 apples!"]
        ),
        stdin_case(
            "+ must give back characters for the rest to match",
            "\\w+s",
            ["cats", "s", "ss"],
            hint="when the rest of the pattern fails after a greedy +, give characters back one "
            "at a time and retry (backtracking)",
        ),
        stdin_case(
            "the same character inside and after the repeat",
            "a+a",
            ["a", "aa", "banana"],
            hint="when the rest of the pattern fails after a greedy +, give characters back one "
            "at a time and retry (backtracking)",
        ),
    ]
    return fixed + seeded_stdin(rng, make_plus)


def zero_or_one(rng: random.Random) -> list[Case]:
    fixed = [
        stdin_case("? makes the character before it optional", "colou?r", ["color", "colour", "colouur"]),
        stdin_case("an optional letter before the end", "dogs?$", ["dog", "dogs", "dogss"]),
        stdin_case(
            "an optional digit",
            "^\\d?\\d apples",
            ["7 apples", "42 apples", "123 apples"],
            hint="try the optional item both ways: first with it, then without it",
        ),
        stdin_case(
            "the optional part is tried both ways",
            "ab?bc",
            ["abc", "abbc", "ac"],
            hint="try the optional item both ways: first with it, then without it",
        ),
    ]
    return fixed + seeded_stdin(rng, make_question)


def wildcard(rng: random.Random) -> list[Case]:
    fixed = [
        stdin_case(". matches any one character", "c.t", ["cat", "cot", "ct", "coat"]),
        stdin_case(
            "exactly three characters",
            "^...$",
            ["abc", "ab", "abcd", "a c"],
            hint=". matches any character: letters, digits, spaces and punctuation alike",
        ),
        stdin_case(". with +", "g.+gle", ["google", "goggle", "gle", "gugle"]),
        stdin_case(
            ". is not only a dot",
            "\\d.\\d",
            ["1.5", "1-5", "15"],
            hint=". matches any one character, not just a dot",
        ),
    ]
    return fixed + seeded_stdin(rng, make_wildcard)


def alternation(rng: random.Random) -> list[Case]:
    fixed = [
        stdin_case("either word", "(cat|dog)", ["a cat", "a dog", "a cow"]),
        stdin_case("alternatives between anchors", "^(yes|no)$", ["yes", "no", "yess", "maybe"]),
        stdin_case(
            "if the first alternative fails later, try the next",
            "(ab|a)bc",
            ["abc", "abbc", "ac"],
            hint="when the rest of the pattern fails after one alternative, go back and try the "
            "next alternative",
        ),
        stdin_case("three alternatives with classes", "([xyz]|\\d|#)!", ["x!", "7!", "#!", "a!"]),
        stdin_case(
            "a repeated group",
            "(ha)+!",
            ["haha!", "ha!", "h!", "hah!"],
            hint="+ after a group repeats the whole group",
        ),
        stdin_case(
            "an optional group",
            "(very )?good",
            ["very good", "good", "very bad"],
            hint="? after a group makes the whole group optional",
        ),
    ]
    return fixed + seeded_stdin(rng, make_alternation)


def backreference(rng: random.Random) -> list[Case]:
    fixed = [
        stdin_case("\\1 repeats the text the group matched", "(cat) and \\1", ["cat and cat", "cat and dog"]),
        stdin_case(
            "\\1 is the text, not the pattern",
            "(\\w+) and \\1",
            ["cat and cat", "dog and dog", "cat and dog"],
            hint="\\1 matches the exact text group 1 captured, not group 1's pattern again",
        ),
        stdin_case("a repeated number", "^(\\d+)-\\1$", ["12-12", "12-13", "123-23", "7-7"]),
        stdin_case(
            "an alternation captured", "(red|blue) is \\1", ["red is red", "blue is blue", "red is blue"]
        ),
        stdin_case(
            "the group must give back characters",
            "(\\w+)s and \\1",
            ["cats and cat", "dogs and cow"],
            hint="when the matcher backtracks into the group, \\1 must see what the group "
            "captured on that new path",
        ),
    ]
    return fixed + seeded_stdin(rng, make_backref)


def several_backreferences(rng: random.Random) -> list[Case]:
    fixed = [
        stdin_case(
            "two groups, two backreferences",
            "(\\d+) (\\w+) squares and \\1 \\2 circles",
            ["3 red squares and 3 red circles", "3 red squares and 4 red circles"],
        ),
        stdin_case(
            "backreferences in another order",
            "(\\w+) and (\\w+), \\2 and \\1",
            ["salt and pepper, pepper and salt", "salt and pepper, salt and pepper"],
        ),
        stdin_case(
            "nested groups are numbered by their opening parenthesis",
            "((\\w\\w) and \\2) again \\1",
            ["ab and ab again ab and ab", "ab and ab again ab", "ab and cd again ab and cd"],
            hint="groups are numbered by their opening parenthesis: the outer group is 1, the inner one 2",
        ),
        stdin_case(
            "an inner group used inside the outer one",
            "(c(a|o)t) \\2 \\1",
            ["cat a cat", "cot o cot", "cat o cat"],
        ),
    ]
    return fixed + seeded_stdin(rng, make_backrefs)


def multiple_files(rng: random.Random) -> list[Case]:
    fruits = ("fruits.txt", ["apple", "banana", "cherry pie"])
    veg = ("veg.txt", ["carrot", "pea", "apple mint"])
    fixed = [
        files_case(
            "two files: each line after its file's name and a colon",
            "apple",
            [fruits, veg],
            ["fruits.txt", "veg.txt"],
        ),
        files_case(
            "one file: no name in front",
            "an",
            [fruits],
            ["fruits.txt"],
            hint="with a single file, lines are printed without its name",
        ),
        files_case(
            "the files are searched in the order given", "e", [fruits, veg], ["veg.txt", "fruits.txt"]
        ),
        files_case("no file has a match: exit code 1", "^z", [fruits, veg], ["fruits.txt", "veg.txt"]),
        files_case(
            "a file that does not exist: a message on stderr, exit code 2, the others still searched",
            "p",
            [fruits, veg],
            ["fruits.txt", "nothere.txt", "veg.txt"],
            hint="report the file on stderr, go on with the files after it, and exit with 2 at the end",
        ),
        files_case(
            "a file whose last line has no newline",
            "i",
            [],
            ["kiwi.txt", "fruits.txt"],
            raw=[("kiwi.txt", b"kiwi\nlime"), ("fruits.txt", text(fruits[1]))],
        ),
    ]
    return fixed + seeded_files(rng, make_any_nonempty, lambda r: ())


def recursive(rng: random.Random) -> list[Case]:
    tree = [
        ("docs/a.txt", ["apple pie", "plain"]),
        ("docs/sub/b.txt", ["banana", "an apple a day"]),
        ("docs/sub/deep/c.txt", ["apple", "cherry"]),
        ("docs/.hidden.txt", ["hidden apple"]),
        ("docs/empty.txt", []),
        ("other.txt", ["apple outside"]),
    ]
    fixed = [
        files_case(
            "-r searches every file under the directory, at any depth",
            "apple",
            tree,
            ["docs"],
            ["-r"],
            hint="walk every level of the directory, hidden files included",
        ),
        files_case(
            "names start with the directory as it was given",
            "an",
            tree,
            ["docs/"],
            ["-r"],
            hint="join the operand and the path inside it without doubling the slash: docs/a.txt",
        ),
        files_case("no operand: the working directory, names without ./", "cherry|outside", tree, [], ["-r"]),
        files_case("a directory and a file", "^a", tree, ["docs/sub", "other.txt"], ["-r"]),
        files_case(
            "-r on a single file: no name in front",
            "apple",
            tree,
            ["other.txt"],
            ["-r"],
            hint="names are shown for a directory or several operands; one file operand "
            "prints its lines without a name, even with -r",
        ),
        files_case("a directory that does not exist: exit code 2", "apple", tree, ["nodir"], ["-r"]),
    ]
    return fixed + seeded_recursive(rng)


def only_matching(rng: random.Random) -> list[Case]:
    fixed = [
        stdin_case("-o prints the matched part only", "\\d+", ["12 apples"], ["-o"]),
        stdin_case(
            "every match in a line, each on its own line", "\\d+", ["12 apples and 34 pears", "none"], ["-o"]
        ),
        stdin_case(
            "the next search starts where the last match ended",
            "a+",
            ["banana", "aaa"],
            ["-o"],
            hint="after printing a match, search again from where it ended",
        ),
        stdin_case(
            "^ matches only at the start of the line, not where the next search starts",
            "^\\d",
            ["123", "x 56"],
            ["-o"],
            hint="search the whole line from a start position rather than a slice of it, so ^ "
            "still means position 0",
        ),
        stdin_case("alternatives", "(cat|dog)s?", ["cats and dogs", "a cow"], ["-o"]),
        files_case(
            "with several files, each match after its file's name",
            "[aeiou]+",
            [("a.txt", ["queue", "xyz"]), ("b.txt", ["boat"])],
            ["a.txt", "b.txt"],
            ["-o"],
        ),
    ]
    return fixed + seeded_files(rng, make_for_only, lambda r: ["-o"], stdin_share=0.5)


def count(rng: random.Random) -> list[Case]:
    fixed = [
        stdin_case("-c prints how many lines matched", "a", ["apple", "banana", "cherry"], ["-c"]),
        stdin_case(
            "a line with several matches counts once",
            "a",
            ["banana"],
            ["-c"],
            hint="-c counts lines, not matches",
        ),
        stdin_case("no line matches: 0, exit code 1", "z", ["apple", "kiwi"], ["-c"]),
        files_case(
            "one count per file, zeros included",
            "e",
            [("a.txt", ["pear", "peach", "fig"]), ("b.txt", ["kiwi"]), ("c.txt", ["lime"])],
            ["a.txt", "b.txt", "c.txt"],
            ["-c"],
            hint="print a count for every file, zeros included",
        ),
        stdin_case(
            "the last line counts without its newline", "i", ["kiwi", "lime"], ["-c"], newline_at_end=False
        ),
    ]
    return fixed + seeded_files(rng, make_any_nonempty, lambda r: ["-c"], stdin_share=0.4)


def invert_match(rng: random.Random) -> list[Case]:
    fixed = [
        stdin_case("-v prints the lines that do not match", "a", ["apple", "kiwi", "banana", "fig"], ["-v"]),
        stdin_case(
            "every line matches: nothing printed, exit code 1",
            "\\w",
            ["apple", "kiwi"],
            ["-v"],
            hint="with -v, the exit code says whether a line was printed, not whether one matched",
        ),
        stdin_case("an empty line does not match ^.", "^.", ["apple", "", "kiwi"], ["-v"]),
        stdin_case(
            "-v with -c counts the lines that do not match",
            "e",
            ["pear", "kiwi", "fig", "lemon"],
            ["-v", "-c"],
        ),
        files_case(
            "-v with several files",
            "^#",
            [("a.txt", ["# title", "text"]), ("b.txt", ["# only"])],
            ["a.txt", "b.txt"],
            ["-v"],
        ),
    ]

    def options(r: random.Random) -> list[str]:
        return ["-v", "-c"] if r.random() < 0.3 else ["-v"]

    return fixed + seeded_files(rng, make_any_nonempty, options, stdin_share=0.4)


def color(rng: random.Random) -> list[Case]:
    flag = "--color=always"
    fixed = [
        stdin_case("the match is wrapped in escape sequences", "\\d+", ["12 apples"], [flag]),
        stdin_case("every match in the line is coloured", "a", ["an apple a day"], [flag]),
        files_case(
            "file names and colons are coloured too",
            "pie",
            [("a.txt", ["apple pie"]), ("b.txt", ["pie pie"])],
            ["a.txt", "b.txt"],
            [flag],
            hint="a name is ESC[35mESC[K name ESC[mESC[K, and its colon ESC[36mESC[K:ESC[mESC[K",
        ),
        stdin_case(
            "with -o, each match coloured on its own line", "[aeiou]+", ["queue", "boat"], ["-o", flag]
        ),
        files_case(
            "with -c, names coloured, counts plain",
            "e",
            [("a.txt", ["pear"]), ("b.txt", ["kiwi"])],
            ["a.txt", "b.txt"],
            ["-c", flag],
        ),
        stdin_case(
            "with -v, the lines printed have no match to colour",
            "a",
            ["apple", "kiwi"],
            ["-v", flag],
            hint="with -v, print the selected lines without colour: they hold no match",
        ),
    ]

    def options(r: random.Random) -> list[str]:
        return [*r.choice([[], [], ["-o"], ["-c"]]), flag]

    return fixed + seeded_files(rng, make_for_only, options, stdin_share=0.4)


STAGES: dict[str, Callable[[random.Random], list[Case]]] = {
    "literal-character": literal_character,
    "digits": digits,
    "word-characters": word_characters,
    "positive-groups": positive_groups,
    "negative-groups": negative_groups,
    "combining-classes": combining_classes,
    "start-anchor": start_anchor,
    "end-anchor": end_anchor,
    "one-or-more": one_or_more,
    "zero-or-one": zero_or_one,
    "wildcard": wildcard,
    "alternation": alternation,
    "backreference": backreference,
    "several-backreferences": several_backreferences,
    "multiple-files": multiple_files,
    "recursive": recursive,
    "only-matching": only_matching,
    "count": count,
    "invert-match": invert_match,
    "color": color,
}
