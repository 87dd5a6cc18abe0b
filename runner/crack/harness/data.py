"""Seeded test data at the edges stage pages name: case, non-ASCII, huge and negative
integers, empty, long and binary values.

A tester that draws its inputs only from friendly pools (lower-case ASCII words, small
positive numbers) lets through every program that breaks on the rest: a comparison that
ignores case, ``str.isdigit()`` taking "²" for a digit, a varint decoder wrong on its 9th
byte. These generators make the edges cheap to reach for, so each tester feeds them.

The values come from their own random stream, derived from the run's seed and the stage
(``--seed`` replays them), and apart from ``h.random``: drawing edge values does not shift
the rest of a stage's seeded data.
"""

from __future__ import annotations

import random
import string
from collections.abc import Sequence

NON_ASCII_DIGITS = (
    "²",  # SUPERSCRIPT TWO: str.isdigit() is true, str.isdecimal() false
    "³",  # SUPERSCRIPT THREE
    "¹",  # SUPERSCRIPT ONE
    "٣",  # ARABIC-INDIC DIGIT THREE: isdecimal() too
    "७",  # DEVANAGARI DIGIT SEVEN
    "５",  # FULLWIDTH DIGIT FIVE
    "①",  # CIRCLED DIGIT ONE
)
"""Characters that Unicode-aware digit tests accept and ASCII ``[0-9]`` does not."""

NON_ASCII_WORDS = (
    "café", "naïve", "Gruyère", "Kraków", "Malmö", "Zürich", "straße", "São", "Ωmega", "Москва",
    "東京", "Ελλάδα", "niño", "façade", "smörgåsbord", "Đà", "İzmir", "ﬁle",
)  # fmt: skip
"""Words with letters outside ASCII, of 2- to 3-byte UTF-8 characters (several change
length or spelling under case mapping: ß, İ, ﬁ)."""

BINARY_MUST = (b"\x00", b"\xff", b"\r\n", b"\x80", b"\xc3\x28")
"""Bytes every binary value holds at least once: NUL, bytes that are not UTF-8 (a lone
continuation byte, an invalid two-byte sequence) and a CRLF."""


class EdgeData:
    """The generators a tester reaches through ``h.data``."""

    def __init__(self, seed: int | str, stage: str) -> None:
        self.random = random.Random(f"{seed}:{stage}:edge-data")

    # --- text ----------------------------------------------------------------------------
    def case_variants(self, text: str) -> list[str]:
        """Spellings of ``text`` that differ from it only in case (upper, lower, title,
        swapped and a seeded mix), each different from ``text``, none repeated. Empty when
        ``text`` has no cased letter."""
        candidates = [text.upper(), text.lower(), text.title(), text.swapcase(), self._mixed_case(text)]
        variants: list[str] = []
        for candidate in candidates:
            # Only same-length mappings: "ß".upper() is "SS", which is another word.
            if candidate != text and len(candidate) == len(text) and candidate not in variants:
                variants.append(candidate)
        return variants

    def case_variant(self, text: str) -> str:
        """One spelling of ``text`` that differs from it only in case (seeded choice)."""
        variants = self.case_variants(text)
        if not variants:
            raise ValueError(f"{text!r} has no letter whose case can change")
        return self.random.choice(variants)

    def _mixed_case(self, text: str) -> str:
        flipped = [c.swapcase() if self.random.random() < 0.5 else c for c in text]
        return "".join(flipped)

    def non_ascii_digit(self) -> str:
        """A character ``str.isdigit()`` accepts that is not one of 0–9."""
        return self.random.choice(NON_ASCII_DIGITS)

    def non_ascii_word(self) -> str:
        return self.random.choice(NON_ASCII_WORDS)

    def long_text(self, length: int, alphabet: str = string.ascii_lowercase) -> str:
        """``length`` characters drawn from ``alphabet``."""
        return "".join(self.random.choice(alphabet) for _ in range(length))

    @staticmethod
    def empty() -> str:
        """The empty value (named, so a tester says what edge it covers)."""
        return ""

    # --- integers ------------------------------------------------------------------------
    def huge_int(self, bits: int = 64, *, at_least_bits: int | None = None) -> int:
        """A positive integer that fits a signed ``bits``-bit integer and needs more than
        ``at_least_bits`` bits (default: ``bits`` − 8, the top byte)."""
        low = 1 << (bits - 8 if at_least_bits is None else at_least_bits)
        return self.random.randrange(low, 1 << (bits - 1))

    def negative_int(self, bits: int = 64) -> int:
        """A negative integer that fits a signed ``bits``-bit integer, from −1 down to its
        minimum (either end is as likely as the magnitudes between)."""
        magnitude_bits = self.random.randint(1, bits - 1)
        return -self.random.randint(1, 1 << magnitude_bits)

    @staticmethod
    def around_powers_of_two(exponents: Sequence[int]) -> list[int]:
        """2**e − 1 and 2**e for each exponent: where a length prefix or a varint gains a
        byte."""
        return [value for e in exponents for value in ((1 << e) - 1, 1 << e)]

    @staticmethod
    def signed_limits(bits: int = 64) -> list[int]:
        """The smallest, −1, 0, 1 and the largest signed ``bits``-bit integers."""
        top = 1 << (bits - 1)
        return [-top, -1, 0, 1, top - 1]

    # --- bytes ---------------------------------------------------------------------------
    def binary(self, length: int) -> bytes:
        """About ``length`` random bytes (at least 20) that hold NUL, 0xFF, CRLF and sequences
        that are not UTF-8, at seeded places."""
        length = max(length, sum(len(b) for b in BINARY_MUST) * 2)
        data = bytearray(self.random.randbytes(length))
        for chunk in BINARY_MUST:
            at = self.random.randrange(length - len(chunk) + 1)
            data[at : at + len(chunk)] = chunk
        for chunk in BINARY_MUST:  # a later chunk may have covered an earlier one
            if chunk not in data:
                data += chunk
        return bytes(data)
