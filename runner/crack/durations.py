"""Durations as a learner reads them in a message: "1 s", "2.5 s", "0.25 s", "30 s".

A limit cut short by the clock (the whole run's time left, a deadline's remainder) is a
float like 0.999997; printed with ``:g`` it reads as a measurement to the microsecond."""

from __future__ import annotations


def format_seconds(seconds: float) -> str:
    """Two significant digits below 10 s, whole seconds from there on; no trailing zeros."""
    if seconds >= 9.95:
        return f"{round(seconds)} s"
    text = f"{seconds:.2g}"
    if "e" in text:  # under 0.0001 s
        text = f"{seconds:.4f}".rstrip("0").rstrip(".") or "0"
    return f"{float(text):g} s"
