"""The shortener's client: the harness's logged HTTP API client, plus the logical time.

Every request carries ``X-Now-Ms``, the tester's logical time (see
:mod:`crack.harness.clock`), so the expiry stage never sleeps and every other stage sends
the same header a program may already read.
"""

from __future__ import annotations

from crack.harness import Harness, LogicalClock
from crack.harness.http_api import REQUEST_TIMEOUT_S, HttpApi, Reply


class ShortenerApi(HttpApi):
    """An httpx client on the program's port; ``clock`` is sent as ``X-Now-Ms``."""

    def __init__(self, h: Harness, port: int, clock: LogicalClock, *, connections: int = 8) -> None:
        super().__init__(h, port, connections=connections)
        self.clock = clock
        self.show_time = False
        """Log the logical time with each request (the expiry stage)."""

    def per_request_headers(self) -> dict[str, str]:
        return {"X-Now-Ms": str(self.clock.now_ms)}

    def request_note(self) -> str:
        if not self.show_time:
            return ""
        return f" (X-Now-Ms: {self.clock.now_ms}, +{self.clock.elapsed_ms:,} ms)"

    def shorten(
        self,
        payload: object,
        *,
        headers: dict[str, str] | None = None,
        quiet: bool = False,
        timeout: float = REQUEST_TIMEOUT_S,
    ) -> Reply:
        """POST /api/links with ``payload`` as JSON."""
        return self.post("/api/links", payload, headers=headers, quiet=quiet, timeout=timeout)
