"""Stages 1-4: create and read, update and delete, validation, then 405 and 415."""

from __future__ import annotations

import json

from crack.harness import Harness
from crack.harness.bytes_display import show

from .common import (
    HINT_STATUS_201,
    expect_error,
    expect_status,
    expect_task,
    fail,
    start,
    tester,
    title,
    unknown_id,
)

MAX_TITLE = 200


def _raw_create(h: Harness, port: int, payload: dict[str, object]) -> str:
    """POST /tasks over a plain socket, its bytes cut at seeded points (a server that reads
    once per request fails); returns the Location of the 201.

    The log shows the status line and the headers that matter, not the raw bytes: a Date
    or Server header would make every run's log differ."""
    body = json.dumps(payload).encode()
    request = (
        b"POST /tasks HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (port, len(body), body)
    )
    sent = f"POST /tasks with body {body.decode()} (over a plain socket, in pieces)"
    h.log(f"> {sent}")
    conn = h.connect(port, name="client", show_bytes=False)
    conn.send(request)
    head = conn.read_until(b"\r\n\r\n", timeout=5.0, waiting_for="the status line and headers")
    conn.close()
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip():
            headers[name.strip().lower()] = value.strip()
    location = headers.get("location")
    shown = ", ".join(
        [lines[0]]
        + [f"{n}: {headers[n.lower()]}" for n in ("Location", "Content-Type") if n.lower() in headers]
    )
    h.log(f"< {shown}")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or parts[1] != "201":
        h.fail(
            f"{sent}\nexpected HTTP/1.1 201 Created\n     got {show(lines[0].encode(), 200)}",
            HINT_STATUS_201
            if len(parts) > 1 and parts[1] == "200"
            else (
                "read the whole body: Content-Length says how many bytes follow the headers, and "
                "they may arrive over several reads"
            ),
        )
    if location is None:
        h.fail(
            f"{sent}\nexpected 201 Created with a Location header\n     got {shown}",
            "RFC 9110 (section 15.3.2): a 201 names the resource it created in a Location header: "
            "/tasks/<id>",
        )
    return location


@tester.stage("create-read")
def create_read(h: Harness) -> None:
    server = start(h)
    api = server.api
    first_title, first_priority = title(h), h.random.randrange(1, 6)
    location = _raw_create(h, server.port, {"title": first_title, "priority": first_priority})
    path = "/" + location.split("://", 1)[-1].split("/", 1)[-1] if "://" in location else location
    first = expect_task(api.get(path), api, title=first_title, priority=first_priority)
    second_title = title(h)
    second = expect_task(api.post("/tasks", {"title": second_title}), api, status=201, title=second_title)
    if first["id"] == second["id"]:
        h.fail(
            f"two tasks got the same id {first['id']!r}",
            "every new task needs an id of its own: a counter is the simplest",
        )
    for task in (second, first):
        expect_task(
            api.get(f"/tasks/{task['id']}"),
            api,
            title=str(task["title"]),
            priority=int(str(task["priority"])),
            task_id=str(task["id"]),
        )
    missing = unknown_id({str(first["id"]), str(second["id"])}, h)
    expect_error(
        api.get(f"/tasks/{missing}"),
        404,
        "not_found",
        "no task has that id",
        {200: "an unknown id is not found: 404 with a JSON error"},
    )
    h.log("Both tasks were created, read back, and an unknown id got a 404.")


