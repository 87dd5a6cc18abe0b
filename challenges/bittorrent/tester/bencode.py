"""Bencode, the tester's own: to build the inputs of the decode stages and to read what
trackers and torrents hold. Byte strings stay bytes: a torrent's ``pieces`` is binary."""

from __future__ import annotations

Value = int | bytes | list["Value"] | dict[bytes, "Value"]


def encode(value: Value) -> bytes:
    if isinstance(value, bool):
        raise TypeError("bencode has no booleans")
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, bytes):
        return b"%d:%s" % (len(value), value)
    if isinstance(value, list):
        return b"l" + b"".join(encode(item) for item in value) + b"e"
    return b"d" + b"".join(encode(key) + encode(value[key]) for key in sorted(value)) + b"e"


class BencodeError(ValueError):
    pass


def decode(data: bytes) -> Value:
    value, end = decode_at(data, 0)
    if end != len(data):
        raise BencodeError(f"{len(data) - end} byte(s) after the value")
    return value


def decode_at(data: bytes, at: int) -> tuple[Value, int]:
    """The value starting at ``at`` and the index just after it."""
    if at >= len(data):
        raise BencodeError("the data ends before the value does")
    head = data[at : at + 1]
    if head == b"i":
        end = data.index(b"e", at)
        return int(data[at + 1 : end]), end + 1
    if head == b"l":
        items: list[Value] = []
        at += 1
        while data[at : at + 1] != b"e":
            item, at = decode_at(data, at)
            items.append(item)
        return items, at + 1
    if head == b"d":
        result: dict[bytes, Value] = {}
        at += 1
        while data[at : at + 1] != b"e":
            key, at = decode_at(data, at)
            if not isinstance(key, bytes):
                raise BencodeError("a dictionary key is not a string")
            result[key], at = decode_at(data, at)
        return result, at + 1
    if head.isdigit():
        colon = data.index(b":", at)
        length = int(data[at:colon])
        start = colon + 1
        if start + length > len(data):
            raise BencodeError("a string is longer than the data")
        return data[start : start + length], start + length
    raise BencodeError(f"unexpected byte {head!r} at {at}")


def raw_value(data: bytes, key: bytes) -> bytes:
    """The bytes of ``key``'s value in the top-level dictionary ``data``, as they appear."""
    at = 1
    while data[at : at + 1] != b"e":
        name, at = decode_at(data, at)
        _, end = decode_at(data, at)
        if name == key:
            return data[at:end]
        at = end
    raise KeyError(key)
