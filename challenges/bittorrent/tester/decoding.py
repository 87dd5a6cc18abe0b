"""Stages 1 and 2: ``decode <bencoded value>`` prints the value as JSON.

The JSON is parsed, not compared as text: spacing, key order and escapes are the
learner's choice. Integers and strings must stay what they are (52 is not "52")."""

from __future__ import annotations

import json
import random
from typing import Any

from crack.harness import Harness

from .bencode import Value, encode
from .program import output_text, run_program

WORDS = ["pear", "spam", "hello", "x", "announce", "12:34", "i5e", "le", "ünïcode", "日本", "colon:inside"]


def as_json(value: Value) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, list):
        return [as_json(item) for item in value]
    if isinstance(value, dict):
        return {key.decode("utf-8"): as_json(item) for key, item in value.items()}
    return value


def same(expected: Any, got: Any) -> bool:
    """Equality that tells 1 from true and 1 from 1.0."""
    if type(expected) is not type(got):
        return False
    if isinstance(expected, list):
        return len(expected) == len(got) and all(same(a, b) for a, b in zip(expected, got, strict=True))
    if isinstance(expected, dict):
        return expected.keys() == got.keys() and all(same(expected[k], got[k]) for k in expected)
    return bool(expected == got)


def check_decode(h: Harness, value: Value, hint: str | None = None) -> None:
    encoded = encode(value)
    text = encoded.decode("utf-8")
    ran = run_program(h, ["decode", text])
    out = output_text(h, ran).strip()
    expected = as_json(value)
    shown = json.dumps(expected, ensure_ascii=False)
    try:
        got = json.loads(out)
    except json.JSONDecodeError:
        h.fail(
            f"`decode {text}` printed {out!r}, which is not JSON\nexpected (as JSON): {shown}",
            hint=hint
            or "print the decoded value as JSON on standard output, and write logs to standard error",
        )
    if not same(expected, got):
        h.fail(
            f"`decode {text}`\nexpected (as JSON): {shown}\n     got: {out}",
            hint=hint or _hint(encoded, expected, got),
        )
    h.log(f"decoded {text} -> {shown}")


def _hint(encoded: bytes, expected: Any, got: Any) -> str | None:
    prefix = encoded.split(b":", 1)[0]
    if (
        isinstance(expected, str)
        and isinstance(got, str)
        and len(prefix) > 1
        and prefix.isdigit()
        and len(got.encode()) == int(prefix[:1])
    ):
        return (
            f"the length before the colon can have several digits ({prefix.decode()}: is "
            f"{int(prefix)} bytes): read every digit up to the colon, then take that many bytes "
            "after it"
        )
    if isinstance(expected, str) and isinstance(got, str) and len(got) != len(expected):
        return (
            "the number before the colon counts bytes, not characters: a non-ASCII character "
            "takes two or more bytes in UTF-8"
        )
    if isinstance(expected, int) and isinstance(got, str):
        return "an integer (i…e) is printed as a JSON number, not a string"
    if isinstance(expected, dict) and isinstance(got, dict) and len(got) != len(expected):
        return "a dictionary holds key, value, key, value… until its closing e"
    if not encoded.isascii():
        return (
            "the number before a string's colon counts bytes, not characters: a non-ASCII "
            "character takes two or more bytes in UTF-8, and the next value starts right after them"
        )
    return None


def strings_and_integers(h: Harness) -> None:
    rng = h.random
    cases: list[Value] = [
        b"hello",
        b"",
        rng.choice(WORDS).encode(),
        b"%d:%d" % (rng.randint(10, 99), rng.randint(10, 99)),
        f"ünïcode-{rng.randint(1, 9)}".encode(),
        b"a" * rng.randint(10, 120),
        0,
        rng.randint(1, 999),
        -rng.randint(1, 999),
        rng.randint(2**40, 2**62),
        -(2**63) + rng.randint(0, 10),
    ]
    rng.shuffle(cases)
    for case in cases:
        check_decode(h, case)


def _value(rng: random.Random, depth: int) -> Value:
    kind = rng.choice(["str", "int", "list", "dict"] if depth < 3 else ["str", "int"])
    if kind == "str":
        return rng.choice(WORDS).encode()
    if kind == "int":
        return rng.randint(-(10**6), 10**12)
    if kind == "list":
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {rng.choice(WORDS).encode(): _value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def lists_and_dictionaries(h: Harness) -> None:
    rng = h.random
    cases: list[Value] = [
        [b"hello", 52],
        [],
        {},
        [[], [[]], {b"le": []}],
        {b"foo": b"bar", b"hello": 52},
        ["über".encode(), b"x", 7],
        {"naïve".encode(): "café".encode(), b"z": []},
        {b"inner": {b"list": [b"i5e", -3, {b"": b"e"}]}, b"n": 0},
        [_value(rng, 1) for _ in range(rng.randint(2, 5))],
        {rng.choice(WORDS).encode() + b"%d" % i: _value(rng, 1) for i in range(rng.randint(2, 5))},
    ]
    for case in cases:
        check_decode(h, case)
