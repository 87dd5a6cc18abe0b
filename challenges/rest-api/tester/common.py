"""What every stage uses: the Tester, starting the program, and the checks of an answer.

The checks are HTTP's (RFC 9110) and the API of the stage pages (the OpenAPI document),
not what one server happens to send: extra headers, JSON in any key order or spacing, a
Content-Type with parameters, and keep-alive or closed connections all pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path

from crack.harness import Harness
from crack.harness.http_api import (
    HttpApi,
    Reply,
    expect_location,
    fail,
    json_body,
    json_object,
    media_type,
)
from crack.tester import Tester

tester = Tester("rest-api", warm_imports=("httpx", "jwt"))

SHOWN_HEADERS = ("Location", "Allow", "ETag", "WWW-Authenticate", "Content-Type")
"""The response headers the log shows: the ones a stage of this API is about."""
JWT = re.compile(r"eyJ[\w-]*\.[\w-]+\.[\w-]*")
"""A JSON Web Token in a body: logged as <a JWT>, since its claims (iat, exp) hold the time
and would make every run's log differ; the tester explains what is wrong with one."""

WORDS = [
    "apple", "birch", "cedar", "delta", "ember", "fjord", "grove", "harbor", "iris", "juniper",
    "kiwi", "lemon", "maple", "nectar", "olive", "pepper", "quartz", "river", "saffron", "tulip",
]  # fmt: skip
VERBS = ["water", "paint", "call", "fix", "sort", "pack", "plan", "email", "clean", "read"]

HINT_ERROR_BODY = (
    'every error is JSON: Content-Type: application/json and a body like {"error": "not_found", '
    '"message": "no task has the id 7"} (the default error page of a server library is HTML or text)'
)
HINT_STATUS_201 = (
    "a POST that creates a resource answers 201 Created (RFC 9110, section 15.3.2), with a "
    "Location header naming it, not 200 OK"
)


@dataclass
class Server:
    """One run of the learner's program: where it listens and the secret it signs with."""

    port: int
    api: HttpApi
    secret: str
    data_dir: Path


def start(h: Harness) -> Server:
    """Start the program with ``--port N --data-dir D --jwt-secret S`` and wait until it
    accepts connections. The secret is drawn from the seed, so a run replays exactly."""
    port = h.free_port()
    data_dir = h.scratch / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = "".join(h.random.choice("0123456789abcdef") for _ in range(64))
    h.start_server(["--port", str(port), "--data-dir", str(data_dir), "--jwt-secret", secret], port)
    api = HttpApi(h, port, accept="application/json", shown_headers=SHOWN_HEADERS, redact=hide_jwts)
    return Server(port, api, secret, data_dir)


def hide_jwts(body: str) -> str:
    return JWT.sub("<a JWT>", body)


def title(h: Harness) -> str:
    return f"{h.random.choice(VERBS)} the {h.random.choice(WORDS)} {h.random.randrange(100, 1000)}"


def status_text(status: int) -> str:
    return f"{status} {HTTPStatus(status).phrase}"


def expect_status(
    reply: Reply, status: int, expected: str, hints: dict[int, str] | None = None, hint: str | None = None
) -> None:
    if reply.status != status:
        known = (hints or {}).get(reply.status)
        if known is None and reply.status == 500:
            known = "your program failed on this request (500): its output above shows the error"
        raise fail(reply, f"{status_text(status)} ({expected})", known or hint)


def expect_error(
    reply: Reply,
    status: int,
    code: str,
    why: str,
    hints: dict[int, str] | None = None,
    hint: str | None = None,
) -> dict[str, object]:
    """``status`` with the JSON error body ``{"error": code, "message": "<text>"}``."""
    expected = f'{status_text(status)} ({why}) with a JSON error {{"error": "{code}", "message": …}}'
    if reply.status != status:
        known = (hints or {}).get(reply.status)
        if known is None and reply.status == 500:
            known = "your program failed on this request (500): catch the error and answer with a 4xx"
        raise fail(reply, expected, known or hint)
    body = json_object(reply, expected, HINT_ERROR_BODY if reply.content[:1] != b"{" else None)
    if body.get("error") != code:
        raise fail(
            reply,
            expected,
            f'"error" holds a fixed code a client program can test ("{code}" here); the sentence for '
            'people goes in "message"',
        )
    message = body.get("message")
    if not isinstance(message, str) or not message.strip():
        raise fail(reply, expected, 'say what went wrong in "message": a non-empty string')
    return body


UNSET = object()


def expect_task(
    reply: Reply,
    api: HttpApi,
    *,
    status: int = 200,
    title: str,
    done: bool = False,
    priority: int = 3,
    task_id: str | None = None,
    owner: object = UNSET,
    status_hint: str | None = None,
) -> dict[str, object]:
    """A task in JSON (``id``, ``title``, ``done``, ``priority``, and ``owner`` when it is
    given); with status 201, a Location header naming ``/tasks/<id>``."""
    what = f"{status_text(status)} with the task as JSON"
    if reply.status != status:
        hint = status_hint
        if hint is None and status == 201 and reply.status == 200:
            hint = HINT_STATUS_201
        if hint is None and reply.status >= 400 and reply.content:
            hint = "your program refused a valid request: its error message is in the body above"
        raise fail(reply, what, hint)
    body = json_object(reply, what)
    got_id = body.get("id")
    if not isinstance(got_id, str) or not got_id:
        raise fail(
            reply,
            f'{what}, with "id" a non-empty string',
            'ids are strings in JSON ("id": "17"), even when you count them with integers: clients '
            "must treat them as opaque",
        )
    if task_id is not None and got_id != task_id:
        raise fail(reply, f'{what}, with "id": "{task_id}"', got=f'"id": "{got_id}"')
    wanted: dict[str, object] = {"title": title, "done": done, "priority": priority}
    if owner is not UNSET:
        wanted["owner"] = owner
    for name, value in wanted.items():
        if name not in body or body[name] != value or type(body[name]) is not type(value):
            shown = "missing" if name not in body else _json(body[name])
            raise fail(
                reply,
                f"{what}, with {_json(name)}: {_json(value)}",
                _field_hint(name, value),
                got=f"{_json(name)}: {shown} (in {reply.response_text()})",
            )
    if status == 201:
        expect_location(reply, api.base, "/tasks", str(got_id), "task")
    return body


def _field_hint(name: str, value: object) -> str | None:
    if name == "done" and value is False:
        return 'a new task is not done: "done" defaults to false (a JSON boolean, not a string)'
    if name == "priority" and value == 3:
        return '"priority" defaults to 3 and is a JSON number'
    if name in ("done", "priority", "title"):
        return (
            f'"{name}" keeps the value it was given until a request changes it: a PATCH changes '
            "only the fields its body names"
        )
    if name == "owner" and value is None:
        return 'a task created without a token has no owner: "owner": null'
    if name == "owner":
        return 'a task created with a valid token belongs to its user: "owner" is the token\'s username'
    return None


def _json(value: object) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def unknown_id(taken: set[str], h: Harness) -> str:
    while True:
        candidate = str(h.random.randrange(10**6, 10**7))
        if candidate not in taken:
            return candidate


__all__ = [
    "HINT_ERROR_BODY",
    "HINT_STATUS_201",
    "UNSET",
    "Server",
    "expect_error",
    "expect_status",
    "expect_task",
    "fail",
    "json_body",
    "json_object",
    "media_type",
    "start",
    "status_text",
    "tester",
    "title",
    "unknown_id",
]
