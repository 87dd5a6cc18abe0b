"""A real HTTP client (httpx) against the program, with every exchange logged and explained.

Raw sockets check the bytes; this checks that an ordinary client library, with its own
parser, connection pool and gzip decoder, gets what it asked for. Its default headers are
pinned (User-Agent, Accept-Encoding) so logs do not depend on the installed version.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crack.harness import Harness, StageFailure
from crack.harness.bytes_display import show

from .wire import HINT_FRAMING

if TYPE_CHECKING:
    import httpx

USER_AGENT = "crack-httpx"


def _request_lines(request: httpx.Request) -> list[str]:
    lines = [f"  {request.method} {request.url.raw_path.decode()} HTTP/1.1"]
    lines += [f"  {k.decode()}: {v.decode()}" for k, v in request.headers.raw]
    if request.content:
        lines.append(f"  (body) {show(request.content, 120)}")
    return lines


def _response_lines(response: httpx.Response) -> list[str]:
    lines = [f"  {response.http_version} {response.status_code} {response.reason_phrase}"]
    lines += [f"  {k.decode('latin-1')}: {v.decode('latin-1')}" for k, v in response.headers.raw]
    return lines


class RealClient:
    """An ``httpx.Client`` on the program's port; ``keep_alive`` decides connection reuse."""

    def __init__(self, h: Harness, port: int, *, keep_alive: bool) -> None:
        import httpx

        self.h = h
        self.connects = 0
        self.client = httpx.Client(
            base_url=f"http://127.0.0.1:{port}",
            trust_env=False,
            timeout=httpx.Timeout(max(min(3.0, h.remaining() - 0.5), 0.5)),
            limits=httpx.Limits(max_keepalive_connections=5 if keep_alive else 0),
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"},
        )
        h.defer(self.client.close)

    def _trace(self, event: str, info: dict[str, Any]) -> None:
        if event == "connection.connect_tcp.complete":
            self.connects += 1

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        import httpx

        request = self.client.build_request(method, path, headers=headers, content=content)
        request.extensions["trace"] = self._trace
        shown = ", ".join(f"{k}: {v}" for k, v in (headers or {}).items())
        self.h.log(f"httpx: > {method} {path}" + (f" ({shown})" if shown else ""))
        try:
            response = self.client.send(request)
        except httpx.HTTPError as exc:
            raise self._explain(request, exc) from None
        self.h.log(
            f"httpx: < {response.http_version} {response.status_code} {response.reason_phrase}, "
            f"body {show(response.content, 120)}"
        )
        return response

    def get(self, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
        return self.request("GET", path, headers=headers)

    def _explain(self, request: httpx.Request, exc: Exception) -> StageFailure:
        import httpx

        text = str(exc) or type(exc).__name__
        hint: str | None = None
        if isinstance(exc, httpx.TimeoutException):
            text = f"httpx timed out ({type(exc).__name__})"
            hint = (
                "if the status line and headers arrived, httpx was waiting for the end of the body: "
                + HINT_FRAMING
            )
        elif isinstance(exc, httpx.DecodingError):
            hint = (
                "the response says Content-Encoding: gzip, so httpx decompressed the body and it "
                "is not gzip data: send the body compressed to the gzip format, and Content-Length of "
                "the compressed bytes"
            )
        elif isinstance(exc, httpx.RemoteProtocolError):
            if "without sending a response" in text:
                hint = "your program closed the connection before it answered this request"
            else:
                hint = "httpx could not parse the response: compare it byte by byte with HTTP/1.1's format"
        lines = [
            f"a real HTTP client (httpx) could not complete {request.method} "
            f"{request.url.raw_path.decode()}: {text}",
            "httpx sent:",
            *_request_lines(request),
        ]
        return StageFailure("\n".join(lines), hint)

    def fail(self, response: httpx.Response, problem: str, hint: str | None = None) -> StageFailure:
        lines = [
            f"httpx {response.request.method} {response.request.url.raw_path.decode()}: {problem}",
            "httpx sent:",
            *_request_lines(response.request),
            "httpx received:",
            *_response_lines(response),
            f"  (body as httpx decoded it, {len(response.content)} bytes) {show(response.content, 120)}",
        ]
        return StageFailure("\n".join(lines), hint)
