"""Showing bytes to a learner: escaped, quoted, and short enough to read."""

from __future__ import annotations

_ESCAPES = {ord("\r"): "\\r", ord("\n"): "\\n", ord("\t"): "\\t", ord("\\"): "\\\\", ord('"'): '\\"'}


def escape(data: bytes) -> str:
    """Printable ASCII as is, CR/LF/TAB as ``\\r\\n\\t``, any other byte as ``\\xNN``."""
    out = []
    for byte in data:
        if byte in _ESCAPES:
            out.append(_ESCAPES[byte])
        elif 0x20 <= byte < 0x7F:
            out.append(chr(byte))
        else:
            out.append(f"\\x{byte:02x}")
    return "".join(out)


def show(data: bytes, limit: int = 200) -> str:
    """``"…"``-quoted escaped bytes, cut with a count when longer than ``limit`` bytes."""
    if len(data) <= limit:
        return f'"{escape(data)}"'
    return f'"{escape(data[:limit])}"… ({len(data)} bytes in all)'


def caret_under(data: bytes, index: int, limit: int = 200) -> str:
    """Two lines: the escaped bytes, and a caret under byte ``index``."""
    start = max(0, index - limit // 2)
    shown = data[start : start + limit]
    prefix = escape(shown[: index - start])
    return f'"{escape(shown)}"\n ' + " " * len(prefix) + "^"
