"""Stage 9: counting clicks, exactly, while many visitors follow links at the same time."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from crack.harness import Harness

from .api import ShortenerApi
from .common import (
    context,
    expect_error,
    expect_link,
    expect_redirect,
    fail,
    json_object,
    long_url,
    restart,
    start,
    tester,
    unknown_code,
)
from .durability import THREADS, in_parallel, replies

CONCURRENT_CLICKS = 200
HINT_LOST_CLICKS = (
    "clicks were lost: `clicks += 1` from many threads at once is a read, an add and a write, "
    "and two threads can read the same value. Count under the lock that guards the links"
)


def expect_stats(
    api: ShortenerApi,
    code: str,
    url: str,
    clicks: int,
    *,
    why: str = "",
    hint: str | None = None,
    path: str | None = None,
) -> None:
    """GET /api/links/<code> → 200 with "code", "url" and "clicks" (a JSON integer)."""
    reply = api.get(path or f"/api/links/{code}")
    expected = f'200 OK with the stats as JSON, "clicks": {clicks}{why}'
    if reply.status != 200:
        raise fail(
            reply,
            expected,
            'GET /api/links/<code> returns the link as JSON, with its click count in "clicks"'
            if reply.status in (404, 405, 501)
            else None,
        )
    body = json_object(reply, expected)
    if body.get("code") != code or body.get("url") != url:
        raise fail(reply, f'the stats of this link: "code": "{code}", "url": "{url}"')
    got = body.get("clicks")
    if type(got) is not int:
        raise fail(reply, expected, 'send the count as a JSON number: "clicks": 3', got=f'"clicks": {got!r}')
    if got != clicks:
        raise fail(reply, expected, hint, got=f'"clicks": {got}')


@tester.stage("click-counts")
def click_counts(h: Harness) -> None:
    clock = h.clock()
    server = start(h, clock, connections=THREADS)
    api = server.api
    url = long_url(h)
    reply = api.shorten({"url": url})
    code = expect_link(reply, api, url)
    resource = urlsplit(urljoin(f"{api.base}/api/links", reply.header("Location") or "")).path
    expect_stats(api, code, url, 0, why=" (a new link)", path=resource)
    for suffix in ("", "?ref=crack", ""):
        expect_redirect(api.get(f"/{code}{suffix}"), url)
    expect_stats(api, code, url, 3, why=" (after 3 redirects)", hint="every redirect counts one click")
    expect_stats(
        api,
        code,
        url,
        3,
        why=" (reading the stats is not a click)",
        hint="only GET /<code> answered with a redirect is a click",
    )
    expect_error(api.get(f"/api/links/{unknown_code(h, {code})}"), 404, "no link has that code")
    h.log("Redirects were counted, stats reads were not.")

    soon = long_url(h, "/soon")
    code_soon = expect_link(api.shorten({"url": soon, "expires_in_ms": 1_000}), api, soon)
    for _ in range(2):
        expect_redirect(api.get(f"/{code_soon}"), soon)
    clock.advance(1_000)
    expect_error(api.get(f"/{code_soon}"), 410, "the link expired")
    expect_stats(
        api,
        code_soon,
        soon,
        2,
        why=" (2 redirects, then a 410)",
        hint="a 410 sent nobody anywhere: count only the redirects",
    )
    h.log("Stats still answer for an expired link, and a 410 is not a click.")

    targets = [long_url(h, f"/hot-{n}") for n in range(3)]
    codes = [expect_link(api.shorten({"url": target}), api, target) for target in targets]
    first = h.random.randrange(70, 100)
    second = h.random.randrange(40, 70)
    counts = [first, second, CONCURRENT_CLICKS - first - second]
    visits = [i for i, n in enumerate(counts) for _ in range(n)]
    h.random.shuffle(visits)
    each = ", ".join(map(str, counts))
    h.log(f"Following those 3 links {CONCURRENT_CLICKS} times from {THREADS} threads at once ({each} times)…")
    results = in_parallel(visits, lambda i: api.get(f"/{codes[i]}", quiet=True))
    for i, result in zip(visits, replies(results, "one of the concurrent clicks: "), strict=True):
        with context("one of the concurrent clicks: "):
            expect_redirect(result, targets[i])
    for i in range(3):
        expect_stats(
            api,
            codes[i],
            targets[i],
            counts[i],
            why=f" (after {counts[i]} concurrent redirects)",
            hint=HINT_LOST_CLICKS,
        )
    h.log("Every concurrent click was counted.")

    server = restart(h, server, clock, connections=THREADS)
    api = server.api
    hint = "a click counted before the crash must still count: save the counts like the links"
    with context("after a restart: "):
        expect_stats(api, code, url, 3, hint=hint)
        expect_stats(api, code_soon, soon, 2, hint=hint)
        for i in range(3):
            expect_stats(api, codes[i], targets[i], counts[i], hint=hint)
    h.log("The counts survived the restart.")
