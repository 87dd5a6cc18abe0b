"""The interview's clock: the wall clock, or a fixed instant from ``CRACK_NOW``.

An interview lasts tens of minutes across many ``crack`` processes, so its timer is a
deadline stored on disk and compared with the wall clock by each command. ``CRACK_NOW``
replaces the wall clock with a fixed instant (ISO 8601, or seconds since the epoch), so a
whole interview can be replayed in a test, or rehearsed, without waiting for real time.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from crack.errors import CrackUsageError

CLOCK_ENV = "CRACK_NOW"


def parse_instant(text: str) -> datetime:
    """An ISO 8601 time (UTC when it names no zone) or seconds since the epoch."""
    value = text.strip()
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise CrackUsageError(
            f"{CLOCK_ENV}={text!r} is not a time: use ISO 8601 (2026-01-31T14:05:00Z) "
            "or seconds since the epoch"
        ) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def now() -> datetime:
    """The current instant, timezone-aware (UTC)."""
    fake = os.environ.get(CLOCK_ENV)
    if fake:
        return parse_instant(fake)
    return datetime.now(UTC)


def clock_text(seconds: float) -> str:
    """A duration as a timer shows it: ``12:34``, or ``1:02:03`` from an hour up."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