@tester.stage("update-delete")
def update_delete(h: Harness) -> None:
    server = start(h)
    api = server.api
    name, other_name = title(h), title(h)
    task = expect_task(api.post("/tasks", {"title": name}), api, status=201, title=name)
    other = expect_task(api.post("/tasks", {"title": other_name}), api, status=201, title=other_name)
    path = f"/tasks/{task['id']}"
    expect_task(
        api.patch(path, {"done": True}),
        api,
        title=name,
        done=True,
        task_id=str(task["id"]),
        status_hint="PATCH changes only the fields the body names and answers 200 with the whole task",
    )
    renamed, priority = title(h), h.random.choice([1, 2, 4, 5])
    expect_task(
        api.patch(path, {"title": renamed, "priority": priority}),
        api,
        title=renamed,
        done=True,
        priority=priority,
        task_id=str(task["id"]),
    )
    expect_task(api.get(path), api, title=renamed, done=True, priority=priority, task_id=str(task["id"]))
    reply = api.delete(path)
    expect_status(
        reply, 204, "the task is deleted", {200: "a DELETE with nothing to say answers 204 No Content"}
    )
    if reply.content:
        raise fail(
            reply, "204 No Content with no body", "a 204 response has no body at all (RFC 9110, 15.3.5)"
        )
    gone = {500: "the task is gone: answer 404, as for any unknown id"}
    expect_error(api.get(path), 404, "not_found", "the task was deleted", gone)
    expect_error(api.delete(path), 404, "not_found", "the task was already deleted", gone)
    expect_error(api.patch(path, {"done": False}), 404, "not_found", "the task was deleted", gone)
    expect_task(api.get(f"/tasks/{other['id']}"), api, title=other_name, task_id=str(other["id"]))
    h.log("PATCH changed only what it named, DELETE answered 204, and the deleted task is gone.")


def _fields(body: dict[str, object]) -> set[str] | None:
    fields = body.get("fields")
    if not isinstance(fields, list) or not all(isinstance(f, dict) for f in fields):
        return None
    return {str(f.get("field")) for f in fields if isinstance(f, dict)}


@tester.stage("validation")
def validation(h: Harness) -> None:
    server = start(h)
    api = server.api
    good = title(h)
    malformed: list[tuple[str, bytes]] = [
        ("the JSON is cut off", json.dumps({"title": good}).encode()[:-1]),
        ("the body is empty", b""),
        ("the body is not UTF-8", b'{"title": "caf\xe9"}'),
    ]
    for why, raw in malformed:
        expect_error(
            api.send("POST", "/tasks", body=raw),
            400,
            "malformed_json",
            why,
            {
                422: "a body that does not parse is 400 Bad Request; 422 is for JSON that parses but "
                "breaks the rules"
            },
            "when the body does not parse as JSON, answer 400 instead of crashing",
        )
    long_title = "x" * (MAX_TITLE + 1)
    invalid: list[tuple[str, object, set[str]]] = [
        ("title is required", {"priority": 2}, {"title"}),
        ("title is empty", {"title": ""}, {"title"}),
        ("title is a number", {"title": 42}, {"title"}),
        (f"title is longer than {MAX_TITLE} characters", {"title": long_title}, {"title"}),
        ("priority is out of 1..5", {"title": good, "priority": h.random.choice([0, 6, 99])}, {"priority"}),
        ("priority is a string", {"title": good, "priority": "3"}, {"priority"}),
        ("priority is not a whole number", {"title": good, "priority": 2.5}, {"priority"}),
        ("done is a string", {"title": good, "done": "yes"}, {"done"}),
        ("a field the API does not have", {"title": good, "colour": "red"}, {"colour"}),
        ("two fields are wrong", {"title": "", "priority": 0}, {"title", "priority"}),
        ("the body is a list", [{"title": good}], set()),
    ]
    for why, payload, names in invalid:
        reply = api.post("/tasks", payload)
        error = expect_error(
            reply,
            422,
            "validation_failed",
            why,
            {
                201: "validate the task before storing it: answer 422 naming each wrong field",
                400: "this body is valid JSON: 400 is for bodies that do not parse; JSON that breaks the "
                "rules is 422 Unprocessable Content",
            },
        )
        got = _fields(error)
        if got is None or not names <= got:
            raise fail(
                reply,
                '422 with "fields": [{"field": …, "message": …}] naming '
                + (", ".join(sorted(names)) or "the body"),
                "list every problem, one object per field, so a form can mark them all at once"
                if len(names) > 1
                else 'name the wrong field in "fields": [{"field": "priority", "message": "must be 1 to 5"}]',
            )
    edge = "y" * MAX_TITLE
    task = expect_task(
        api.post("/tasks", {"title": edge, "done": True, "priority": 5}),
        api,
        status=201,
        title=edge,
        done=True,
        priority=5,
        status_hint=f"a title of exactly {MAX_TITLE} characters is allowed",
    )
    path = f"/tasks/{task['id']}"
    for why, payload, names in [
        ("priority is out of 1..5", {"priority": 0}, {"priority"}),
        ("nothing to change", {}, set()),
        ("done is null", {"done": None}, {"done"}),
    ]:
        reply = api.patch(path, payload)
        error = expect_error(
            reply,
            422,
            "validation_failed",
            why,
            {200: "a PATCH is validated like a POST: 422, and nothing changes"},
        )
        got = _fields(error)
        if got is None or not names <= got:
            raise fail(reply, f'422 with "fields" naming {", ".join(sorted(names)) or "the body"}')
    expect_error(api.send("PATCH", path, body=b"{"), 400, "malformed_json", "the JSON is cut off")
    expect_task(
        api.get(path),
        api,
        title=edge,
        done=True,
        priority=5,
        task_id=str(task["id"]),
        status_hint="refused PATCHes change nothing",
    )
    h.log("Bodies that do not parse got 400, invalid tasks 422 naming each field, and nothing changed.")


