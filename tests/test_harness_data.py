"""The harness's edge-value generators: seeded, and each value really is at its edge."""

from __future__ import annotations

from crack.harness.data import BINARY_MUST, EdgeData


def test_same_seed_and_stage_give_the_same_values_and_another_stage_others() -> None:
    def draw(data: EdgeData) -> tuple[object, ...]:
        return (data.case_variant("India"), data.huge_int(), data.negative_int(), data.binary(64))

    assert draw(EdgeData(7, "where")) == draw(EdgeData(7, "where"))
    assert draw(EdgeData(7, "where")) != draw(EdgeData(7, "tables"))
    assert draw(EdgeData(7, "where")) != draw(EdgeData(8, "where"))


def test_case_variants_differ_from_the_text_only_in_case() -> None:
    data = EdgeData(1, "s")
    for text in ("India", "north america", "ABC", "Gruyère", "straße"):
        variants = data.case_variants(text)
        assert variants, text
        for variant in variants:
            assert variant != text and variant.casefold() == text.casefold() and len(variant) == len(text)
        assert len(set(variants)) == len(variants)
    assert data.case_variants("123 -") == []


def test_non_ascii_digits_fool_isdigit_but_not_ascii_classes() -> None:
    data = EdgeData(1, "s")
    for _ in range(20):
        digit = data.non_ascii_digit()
        assert digit.isdigit() and not digit.isascii() and digit not in "0123456789"
    assert not data.non_ascii_word().isascii()


def test_integers_sit_at_their_edges() -> None:
    data = EdgeData(3, "s")
    for _ in range(200):
        huge = data.huge_int(64)
        assert 1 << 56 <= huge < 1 << 63
        negative = data.negative_int(64)
        assert -(1 << 63) <= negative <= -1
    assert data.around_powers_of_two([7, 14]) == [127, 128, 16383, 16384]
    assert data.signed_limits(8) == [-128, -1, 0, 1, 127]


def test_binary_holds_nul_invalid_utf8_and_crlf() -> None:
    data = EdgeData(5, "s")
    for length in (0, 20, 300):
        blob = data.binary(length)
        assert len(blob) >= length
        for chunk in BINARY_MUST:
            assert chunk in blob
    assert data.long_text(1000).isascii() and len(data.long_text(1000)) == 1000
    assert data.empty() == ""
