"""Stage 8: links that expire, on the tester's logical clock (X-Now-Ms), never by sleeping."""

from __future__ import annotations

import time

from crack.harness import Harness, LogicalClock
from crack.harness.http_api import Reply

from .api import ShortenerApi
from .common import (
    REDIRECTS,
    expect_error,
    expect_link,
    expect_redirect,
    fail,
    long_url,
    restart,
    start,
    tester,
)

HINT_410 = (
    "an expired link answers 410 Gone (RFC 9110, section 15.5.11): the code existed and is gone "
    "for good, which 404 does not say"
)


def expired_hints(code_hint: str) -> dict[int, str]:
    hints = {status: code_hint for status in REDIRECTS}
    hints[404] = HINT_410
    return hints


def expect_expires_at(reply: Reply, clock: LogicalClock, ttl: int) -> None:
    """The link's ``expires_at`` is X-Now-Ms + expires_in_ms, exactly."""
    body = reply.json()
    got = body.get("expires_at") if isinstance(body, dict) else None
    want = clock.now_ms + ttl
    if got == want:
        return
    hint = "expires_at is the request's X-Now-Ms plus expires_in_ms, in milliseconds"
    if isinstance(got, int) and abs(got - ttl - time.time() * 1000) < 3_600_000:
        hint = "that is the wall clock: take the current time from the X-Now-Ms header of the request"
    elif got == ttl:
        hint = "expires_in_ms is a duration: add it to the request's X-Now-Ms"
    elif got == clock.now_ms + ttl * 1000:
        hint = "expires_in_ms is already in milliseconds: do not multiply it by 1000"
    raise fail(
        reply,
        f'"expires_at": {want} (X-Now-Ms {clock.now_ms} + expires_in_ms {ttl})',
        hint,
        got=f'"expires_at": {got} ({reply.response_text()})',
    )


def never_expires(reply: Reply) -> None:
    body = reply.json()
    if isinstance(body, dict) and body.get("expires_at") is not None:
        raise fail(
            reply,
            '"expires_at": null (or no "expires_at"): this link was created without expires_in_ms',
            got=f'"expires_at": {body.get("expires_at")}',
        )


@tester.stage("expiry")
def expiry(h: Harness) -> None:
    clock = h.clock()
    server = start(h, clock)
    api = server.api
    api.show_time = True
    h.log(
        f"Every request carries X-Now-Ms: the tester's clock, now {clock.now_ms}; "
        "it moves only when the tester moves it."
    )

    ttl = 60_000
    sale = long_url(h, "/flash-sale")
    reply = api.shorten({"url": sale, "expires_in_ms": ttl})
    code = expect_link(reply, api, sale)
    expect_expires_at(reply, clock, ttl)
    forever = long_url(h, "/forever")
    reply = api.shorten({"url": forever})
    code_forever = expect_link(reply, api, forever)
    never_expires(reply)

    clock.advance(ttl - 1)
    expect_redirect(api.get(f"/{code}"), sale, " (1 ms before the link expires)")
    clock.advance(1)
    expect_error(
        api.get(f"/{code}"),
        410,
        "the link expired at exactly this time",
        expired_hints("a link is expired when now >= expires_at: at expires_at itself it is gone"),
    )
    expect_redirect(api.get(f"/{code_forever}"), forever, " (a link without expires_in_ms never expires)")
    expect_error(
        api.shorten({"url": long_url(h, "/reuse"), "alias": code}),
        409,
        f"the expired code {code!r} is still taken",
        {
            201: "an expired code stays taken: giving it to a new URL would send everyone who kept "
            "the old short link to somewhere else"
        },
    )
    h.log("The link redirected until its last millisecond, then answered 410 Gone.")

    expect_plain_is_not_the_expiring_one(h, api, clock)

    invalid: list[tuple[object, str]] = [
        (0, "zero"), (-1000, "negative"), ("60000", "a string"), (1.5, "not a whole number"),
        (True, "a boolean, not a number"),
    ]  # fmt: skip
    for value, why in invalid:
        expect_error(
            api.shorten({"url": long_url(h, "/bad"), "expires_in_ms": value}),
            400,
            f'"expires_in_ms" is {why}',
            {
                201: "expires_in_ms must be a positive JSON integer: check the JSON type (true, 1.5 "
                'and "100" are not integers), not only the value'
            },
        )

    later = long_url(h, "/later")
    reply = api.shorten({"url": later, "expires_in_ms": 5_000})
    code_later = expect_link(reply, api, later)
    expect_expires_at(reply, clock, 5_000)
    server = restart(h, server, clock)
    api = server.api
    api.show_time = True
    clock.advance(4_999)
    hint_saved = "save expires_at (an absolute time) with the link, and check it after a restart too"
    expect_redirect(api.get(f"/{code_later}"), later, " (the link expires in 1 ms, restart or not)")
    expect_error(api.get(f"/{code}"), 410, "it expired before the restart", expired_hints(hint_saved))
    clock.advance(1)
    expect_error(api.get(f"/{code_later}"), 410, "it expires now", expired_hints(hint_saved))
    expect_redirect(api.get(f"/{code_forever}"), forever)
    h.log("Deadlines survived the restart.")


def expect_plain_is_not_the_expiring_one(h: Harness, api: ShortenerApi, clock: LogicalClock) -> None:
    """A POST without expires_in_ms must not hand back a link that will expire."""
    url = long_url(h, "/both")
    reply = api.shorten({"url": url, "expires_in_ms": 1_000})
    expiring = expect_link(reply, api, url)
    reply = api.shorten({"url": url})
    plain = expect_link(
        reply,
        api,
        url,
        status_hint="this URL has only a link that expires: a create without expires_in_ms makes "
        "a new link that does not (201 Created)",
    )
    if plain == expiring:
        raise fail(
            reply,
            f"a new link that never expires (201 Created, a code other than {expiring!r})",
            "only links created without alias and expires_in_ms are shared by later plain creates",
        )
    never_expires(reply)
    clock.advance(1_000)
    expect_error(api.get(f"/{expiring}"), 410, "this link expired", expired_hints("it expired"))
    expect_redirect(api.get(f"/{plain}"), url, " (the link without expires_in_ms)")
