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


_C1_FIRST, _C1_END = 0x80, 0xA0
_CONTROLS: dict[int, str] = {
    **{code: f"\\x{code:02x}" for code in range(0x20) if code not in (0x09, 0x0A)},
    0x0D: "\\r",
    0x7F: "\\x7f",
    **{code: f"\\u{code:04x}" for code in range(_C1_FIRST, _C1_END)},
}


def printable(text: str) -> str:
    """``text`` with every control character escaped, so it can go to a terminal as is.

    A learner's program may print anything; decoded as UTF-8 (undecodable bytes already
    shown as U+FFFD), its ESC, CR, backspace or BEL would move the cursor, recolour or
    clear the learner's terminal. They are written as :func:`escape` writes bytes
    (``\\r``, ``\\x1b``); C1 controls, which only exist as decoded characters, as
    ``\\u0085``. Newlines and tabs stay: they are how text is laid out.
    """
    return text.translate(_CONTROLS)


def bounded(text: str, limit: int, what: str) -> str:
    """Learner output bound for a message, a log or a report: at most ``limit`` characters
    of ``text``, made :func:`printable`, with a notice saying what was cut ("… (the
    message is cut here: 12,093,414 characters in all)"). It is cut before it is escaped,
    so a 10 MB flood costs nothing to escape."""
    if len(text) <= limit:
        return printable(text)
    return printable(text[:limit]) + f"… ({what} is cut here: {len(text):,} characters in all)"
