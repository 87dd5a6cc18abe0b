"""What every stage uses: the Tester, starting and killing the program, and the checks.

The checks are HTTP's (RFC 9110) and the API of the stage pages, not what one program
happens to send: extra headers, either temporary redirect, JSON in any key order or
spacing, a Content-Type with parameters, and keep-alive or closed connections all pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from crack.harness import Harness, LogicalClock, ProgramProcess, StageFailure
from crack.harness.http_api import Reply, expect_location, fail, json_object
from crack.tester import Tester

from .api import ShortenerApi

tester = Tester("url-shortener", warm_imports=("httpx",))

CODE = re.compile(r"[A-Za-z0-9]{4,16}")
"""A generated code: 4 to 16 letters and digits."""

REDIRECTS = (302, 307)
"""Temporary redirects: never cached by default, so every click reaches the program."""

WORDS = [
    "apple", "birch", "cedar", "delta", "ember", "fjord", "grove", "harbor", "iris", "juniper",
    "kiwi", "lemon", "maple", "nectar", "olive", "pepper", "quartz", "river", "saffron", "tulip",
]  # fmt: skip

HINT_STATUS_201 = (
    "a POST that creates a resource answers 201 Created (RFC 9110, section 15.3.2), with a "
    "Location header naming it"
)
HINT_SEND_ERROR = (
    "errors are JSON too: send Content-Type: application/json and a body like "
    '{"error": "what went wrong"} (the default error page of a server library is HTML)'
)


def word(h: Harness) -> str:
    return h.random.choice(WORDS)


def long_url(h: Harness, tag: str = "") -> str:
    """A realistic long URL: a path, a query string, sometimes a port or a fragment."""
    host = f"{word(h)}.example.com"
    if h.random.random() < 0.3:
        host += f":{h.random.randrange(8000, 9000)}"
    path = "/".join(h.random.sample(WORDS, 3))
    url = f"https://{host}/{path}{tag}?utm_source={word(h)}&id={h.random.randrange(10**5)}"
    if h.random.random() < 0.3:
        url += f"#{word(h)}"
    return url


@dataclass
class Server:
    """One run of the learner's program."""

    port: int
    data_dir: Path
    process: ProgramProcess
    api: ShortenerApi


def new_data_dir(h: Harness, name: str = "data") -> Path:
    directory = h.scratch / name
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def start(h: Harness, clock: LogicalClock, data_dir: Path | None = None, *, connections: int = 8) -> Server:
    """Start the program with ``--port N --data-dir D`` and wait until it accepts."""
    directory = data_dir if data_dir is not None else new_data_dir(h)
    port = h.free_port()
    process = h.start_server(["--port", str(port), "--data-dir", str(directory)], port)
    return Server(port, directory, process, ShortenerApi(h, port, clock, connections=connections))


def kill(h: Harness, server: Server) -> None:
    """End the program at once with SIGKILL, every process it started included.

    SIGKILL gives no chance to save on exit: what a 201 acknowledged must already be on
    disk, as after a crash or a power cut of the process.
    """
    server.api.close()
    h.kill(server.process)


def restart(h: Harness, server: Server, clock: LogicalClock, *, connections: int = 8) -> Server:
    """SIGKILL the program and start it again on the same data directory (a new port)."""
    h.log(
        "Killing your program with SIGKILL (no chance to save on exit), then starting it again "
        "with the same --data-dir…"
    )
    kill(h, server)
    return start(h, clock, server.data_dir, connections=connections)


# --- checks ------------------------------------------------------------------------------
@contextmanager
def context(prefix: str, hint: str | None = None, *, override: bool = False) -> Iterator[None]:
    """Put ``prefix`` in front of a failure raised inside, and ``hint`` if it has none (with
    ``override``, instead of its own: the situation explains it better)."""
    try:
        yield
    except StageFailure as exc:
        failure = exc.with_context(prefix)
        failure.hint = (hint or exc.hint) if override else (exc.hint or hint)
        raise failure from None


def expect_status(reply: Reply, statuses: tuple[int, ...], expected: str, hint: str | None = None) -> None:
    if reply.status not in statuses:
        raise fail(reply, expected, hint)


def expect_error(
    reply: Reply, status: int, why: str, hints: dict[int, str] | None = None, hint: str | None = None
) -> None:
    """``status`` with a JSON body ``{"error": "<non-empty text>"}``.

    ``hints`` explain a wrong status by the status that came; ``hint`` any other mismatch.
    """
    from http import HTTPStatus

    expected = f"{status} {HTTPStatus(status).phrase} ({why}) with a JSON error body"
    if reply.status != status:
        raise fail(reply, expected, (hints or {}).get(reply.status, hint))
    body = json_object(reply, expected, HINT_SEND_ERROR if reply.content[:1] == b"<" else None)
    message = body.get("error")
    if not isinstance(message, str) or not message.strip():
        raise fail(
            reply,
            expected + ' like {"error": "…"}',
            'say what went wrong in the "error" field: a non-empty string',
        )


