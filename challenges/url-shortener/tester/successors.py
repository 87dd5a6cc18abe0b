"""Guessing the next codes of a counter-based generator, to take them as aliases first.

A generator that counts (1, 2, 3… written in base 62, padded) hands out predictable codes.
That is allowed, but it must skip a code an alias already took; one that does not
overwrites the alias's link. To test that, the tester reads a few generated codes in a
row, looks for an alphabet in which they are evenly spaced numbers, and reserves the next
ones as aliases. A generator whose codes are not such a sequence (random, scrambled) gets
no prediction and cannot overwrite by this route: the same checks then just pass.
"""

from __future__ import annotations

import itertools
import string
from collections.abc import Sequence

ALPHABETS = (
    string.digits + string.ascii_uppercase + string.ascii_lowercase,
    string.digits + string.ascii_lowercase + string.ascii_uppercase,
    string.ascii_uppercase + string.ascii_lowercase + string.digits,
    string.ascii_lowercase + string.ascii_uppercase + string.digits,
    string.digits + string.ascii_lowercase,
    string.digits + string.ascii_uppercase,
    string.digits,
)
"""Digit orders counters are written in: base 62 in its common orders, base 36, base 10."""

MAX_STEP = 1000


def _decode(code: str, alphabet: str) -> int | None:
    value = 0
    for char in code:
        digit = alphabet.find(char)
        if digit < 0:
            return None
        value = value * len(alphabet) + digit
    return value


def _encode(value: int, alphabet: str, width: int) -> str:
    chars = []
    while value:
        value, digit = divmod(value, len(alphabet))
        chars.append(alphabet[digit])
    return "".join(reversed(chars)).rjust(width, alphabet[0])


def next_codes(codes: Sequence[str], count: int) -> list[str]:
    """The ``count`` codes after ``codes`` if they count up evenly in some alphabet (the
    smallest step wins), else none."""
    best: tuple[int, str] | None = None
    for alphabet in ALPHABETS:
        decoded = [_decode(code, alphabet) for code in codes]
        values = [v for v in decoded if v is not None]
        if len(values) != len(codes) or len(values) < 2:
            continue
        steps = {b - a for a, b in itertools.pairwise(values)}
        if len(steps) == 1 and 0 < (step := steps.pop()) <= MAX_STEP and (best is None or step < best[0]):
            best = (step, alphabet)
    if best is None:
        return []
    step, alphabet = best
    last = _decode(codes[-1], alphabet)
    assert last is not None
    width = len(codes[-1])
    return [_encode(last + step * i, alphabet, width) for i in range(1, count + 1)]
