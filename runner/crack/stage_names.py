"""How a learner names a stage on the command line: by its slug or by its number, as
`crack status` shows it; a near miss of a slug gets the closest ones back."""

from __future__ import annotations

from crack.challenge.model import Challenge, Stage
from crack.errors import CrackUsageError


def find_stage(challenge: Challenge, name: str, option: str | None = None) -> Stage:
    """The stage ``name`` means: its slug, or its number as `crack status` shows it. A
    near miss of a slug is answered with the closest slugs ("did you mean")."""
    import difflib

    prefix = f"{option}: " if option else ""
    text = name.strip()
    count = len(challenge.stages)
    if text.isdigit():
        if 1 <= int(text) <= count:
            return challenge.stages[int(text) - 1]
        raise CrackUsageError(
            f"{prefix}{challenge.slug} has no stage {text}: its stages are numbered 1 to {count} "
            "(see `crack status`)"
        )
    try:
        return challenge.stage(text)
    except KeyError:
        pass
    slugs = challenge.stage_slugs
    close = difflib.get_close_matches(text.lower(), slugs, n=1, cutoff=0.6)
    if close:
        guess = f"'{close[0]}' (stage {challenge.stage_number(close[0])})"
        raise CrackUsageError(f"{prefix}'{name}' is not a stage of {challenge.slug}: did you mean {guess}?")
    raise CrackUsageError(
        f"{prefix}'{name}' is not a stage of {challenge.slug} "
        f"(give a stage's number, 1 to {count}, or its name: {', '.join(slugs)})"
    )
