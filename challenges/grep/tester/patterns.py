"""The regular expressions of this challenge as small syntax trees: render, sample, mutate.

The tester never matches with these trees. It builds a pattern as a tree so it can write
it out (``render``) and produce text that matches it (``sample``) or nearly does
(``sample(..., break_backrefs=True)``, ``near_misses``); which lines really match is then
decided by the model (``model.py``), never assumed from how a line was made.

The syntax is the subset the stages teach, which reads the same in POSIX extended syntax,
in Perl's and in Python's ``re``: literal characters, ``\\d``, ``\\w``, ``[abc]``,
``[^abc]``, ``.``, ``^``, ``$``, ``+`` and ``?`` after one item, groups with ``|``, and
``\\1``-style backreferences.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

LOWER = string.ascii_lowercase
UPPER = string.ascii_uppercase
DIGITS = string.digits
WORD_CHARS = LOWER + UPPER + DIGITS + "_"
SYMBOLS = " ,.!?:;-_@#=+*/()<>[]{}&~^$|"
"""Characters that may appear in input lines besides letters and digits: no ``\\`` or ``%``
(so every input can be shown as a ``printf '...'`` command a learner can paste) and no
quotes (so that command stays easy to read)."""
TEXT_CHARS = LOWER + UPPER + DIGITS + SYMBOLS
LITERAL_SAFE = LOWER + UPPER + DIGITS + " ,!:;-_@#=<>&~"
"""Characters written as themselves in a pattern: none is special in any of the syntaxes."""


@dataclass(frozen=True)
class Lit:
    char: str


@dataclass(frozen=True)
class Digit:
    pass


@dataclass(frozen=True)
class Word:
    pass


@dataclass(frozen=True)
class AnyChar:
    pass


@dataclass(frozen=True)
class Cls:
    chars: str
    negated: bool = False


@dataclass(frozen=True)
class Start:
    pass


@dataclass(frozen=True)
class End:
    pass


@dataclass(frozen=True)
class Repeat:
    node: Node
    op: str  # "+" or "?"


@dataclass(frozen=True)
class Group:
    index: int
    alternatives: tuple[tuple[Node, ...], ...]


@dataclass(frozen=True)
class Backref:
    index: int


Node = Lit | Digit | Word | AnyChar | Cls | Start | End | Repeat | Group | Backref
Seq = tuple[Node, ...]


def render(seq: Seq) -> str:
    return "".join(_render(node) for node in seq)


def _render(node: Node) -> str:
    if isinstance(node, Lit):
        return node.char
    if isinstance(node, Digit):
        return "\\d"
    if isinstance(node, Word):
        return "\\w"
    if isinstance(node, AnyChar):
        return "."
    if isinstance(node, Cls):
        return "[" + ("^" if node.negated else "") + node.chars + "]"
    if isinstance(node, Start):
        return "^"
    if isinstance(node, End):
        return "$"
    if isinstance(node, Repeat):
        return _render(node.node) + node.op
    if isinstance(node, Group):
        return "(" + "|".join(render(alt) for alt in node.alternatives) + ")"
    return f"\\{node.index}"


def anchored_start(seq: Seq) -> bool:
    return bool(seq) and isinstance(seq[0], Start)


def anchored_end(seq: Seq) -> bool:
    return bool(seq) and isinstance(seq[-1], End)


def groups_of(seq: Seq) -> dict[int, Group]:
    found: dict[int, Group] = {}

    def walk(nodes: Seq) -> None:
        for node in nodes:
            inner = node.node if isinstance(node, Repeat) else node
            if isinstance(inner, Group):
                found[inner.index] = inner
                for alt in inner.alternatives:
                    walk(alt)

    walk(seq)
    return found


def sample(rng: random.Random, seq: Seq, *, break_backrefs: bool = False) -> str:
    """A string the pattern matches in full (anchors aside).

    With ``break_backrefs``, each backreference produces a fresh sample of its group instead
    of the captured text: usually a near miss for patterns that repeat a capture.
    """
    captures: dict[int, str] = {}
    groups = groups_of(seq)

    def one(node: Node) -> str:
        if isinstance(node, Lit):
            return node.char
        if isinstance(node, Digit):
            return rng.choice(DIGITS)
        if isinstance(node, Word):
            return rng.choice(WORD_CHARS)
        if isinstance(node, AnyChar):
            return rng.choice(TEXT_CHARS)
        if isinstance(node, Cls):
            if node.negated:
                return rng.choice([c for c in TEXT_CHARS if c not in node.chars])
            return rng.choice(node.chars)
        if isinstance(node, (Start, End)):
            return ""
        if isinstance(node, Repeat):
            count = rng.choice([1, 1, 2, 3]) if node.op == "+" else rng.choice([0, 1])
            return "".join(one(node.node) for _ in range(count))
        if isinstance(node, Group):
            text = many(rng.choice(node.alternatives))
            captures[node.index] = text
            return text
        if break_backrefs:
            return many(rng.choice(groups[node.index].alternatives))
        return captures.get(node.index, "")

    def many(nodes: Seq) -> str:
        return "".join(one(node) for node in nodes)

    return many(seq)


def mutate(rng: random.Random, text: str) -> str:
    """One small edit: a character replaced, dropped, doubled or swapped with its neighbour."""
    if not text:
        return rng.choice(TEXT_CHARS)
    i = rng.randrange(len(text))
    kind = rng.choice(["replace", "replace", "drop", "double", "swap"])
    if kind == "replace":
        return text[:i] + rng.choice(TEXT_CHARS) + text[i + 1 :]
    if kind == "drop":
        return text[:i] + text[i + 1 :]
    if kind == "double":
        return text[:i] + text[i] + text[i:]
    if i + 1 < len(text):
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:-1]


def can_match_empty(seq: Seq) -> bool:
    """Whether some match of the pattern is the empty string (ignoring anchors)."""

    def node_empty(node: Node) -> bool:
        if isinstance(node, (Start, End)):
            return True
        if isinstance(node, Repeat):
            return node.op == "?" or node_empty(node.node)
        if isinstance(node, Group):
            return any(all(node_empty(n) for n in alt) for alt in node.alternatives)
        # A backreference may repeat a group that captured nothing.
        return isinstance(node, Backref)

    return all(node_empty(node) for node in seq)


# --- turning text into a pattern that matches it ------------------------------------------


def atom_for(rng: random.Random, char: str, kinds: tuple[str, ...]) -> Node:
    """One pattern item that matches ``char``, of a kind picked from ``kinds``.

    kinds: "lit", "digit", "word", "class", "negclass", "any". A kind that cannot match
    ``char`` (``\\d`` for a letter) is skipped; a literal is the fallback.
    """
    options: list[Node] = []
    for kind in kinds:
        if kind == "lit" and char in LITERAL_SAFE:
            options.append(Lit(char))
        elif kind == "digit" and char in DIGITS:
            options.append(Digit())
        elif kind == "word" and char in WORD_CHARS:
            options.append(Word())
        elif kind == "class" and char in LOWER + DIGITS:
            pool = LOWER if char in LOWER else DIGITS
            others = rng.sample([c for c in pool if c != char], rng.randint(1, 3))
            members = [char, *others]
            rng.shuffle(members)
            options.append(Cls("".join(members)))
        elif kind == "negclass":
            outside = [c for c in LOWER + DIGITS if c != char]
            options.append(Cls("".join(rng.sample(outside, rng.randint(1, 3))), negated=True))
        elif kind == "any":
            options.append(AnyChar())
    if not options:
        if char not in LITERAL_SAFE:
            return AnyChar()
        return Lit(char)
    return rng.choice(options)


def from_text(rng: random.Random, text: str, kinds: tuple[str, ...], literal_share: float = 0.5) -> Seq:
    """A sequence of items matching ``text`` character by character.

    About ``literal_share`` of the characters stay literal; the others become an item of a
    kind from ``kinds``.
    """
    seq: list[Node] = []
    for char in text:
        if rng.random() < literal_share and char in LITERAL_SAFE:
            seq.append(Lit(char))
        else:
            seq.append(atom_for(rng, char, kinds))
    return tuple(seq)


def quantify(rng: random.Random, seq: Seq, op: str, count: int = 1) -> Seq:
    """``seq`` with ``op`` ("+" or "?") put after ``count`` of its single-character items."""
    items = list(seq)
    spots = [i for i, node in enumerate(items) if isinstance(node, (Lit, Digit, Word, AnyChar, Cls))]
    for i in rng.sample(spots, min(count, len(spots))):
        items[i] = Repeat(items[i], op)
    return tuple(items)