def expect_link(
    reply: Reply,
    api: ShortenerApi,
    url: str,
    *,
    status: int = 201,
    code: str | None = None,
    generated: bool = True,
    status_hint: str | None = None,
) -> str:
    """A link in the API's JSON (``code``, ``short_url``, ``url``); returns the code.

    With ``status`` 201 the Location header must name the link's resource
    ``/api/links/<code>`` (relative or absolute); ``code``, when given, is the one expected
    (a replay, an alias).
    """
    from http import HTTPStatus

    what = f"{status} {HTTPStatus(status).phrase}"
    if reply.status != status:
        hint = status_hint
        if hint is None and status == 201 and reply.status == 200:
            hint = HINT_STATUS_201
        if hint is None and reply.status >= 400 and reply.content:
            hint = "your program refused a valid request: its error message is in the body above"
        raise fail(reply, f"{what} with the link as JSON", hint)
    body = json_object(reply, f"{what} with the link as JSON")
    got_code = body.get("code")
    if not isinstance(got_code, str):
        raise fail(
            reply,
            f'{what} with a JSON object holding "code" (a string)',
            'name the field "code": {"code": "…", "short_url": "…", "url": "…"}',
        )
    if code is not None and got_code != code:
        raise fail(
            reply,
            f'{what} with "code": "{code}"',
            status_hint,
            got=f'"code": "{got_code}" ({reply.response_text()})',
        )
    if code is None and generated and not CODE.fullmatch(got_code):
        raise fail(
            reply,
            f"{what} with a code of 4 to 16 letters and digits",
            "codes go into URL paths and are read aloud: use the 62 characters 0-9, A-Z and a-z "
            "(base62), 4 to 16 of them",
            got=f'"code": {got_code!r}',
        )
    if body.get("url") != url:
        raise fail(
            reply,
            f'"url": "{url}" (the URL exactly as it was sent)',
            "keep the URL byte for byte: no decoding, re-encoding or normalising",
            got=f'"url": {json_dumps(body.get("url"))}',
        )
    short = f"{api.base}/{got_code}"
    if body.get("short_url") != short:
        raise fail(
            reply,
            f'"short_url": "{short}"',
            'build the short URL from the request\'s Host header: "http://" + Host + "/" + code',
            got=f'"short_url": {json_dumps(body.get("short_url"))}',
        )
    if status == 201:
        expect_location(reply, api.base, "/api/links", got_code, "link")
    return got_code


def expect_redirect(reply: Reply, url: str, what: str = "", hint: str | None = None) -> None:
    """302 Found (or 307) whose Location is ``url`` byte for byte; ``hint`` explains any other
    status."""
    expected = f"302 Found with Location: {url}{what}"
    if reply.status in (301, 308):
        raise fail(
            reply,
            expected,
            f"{reply.status} is a permanent redirect: browsers cache it and later clicks never "
            "reach your server, so click counts and expiry could not work. Use 302 Found",
        )
    if reply.status == 200:
        raise fail(
            reply, expected, "answer with a redirect: status 302 and the long URL in a Location header"
        )
    expect_status(reply, REDIRECTS, expected, hint)
    location = reply.header("Location")
    if location != url:
        why = "send the stored URL byte for byte: no quoting, decoding or normalising"
        if location is None:
            why = "a redirect needs a Location header holding the long URL"
        elif not urlsplit(location).scheme:
            why = (
                "that Location has no scheme, so a browser resolves it relative to your server: "
                "send the stored URL exactly (not percent-encoded)"
            )
        raise fail(reply, expected, why, got=f"{reply.status_text}, Location: {location}")


def json_dumps(value: object) -> str:
    import json

    return json.dumps(value)


def unknown_code(h: Harness, taken: set[str]) -> str:
    """A code no link has (letters and digits, so it is syntactically a code)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
    while True:
        code = "".join(h.random.choice(alphabet) for _ in range(9))
        if code not in taken:
            return code


__all__ = [
    "CODE",
    "HINT_SEND_ERROR",
    "HINT_STATUS_201",
    "REDIRECTS",
    "Server",
    "context",
    "expect_error",
    "expect_link",
    "expect_redirect",
    "expect_status",
    "fail",
    "json_object",
    "kill",
    "long_url",
    "new_data_dir",
    "restart",
    "start",
    "tester",
    "unknown_code",
    "word",
]
