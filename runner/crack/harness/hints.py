"""Hints for known mistakes, recognised in what the learner's program printed."""

from __future__ import annotations

_KNOWN = (
    (
        ("Address already in use", "EADDRINUSE"),
        "the port was already taken when your program tried to listen: set SO_REUSEADDR "
        "before bind, and make sure no earlier run of your program is still alive",
    ),
    (
        ("SyntaxError", "IndentationError"),
        "your program does not compile: its output above shows where",
    ),
    (
        ("ModuleNotFoundError", "ImportError"),
        "your program imports a module that cannot be found: check the name, and keep to "
        "the standard library unless your template says otherwise",
    ),
    (
        ("unrecognized arguments", "unknown option", "invalid option"),
        "your program rejected the arguments the tester passes: accept them (e.g. --port N)",
    ),
)


def hint_from_output(output: str) -> str | None:
    for needles, hint in _KNOWN:
        if any(needle in output for needle in needles):
            return hint
    return None