def _allow(header: str | None) -> set[str]:
    return {m.strip().upper() for m in (header or "").split(",") if m.strip()}


@tester.stage("methods")
def methods(h: Harness) -> None:
    server = start(h)
    api = server.api
    name = title(h)
    task = expect_task(api.post("/tasks", {"title": name}), api, status=201, title=name)
    path = f"/tasks/{task['id']}"
    for method, target, needed in [
        ("PUT", "/tasks", {"POST"}),
        ("DELETE", "/tasks", {"POST"}),
        ("POST", path, {"GET", "PATCH", "DELETE"}),
        ("PUT", path, {"GET", "PATCH", "DELETE"}),
    ]:
        body = json.dumps({"title": name}).encode() if method in ("PUT", "POST") else None
        reply = api.send(method, target, body=body)
        expect_error(
            reply,
            405,
            "method_not_allowed",
            f"{target} exists but has no {method}",
            {404: "the path exists, only the method is wrong: 405 Method Not Allowed, not 404"},
        )
        allowed = _allow(reply.header("Allow"))
        if not needed <= allowed:
            raise fail(
                reply,
                f"405 with an Allow header listing {', '.join(sorted(needed))}",
                "RFC 9110 (section 15.5.6): a 405 must carry Allow, the methods the resource supports",
                got=f"Allow: {reply.header('Allow')}" if reply.header("Allow") else "no Allow header",
            )
    expect_error(
        api.get(f"/{h.random.choice(['todo', 'items', 'task'])}"),
        404,
        "not_found",
        "no such path",
        {405: "an unknown path is 404 Not Found: 405 is for a path that exists"},
    )
    payload = json.dumps({"title": name}).encode()
    for why, headers, json_body in [
        ("the body is declared as text/plain", {"Content-Type": "text/plain"}, True),
        ("the body is declared as a form", {"Content-Type": "application/x-www-form-urlencoded"}, True),
        ("the request has no Content-Type", {}, False),
    ]:
        expect_error(
            api.send("POST", "/tasks", body=payload, headers=headers, json_body=json_body),
            415,
            "unsupported_media_type",
            why,
            {
                201: "check the Content-Type before parsing: only application/json is accepted",
                400: "the body is fine; its declared type is not: 415 Unsupported Media Type",
            },
        )
    expect_error(
        api.send("PATCH", path, body=b'{"done": true}', headers={"Content-Type": "text/plain"}),
        415,
        "unsupported_media_type",
        "the body is declared as text/plain",
    )
    expect_task(
        api.send("POST", "/tasks", body=payload, headers={"Content-Type": "Application/JSON; charset=utf-8"}),
        api,
        status=201,
        title=name,
        status_hint="media types are case-insensitive and may carry parameters: compare the part before ';', "
        "in lower case",
    )
    h.log(
        "Wrong methods got 405 with Allow, wrong media types 415, and application/json with a charset passed."
    )
