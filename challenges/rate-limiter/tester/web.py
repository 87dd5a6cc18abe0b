"""Stage 9: the limiter behind HTTP, driven by a real client (httpx).

The program runs as ``--http --port N --config '<algorithm> key=value…'``. Each request
carries the time in ``X-Now-Ms`` and the client in ``X-Client-Id``; the answer is 200 or
429 with ``X-RateLimit-Limit``, ``X-RateLimit-Remaining`` and ``X-RateLimit-Reset`` on
both, and ``Retry-After`` on a 429. Times in headers are whole seconds, rounded up, so a
client that waits what it was told is never refused again for the same reason.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from crack.harness import Harness, LogicalClock, StageFailure

from . import model as m
from .check import window_start_after

if TYPE_CHECKING:
    import httpx

PATH = "/api/orders"
HINT_429 = (
    "the status for a refused request is 429 Too Many Requests (RFC 6585), so clients can "
    "tell “slow down” from “forbidden” (403) or “broken” (503)"
)
HINT_RETRY_MS = "Retry-After counts whole seconds (RFC 9110), not milliseconds: round the retry time up"
HINT_ROUND_UP = (
    "round up: 6,001 ms is Retry-After: 7. A client that waits 6 s and retries would be refused again"
)
HINT_RESET_EPOCH = "X-RateLimit-Reset here counts seconds from now (rounded up), not a Unix time"
HINT_HEADERS = (
    "every answer, 200 and 429 alike, carries X-RateLimit-Limit, X-RateLimit-Remaining and "
    "X-RateLimit-Reset; a 429 adds Retry-After"
)


def ceil_seconds(ms: int) -> int:
    return -(-ms // 1000)


class Front:
    """One program serving HTTP with one limiter configuration."""

    def __init__(self, h: Harness, config: m.Config, clock: LogicalClock) -> None:
        import httpx

        self.h, self.config, self.clock = h, config, clock
        self.model = m.build(config)
        port = h.free_port()
        process = h.start_program(["--http", "--port", str(port), "--config", config.text])
        h.wait_for_port(process, port)
        self.client = httpx.Client(
            base_url=f"http://127.0.0.1:{port}",
            trust_env=False,
            timeout=httpx.Timeout(max(min(3.0, h.remaining() - 0.5), 0.5)),
            headers={"User-Agent": "crack-httpx", "Accept-Encoding": "identity"},
        )
        h.defer(self.client.close)
        self.history: dict[str, deque[str]] = {}

    def _send(self, headers: dict[str, str]) -> httpx.Response:
        import httpx

        shown = ", ".join(f"{k}: {v}" for k, v in headers.items())
        self.h.log(f"httpx: > GET {PATH} ({shown})")
        try:
            response = self.client.get(PATH, headers=headers)
        except httpx.HTTPError as exc:
            raise StageFailure(
                f"GET {PATH} ({shown}): httpx could not complete the request: {exc or type(exc).__name__}",
                hint="answer every request with a complete HTTP/1.1 response "
                "(status line, headers with Content-Length, blank line, body)",
            ) from None
        got = ", ".join(f"{k}: {v}" for k, v in _limit_headers(response).items())
        self.h.log(f"httpx: < {response.status_code} {response.reason_phrase} ({got})")
        return response

    def request(self, now: int, client: str, note: str = "") -> None:
        """One request, checked against the model: status and every rate-limit header."""
        if note:
            self.h.log(f"({note})")
        self.clock.set(max(self.clock.now_ms, now))
        headers = {"X-Now-Ms": str(now), "X-Client-Id": client}
        response = self._send(headers)
        reply = self.model.allow(client, now)
        reset = self.model.reset_ms(client, now)  # type: ignore[attr-defined]
        status = 200 if reply.word == "ALLOWED" else 429
        expected = {
            "X-RateLimit-Limit": str(self.config.limit),
            "X-RateLimit-Remaining": str(reply.value if status == 200 else 0),
            "X-RateLimit-Reset": str(ceil_seconds(reset)),
        }
        if status == 429:
            expected["Retry-After"] = str(ceil_seconds(reply.value))
        got = {name: response.headers.get(name) for name in expected}
        if response.status_code != status or got != expected:
            hint = _hint(status, response.status_code, expected, got, reply.value, now)
            raise StageFailure(self._explain(now, client, status, expected, response, note), hint=hint)
        line = f"{response.status_code} ({', '.join(f'{k}: {v}' for k, v in got.items())})"
        self.history.setdefault(client, deque(maxlen=6)).append(f"t={now}: {line}")

    def _explain(
        self,
        now: int,
        client: str,
        status: int,
        expected: dict[str, str],
        response: httpx.Response,
        note: str,
    ) -> str:
        reason = "OK" if status == 200 else "Too Many Requests"
        lines = [
            f"GET {PATH} with X-Now-Ms: {now} (+{now - self.clock.start_ms:,} ms), X-Client-Id: {client}"
            + (f" ({note})" if note else ""),
            f"expected {status} {reason} with",
            *(f"  {k}: {v}" for k, v in expected.items()),
            f"     got {response.status_code} {response.reason_phrase} with",
            *(f"  {k}: {v}" for k, v in _limit_headers(response).items()),
        ]
        if not _limit_headers(response):
            lines.append("  (no rate-limit headers)")
        lines.append(f"The limiter: --config '{self.config.text}'")
        earlier = self.history.get(client)
        if earlier:
            lines.append(f"{client}'s requests before it:")
            lines += [f"  {entry}" for entry in earlier]
        return "\n".join(lines)

    def expect_bad_request(self) -> None:
        """A request that names no client cannot be limited: 400."""
        now = self.clock.now_ms
        response = self._send({"X-Now-Ms": str(now)})
        if response.status_code != 400:
            raise StageFailure(
                f"GET {PATH} with X-Now-Ms: {now} and no X-Client-Id: expected 400 Bad Request, "
                f"got {response.status_code} {response.reason_phrase}",
                hint="a request that does not say who is asking cannot be counted against anyone: "
                "answer 400 when X-Client-Id (or X-Now-Ms) is missing",
            )


def _limit_headers(response: httpx.Response) -> dict[str, str]:
    names = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After")
    return {name: response.headers[name] for name in names if name in response.headers}


def _hint(
    status: int,
    got_status: int,
    expected: dict[str, str],
    got: dict[str, str | None],
    retry_ms: int,
    now: int,
) -> str | None:
    if status == 429 and got_status in (403, 420, 503):
        return HINT_429
    if got_status != status:
        return None
    if status == 429 and got.get("Retry-After") == str(retry_ms) and retry_ms > 1:
        return HINT_RETRY_MS
    if status == 429 and got.get("Retry-After") == str(retry_ms // 1000):
        return HINT_ROUND_UP
    reset = got.get("X-RateLimit-Reset")
    if reset and reset.isdigit() and int(reset) > 1_000_000_000:
        return HINT_RESET_EPOCH
    if any(value is None for value in got.values()):
        return HINT_HEADERS
    return None


def http_front_end(h: Harness) -> None:
    clock = h.clock()
    w = 10_000
    front = Front(h, m.fixed_window(3, w), clock)
    t = window_start_after(clock.now_ms + w, w) + 1_234
    end = t - 1_234 + w
    front.request(t, "alice", f"the window ends at t={end}, in 8,766 ms: X-RateLimit-Reset: 9")
    front.request(t + 1_000, "alice")
    front.request(t + 2_000, "alice", "the last of alice's 3")
    front.request(t + 2_500, "alice", "refused for 6,266 ms: Retry-After: 7")
    front.request(t + 2_600, "bob", "bob has a limit of his own")
    front.expect_bad_request()
    front.request(end - 1, "alice", "the window's last millisecond: Retry-After: 1, rounded up")
    front.request(end, "alice", "a new window")

    front = Front(h, m.token_bucket(5, 1, 2_000), clock)
    t = clock.now_ms + h.random.randint(1_000, 9_000)
    front.request(t, "carol", "a full bucket of 5 tokens, one more every 2000 ms")
    for _ in range(4):
        front.request(t, "carol")
    front.request(t, "carol", "empty: the next token in 2000 ms, the bucket full in 10000 ms")
    front.request(t + 1_500, "carol", "500 ms to go: Retry-After: 1, rounded up")
    front.request(t + 2_000, "carol", "a token")
    front.request(t + 2_001, "dave", "dave's bucket is full")
    front.request(t + 30_000, "carol", "idle long enough to fill the bucket")
