"""Stage 10: ETags, If-None-Match (304) and If-Match (412), the lost update prevented."""

from __future__ import annotations

from crack.harness import Harness
from crack.harness.http_api import Reply

from .common import expect_error, expect_status, expect_task, fail, start, tester, title

HINT_ETAG_CHANGES = (
    "the ETag names one version of the task: every change (title, done or priority) must give "
    "a new one, such as a version counter bumped on each change"
)


def etag_of(reply: Reply) -> str:
    etag = reply.header("ETag")
    if etag is None or not (etag.startswith('"') or etag.startswith('W/"')) or not etag.endswith('"'):
        raise fail(
            reply,
            f'{reply.status_text} with an ETag header, a quoted string like ETag: "7-3"',
            "RFC 9110 (section 8.8.3): an entity tag is in double quotes",
            got=f"ETag: {etag}" if etag is not None else "no ETag header",
        )
    if etag.startswith("W/"):
        raise fail(
            reply,
            "a strong ETag (no W/ prefix)",
            "If-Match compares strong tags only (RFC 9110, 13.1.1): a weak tag never matches",
            got=f"ETag: {etag}",
        )
    return etag


@tester.stage("conditional-requests")
def conditional_requests(h: Harness) -> None:
    server = start(h)
    api = server.api
    name, other_name = title(h), title(h)
    task = expect_task(api.post("/tasks", {"title": name}), api, status=201, title=name)
    other = expect_task(api.post("/tasks", {"title": other_name}), api, status=201, title=other_name)
    path = f"/tasks/{task['id']}"
    first = etag_of(api.get(path))
    again = api.get(path)
    if etag_of(again) != first:
        raise fail(
            again, f"the same ETag {first}: the task did not change", got=f"ETag: {again.header('ETag')}"
        )
    if etag_of(api.get(f"/tasks/{other['id']}")) == first:
        h.fail(f"two different tasks have the same ETag {first}", "put the task's id in its ETag")
    reply = api.get(path, headers={"If-None-Match": first})
    expect_status(
        reply,
        304,
        "the client's copy is current",
        {200: "compare If-None-Match with the ETag: equal means 304 Not Modified, with no body"},
    )
    if reply.content:
        raise fail(reply, "304 Not Modified with no body", "a 304 has no body (RFC 9110, 15.4.5)")
    h.log("Two clients read the task with the same ETag; the first changes it with If-Match…")
    changed = api.patch(path, {"done": True}, headers={"If-Match": first})
    expect_task(changed, api, title=name, done=True, task_id=str(task["id"]))
    second = etag_of(changed)
    if second == first:
        raise fail(
            changed,
            f"a new ETag (the task changed; it was {first})",
            HINT_ETAG_CHANGES,
            got=f"ETag: {second}",
        )
    h.log("…then the second sends its change with the old ETag: it must be refused.")
    stale = api.patch(path, {"title": title(h)}, headers={"If-Match": first})
    expect_error(
        stale,
        412,
        "precondition_failed",
        "If-Match names an old version: someone changed the task since",
        {
            200: "compare If-Match with the current ETag: a mismatch is 412 Precondition Failed and "
            "nothing changes, or the first client's change is silently lost"
        },
    )
    current = api.get(path)
    expect_task(
        current,
        api,
        title=name,
        done=True,
        task_id=str(task["id"]),
        status_hint="a refused PATCH changes nothing",
    )
    if etag_of(current) != second:
        raise fail(current, f"ETag: {second} (as the PATCH answered)", got=f"ETag: {current.header('ETag')}")
    expect_status(
        api.get(path, headers={"If-None-Match": first}), 200, "the client's copy is old: send the task"
    )
    expect_task(
        api.patch(path, {"priority": 1}, headers={"If-Match": f'"nope", {second}'}),
        api,
        title=name,
        done=True,
        priority=1,
        task_id=str(task["id"]),
        status_hint="If-Match may list several tags, separated by commas: any one matching is enough",
    )
    latest = etag_of(api.get(path))
    if latest == second:
        h.fail(f"the ETag stayed {second} after priority changed", HINT_ETAG_CHANGES)
    expect_error(
        api.delete(path, headers={"If-Match": second}),
        412,
        "precondition_failed",
        "If-Match names an old version",
        {204: "DELETE honours If-Match too: deleting a version the client never saw is a lost update"},
    )
    expect_status(api.delete(path, headers={"If-Match": latest}), 204, "If-Match names the current version")
    expect_task(
        api.patch(f"/tasks/{other['id']}", {"done": True}),
        api,
        title=other_name,
        done=True,
        task_id=str(other["id"]),
        status_hint="without If-Match, a PATCH applies as before",
    )
    h.log("304 for a current copy, 412 for a stale If-Match, and the lost update was prevented.")
