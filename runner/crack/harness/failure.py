"""The one exception a tester raises: its text is exactly what the learner reads."""

from __future__ import annotations


class StageFailure(Exception):
    """The learner's program did something other than what the stage expects.

    ``message`` says what was sent, what was expected and what came back; ``hint``, when the
    failure matches a known mistake, says what usually causes it.
    """

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def with_context(self, prefix: str) -> StageFailure:
        """The same failure with a line of context in front (e.g. which client saw it)."""
        return type(self)(f"{prefix}{self.message}", self.hint)


class ProgramIOError(StageFailure):
    """Talking to the learner's program broke: it timed out, closed, or reset the connection.

    ``received`` is what arrived before the problem, so a protocol reader can say
    "got 4 bytes, then nothing" instead of a bare "timed out".
    """

    def __init__(self, message: str, hint: str | None = None, received: bytes = b"") -> None:
        super().__init__(message, hint)
        self.received = received

    def with_context(self, prefix: str) -> StageFailure:
        return type(self)(f"{prefix}{self.message}", self.hint, self.received)


class ReadTimeout(ProgramIOError):
    pass


class ConnectionClosed(ProgramIOError):
    pass
