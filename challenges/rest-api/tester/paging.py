"""Stages 5-6: cursor pagination, then filters and sort orders walked with cursors.

A walk follows ``next_cursor`` from the first page to the last while the tester changes
the collection between pages (new tasks, a deleted one). Whatever a server does with the
new tasks, every task that existed when the walk began and was not deleted must come
exactly once, and the whole sequence must be in the requested order: an offset counted
from the front shifts under inserts (duplicates) and deletes (gaps); a cursor that does
not hold the sort key loses its place in any order but creation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from crack.harness import Harness
from crack.harness.http_api import HttpApi, Reply

from .common import expect_error, expect_task, fail, json_object, start, tester, title

HINT_SORT_KEY = (
    "the cursor must hold the position in this query's order: the sort key of the last item "
    "sent plus its id (priority and id for sort=priority), and the next page starts strictly "
    "after that pair, compared as a tuple. A position in another order (the id alone, an offset) "
    "repeats or skips tasks"
)
HINT_OFFSET = (
    "an offset counted from the newest task shifts when tasks are added or deleted between "
    "pages, so a client sees some twice and misses others. Put the position in the cursor "
    "instead: the sort key of the last item sent (its id, for newest first), and start the "
    "next page strictly after it"
)


@dataclass
class Known:
    """A task the tester created: its creation rank orders it."""

    id: str
    rank: int
    priority: int
    done: bool


class Collection:
    def __init__(self, h: Harness, api: HttpApi) -> None:
        self.h = h
        self.api = api
        self.tasks: dict[str, Known] = {}

    def add(self, *, priority: int | None = None, done: bool = False, quiet: bool = True) -> Known:
        name = title(self.h)
        priority = priority if priority is not None else self.h.random.randrange(1, 6)
        reply = self.api.post("/tasks", {"title": name, "priority": priority, "done": done}, quiet=quiet)
        body = expect_task(reply, self.api, status=201, title=name, priority=priority, done=done)
        known = Known(str(body["id"]), len(self.tasks), priority, done)
        self.tasks[known.id] = known
        return known


def _page(reply: Reply, limit: int | None) -> tuple[list[dict[str, object]], str | None]:
    expected = '200 OK with {"items": [...], "next_cursor": "…" or null}'
    if reply.status != 200:
        raise fail(reply, expected)
    body = json_object(reply, expected)
    items, cursor = body.get("items"), body.get("next_cursor", ...)
    if not isinstance(items, list) or not all(
        isinstance(i, dict) and isinstance(i.get("id"), str) for i in items
    ):
        raise fail(reply, expected + ', "items" a list of tasks', 'name the list "items"')
    if cursor is not None and not (isinstance(cursor, str) and cursor):
        raise fail(
            reply,
            expected,
            '"next_cursor" is a non-empty string while more items follow and null on the last page'
            + (" (it must be present, even when null)" if cursor is ... else ""),
        )
    if limit is not None and len(items) > limit:
        raise fail(reply, f"at most {limit} items (limit={limit})", got=f"{len(items)} items")
    if limit is not None and cursor is not None and len(items) < limit:
        raise fail(
            reply,
            f"{limit} items (limit={limit}): only the last page may be shorter",
            "fill each page up to the limit; when filtering, filter before you cut the page",
            got=f"{len(items)} items and a next_cursor",
        )
    return items, cursor


Between = Callable[[int], None]
CHANGED_PAGES = 3
"""The collection changes after each of the first pages only: a walk oldest first, with
tasks added at its end faster than pages are read, would never end."""


def walk(
    h: Harness,
    collection: Collection,
    query: str,
    limit: int,
    between: Between,
    expected: list[Known],
    order: Callable[[Known], tuple[int, ...]],
    keep: Callable[[Known], bool],
    deleted: set[str],
    what: str,
    hint: str = HINT_OFFSET,
) -> None:
    """Follow the cursors of ``query``; ``between(page_number)`` changes the collection
    between pages. ``expected`` are the tasks there at the start, in order."""
    api = collection.api
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    h.log(f"Walking {what}, {limit} per page, while the collection changes after each of the first pages…")
    while True:
        params = [query, f"limit={limit}", f"cursor={quote(cursor, safe='')}" if cursor else ""]
        path = "/tasks?" + "&".join(p for p in params if p)
        reply = api.get(path)
        items, cursor = _page(reply, limit)
        for item in items:
            task_id = str(item["id"])
            known = collection.tasks.get(task_id)
            if task_id in seen:
                raise fail(
                    reply,
                    f"each task once in the walk ({what})",
                    hint,
                    got=f"task {task_id} again, already on an earlier page",
                )
            if known is None:
                raise fail(reply, "only tasks that exist", got=f"a task {task_id} that was never created")
            if task_id in deleted:
                raise fail(reply, f"no task {task_id}: it was deleted before this page", got="it on the page")
            if not keep(known):
                raise fail(
                    reply,
                    f"only tasks matching {query}",
                    "filter before cutting the page",
                    got=f"task {task_id} (done={str(known.done).lower()})",
                )
            if seen and order(collection.tasks[seen[-1]]) > order(known):
                raise fail(
                    reply,
                    f"tasks in the order of {what}",
                    "sort the whole collection first (ties: newest first), then cut the page after "
                    "the cursor's position",
                    got=f"task {task_id} after task {seen[-1]}",
                )
            seen.append(task_id)
        pages += 1
        if cursor is None:
            break
        if pages > 200:
            raise fail(reply, "the last page (next_cursor null) within 200 pages", got="still more cursors")
        if pages <= CHANGED_PAGES:
            between(pages)
    missing = [k.id for k in expected if k.id not in seen and k.id not in deleted]
    if missing:
        h.fail(
            f"walked {what} over {pages} pages of {limit}, following next_cursor\n"
            f"expected every task that existed before the walk and was not deleted\n"
            f"  missing: {', '.join(missing[:8])}{' …' if len(missing) > 8 else ''} "
            f"({len(missing)} of {len(expected)})",
            hint,
        )
    h.log(f"The walk over {pages} pages returned every task once, in order.")


def _newest_first(task: Known) -> tuple[int, ...]:
    return (-task.rank,)


@tester.stage("pagination")
def pagination(h: Harness) -> None:
    server = start(h)
    api = server.api
    collection = Collection(h, api)
    h.log("Creating tasks (requests not shown)…")
    for _ in range(h.random.randrange(8, 11)):
        collection.add()
    start_tasks = sorted(collection.tasks.values(), key=_newest_first)
    items, cursor = _page(api.get("/tasks"), None)
    ids = [str(i["id"]) for i in items]
    want = [k.id for k in start_tasks]
    if ids != want or cursor is not None:
        h.fail(
            f"GET /tasks (no limit: at most 20) with {len(want)} tasks\n"
            f'expected all of them, newest first, and "next_cursor": null\n'
            f"     got ids {ids} and next_cursor {cursor!r}; newest first is {want}",
            "the newest task comes first: sort by creation, descending",
        )
    deleted: set[str] = set()
    pending = list(start_tasks)

    def between(page: int) -> None:
        for _ in range(2):
            collection.add()
        if page == 1:
            # a deleted task on a page not yet read must not come back
            victim = pending[-2]
            deleted.add(victim.id)
            reply = api.delete(f"/tasks/{victim.id}")
            if reply.status != 204:
                raise fail(reply, "204 No Content")

    walk(h, collection, "", 3, between, start_tasks, _newest_first, lambda k: True, deleted, "newest first")
    for query, field in [("limit=0", "limit"), ("limit=101", "limit"), ("limit=ten", "limit")]:
        body = expect_error(api.get(f"/tasks?{query}"), 422, "validation_failed", f"{query} is out of 1..100")
        fields = body.get("fields")
        if not (
            isinstance(fields, list) and any(isinstance(f, dict) and f.get("field") == field for f in fields)
        ):
            h.fail(f'GET /tasks?{query}: expected "fields" naming "{field}", got {body}')
    expect_error(
        api.get("/tasks?limit=2&cursor=" + h.random.choice(["bm90LWEtY3Vyc29y", "zzz", "0"])),
        400,
        "invalid_cursor",
        "a cursor this server never gave out",
        {200: "check the cursor: one that does not decode is a client error (400), not the first page"},
    )
    h.log("Limits out of range got 422 and a made-up cursor 400.")


@tester.stage("filter-sort")
def filter_sort(h: Harness) -> None:
    server = start(h)
    api = server.api
    collection = Collection(h, api)
    h.log("Creating tasks with random priorities, some done (requests not shown)…")
    for _ in range(h.random.randrange(12, 16)):
        collection.add(done=h.random.random() < 0.4, priority=h.random.choice([1, 2, 2, 3, 3, 3, 4, 5]))

    def adder(page: int) -> None:
        collection.add(done=False, priority=h.random.randrange(1, 6))
        collection.add(done=True, priority=h.random.randrange(1, 6))

    cases: list[tuple[str, str, Callable[[Known], tuple[int, ...]], Callable[[Known], bool]]] = [
        (
            "sort=priority&done=false",
            "priority ascending, then newest first, done=false",
            lambda k: (k.priority, -k.rank),
            lambda k: not k.done,
        ),
        (
            "done=true&sort=-priority",
            "priority descending, then newest first, done=true",
            lambda k: (-k.priority, -k.rank),
            lambda k: k.done,
        ),
        ("sort=created", "oldest first", lambda k: (k.rank,), lambda k: True),
    ]
    for query, what, order, keep in cases:
        expected = sorted((k for k in collection.tasks.values() if keep(k)), key=order)
        walk(
            h,
            collection,
            query,
            h.random.choice([2, 3]),
            adder,
            expected,
            order,
            keep,
            set(),
            what,
            HINT_SORT_KEY,
        )
    for query, field in [("sort=colour", "sort"), ("done=maybe", "done")]:
        body = expect_error(
            api.get(f"/tasks?{query}"),
            422,
            "validation_failed",
            f"{query} is not allowed",
            {200: "reject what you do not support: a client must not get a silently different list"},
        )
        fields = body.get("fields")
        if not (
            isinstance(fields, list) and any(isinstance(f, dict) and f.get("field") == field for f in fields)
        ):
            h.fail(f'GET /tasks?{query}: expected "fields" naming "{field}", got {body}')
    h.log("Filtered and sorted walks returned each task once, in order, while tasks were added.")
