"""Stages 6-7: links outlive the process, and many clients at once get codes of their own."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from crack.harness import Harness, StageFailure
from crack.harness.http_api import Reply

from .api import ShortenerApi
from .common import (
    REDIRECTS,
    context,
    expect_error,
    expect_link,
    expect_redirect,
    fail,
    kill,
    long_url,
    new_data_dir,
    restart,
    start,
    tester,
    word,
)

HINT_LOST = (
    "links must outlive the process: write them to a file under --data-dir before answering "
    "201, and load that file when the program starts"
)
HINT_ONE_AT_A_TIME = (
    "your program serves one client at a time, so a slow client holds everyone up: serve each "
    "connection in its own thread or with an event loop"
)
CREATES = 200
SAME_URL_CREATES = 20
THREADS = 8
STALLED_WAIT_S = 4.0
"""How long another client may wait while one is stalled mid-request (generous: a loaded
machine must not fail a threaded server, and a server serving one client at a time never
answers at all)."""

T = TypeVar("T")


def check_links(api: ShortenerApi, links: dict[str, str]) -> None:
    for code, url in links.items():
        expect_redirect(api.get(f"/{code}"), url)


@tester.stage("persistence")
def persistence(h: Harness) -> None:
    clock = h.clock()
    server = start(h, clock)
    api = server.api
    plain = [long_url(h, f"/{n}") for n in range(1, 4)]
    links = {expect_link(api.shorten({"url": url}), api, url): url for url in plain}
    first_code = next(iter(links))
    alias, alias_url = f"{word(h)}-{word(h)}-{h.random.randrange(100)}", long_url(h, "/alias")
    expect_link(api.shorten({"url": alias_url, "alias": alias}), api, alias_url, code=alias, generated=False)
    links[alias] = alias_url

    server = restart(h, server, clock)
    api = server.api
    with context("after a restart on the same --data-dir: ", HINT_LOST):
        check_links(api, links)
        expect_link(
            api.shorten({"url": plain[0]}),
            api,
            plain[0],
            status=200,
            code=first_code,
            status_hint="the URL was shortened before the restart: 200 OK with its code. Rebuild the "
            "URL-to-code index from the saved links when the program starts",
        )
        expect_error(
            api.shorten({"url": long_url(h, "/taken"), "alias": alias}),
            409,
            "the alias was taken before the restart",
            {201: "aliases saved before the restart are still taken"},
        )
    h.log("Every link, the URL index and the aliases survived the restart.")

    fresh = [long_url(h, f"/new-{n}") for n in range(1, 3)]
    for url in fresh:
        code = expect_link(api.shorten({"url": url}), api, url)
        if code in links:
            h.fail(
                f"after the restart, POST /api/links with {url} got the code {code!r}, which "
                f"already belonged to {links[code]}",
                hint="the counter your codes come from started again from its first value: save "
                "it with the links (or rebuild it from the links) when the program starts",
            )
        links[code] = url
    with context("after new links were created following a restart: "):
        check_links(api, links)

    server = restart(h, server, clock)
    with context("after a second restart: ", HINT_LOST):
        check_links(server.api, links)
    h.log("Links from before and after the first restart all survived the second.")

    kill(h, server)
    h.log("Starting your program on a new, empty --data-dir: it must know no link.")
    empty = start(h, clock, new_data_dir(h, "empty"))
    expect_error(
        empty.api.get(f"/{first_code}"),
        404,
        "this run has an empty --data-dir",
        {
            status: "your program found a link saved by another run with another --data-dir: keep "
            "your files inside the --data-dir folder, not in the working directory or a fixed path"
            for status in REDIRECTS
        },
    )


def in_parallel(items: list[T], work: Callable[[T], Reply]) -> list[Reply | StageFailure]:
    """``work`` on every item from THREADS threads at once; failures come back as values.

    After the first failure the remaining items are not sent (they come back as that
    failure), so a program that stopped answering fails in one timeout, not in hundreds.
    """
    failed: list[StageFailure] = []

    def attempt(item: T) -> Reply | StageFailure:
        if failed:
            return failed[0]
        try:
            return work(item)
        except StageFailure as exc:
            failed.append(exc)
            return exc

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(attempt, items))
    # The first failure in time, not in item order, is the one worth reporting.
    return [failed[0] if isinstance(r, StageFailure) else r for r in results]


def replies(results: list[Reply | StageFailure], prefix: str, hint: str | None = None) -> list[Reply]:
    """The replies, or the first failure with ``prefix`` in front."""
    for result in results:
        if isinstance(result, StageFailure):
            failure = result.with_context(prefix)
            failure.hint = result.hint or hint
            raise failure
    return [r for r in results if isinstance(r, Reply)]


@tester.stage("concurrency")
def concurrency(h: Harness) -> None:
    clock = h.clock()
    server = start(h, clock, connections=THREADS)
    api = server.api
    stalled_request(h, server.port, api)

    urls = [f"https://{word(h)}.example.com/c/{n}?k={h.random.randrange(10**6)}" for n in range(CREATES)]
    h.log(f"Sending {CREATES} POSTs of different URLs from {THREADS} threads at once…")
    results = in_parallel(urls, lambda url: api.shorten({"url": url}, quiet=True))
    created = replies(results, f"one of {CREATES} concurrent creates: ")
    codes = []
    for url, reply in zip(urls, created, strict=True):
        with context(f"one of {CREATES} concurrent creates: "):
            codes.append(expect_link(reply, api, url))
    links: dict[str, str] = {}
    for url, code in zip(urls, codes, strict=True):
        if code in links:
            h.fail(
                f"{CREATES} concurrent POSTs of different URLs got only {len(set(codes))} different "
                f"codes: {code!r} was given to both\n  {links[code]}\n  {url}",
                hint="two requests took the same counter value before either stored the next one: "
                "taking a code and recording it must be one step, under a lock (a mutex)",
            )
        links[code] = url
    h.log(f"All {CREATES} got 201 Created, with {CREATES} different codes.")

    h.log(f"Following all {len(links)} links from {THREADS} threads at once…")
    check_redirects(api, links, "following the links: ")
    server = restart(h, server, clock, connections=THREADS)
    check_redirects(
        server.api,
        links,
        "after a restart: ",
        "a link that got 201 Created was lost: when two requests save at the same time, one may "
        "write a snapshot taken before the other's link was added. Take the snapshot and write it "
        "under the same lock",
    )
    h.log(f"All {len(links)} links survived the restart.")

    same = long_url(h, "/popular")
    h.log(f"Sending {SAME_URL_CREATES} POSTs of the same URL at once…")
    results = in_parallel([same] * SAME_URL_CREATES, lambda url: server.api.shorten({"url": url}, quiet=True))
    same_replies = replies(results, f"one of {SAME_URL_CREATES} concurrent POSTs of the same URL: ")
    same_codes = []
    for reply in same_replies:
        with context(f"one of {SAME_URL_CREATES} concurrent POSTs of the same URL: "):
            if reply.status not in (200, 201):
                raise fail(reply, "201 Created (for one of them) or 200 OK (for the others) with the link")
            same_codes.append(expect_link(reply, server.api, same, status=reply.status))
    created_count = sum(1 for r in same_replies if r.status == 201)
    if len(set(same_codes)) != 1 or created_count != 1:
        h.fail(
            f"{SAME_URL_CREATES} concurrent POSTs of {same} got {len(set(same_codes))} different codes and "
            f"{created_count} answers 201 Created; expected one link: one 201 Created and "
            f"{SAME_URL_CREATES - 1} answers 200 OK, all with the same code",
            hint="looking the URL up and inserting it must be one step, under a lock: otherwise two "
            "requests both find nothing and both create a link",
        )
    h.log("They all got the same code, and only one was created.")
    expect_redirect(server.api.get(f"/{same_codes[0]}"), same)


def check_redirects(api: ShortenerApi, links: dict[str, str], prefix: str, hint: str | None = None) -> None:
    pairs = list(links.items())
    results = in_parallel(pairs, lambda pair: api.get(f"/{pair[0]}", quiet=True))
    for (_, url), reply in zip(pairs, replies(results, prefix, hint), strict=True):
        with context(prefix, hint):
            expect_redirect(reply, url)


def stalled_request(h: Harness, port: int, api: ShortenerApi) -> None:
    """A client sends half a request and pauses; another client must still be served."""
    slow_url = long_url(h, "/slow")
    body = json.dumps({"url": slow_url}).encode()
    head = (
        f"POST /api/links HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nX-Now-Ms: {api.clock.now_ms}\r\nConnection: close\r\n\r\n"
    ).encode()
    slow = h.connect(port, name="slow client", show_bytes=False)
    half = len(body) // 2
    slow.send(head + body[:half])
    h.log("A slow client sent the headers and half the body of a POST, and pauses.")
    url = long_url(h, "/meanwhile")
    with context("while a slow client was in the middle of its request: ", HINT_ONE_AT_A_TIME, override=True):
        expect_link(api.shorten({"url": url}, timeout=STALLED_WAIT_S), api, url)
    slow.send(body[half:])
    h.log("The slow client sends the rest of its body.")
    raw = slow.read_until(
        b"\r\n", timeout=STALLED_WAIT_S, waiting_for="the status line of the response to its POST"
    )
    status_line = raw.decode("latin-1").strip()
    parts = status_line.split(" ")
    if len(parts) < 2 or parts[1] != "201":
        fake = Reply("POST", "/api/links", body, {}, 0, "")
        raise fail(fake, "201 Created", got=f'the status line "{status_line}"')
    slow.close()
    h.log("Both clients got 201 Created.")
