"""Stages 1-3: create a link, follow it, and refuse what is not a URL worth redirecting to."""

from __future__ import annotations

import json

from crack.harness import Harness

from .common import (
    HINT_SEND_ERROR,
    context,
    expect_error,
    expect_link,
    expect_redirect,
    long_url,
    start,
    tester,
    unknown_code,
    word,
)

MAX_URL_LENGTH = 2048


@tester.stage("create")
def create(h: Harness) -> None:
    server = start(h, h.clock())
    api = server.api
    first = long_url(h)
    code = expect_link(api.shorten({"url": first}), api, first)
    second = long_url(h, "/2")
    other = expect_link(api.shorten({"url": second}), api, second)
    if other == code:
        h.fail(
            f"two different URLs got the same code {code!r}:\n  {first}\n  {second}",
            hint="every new link needs a code of its own: a counter turned into base62 digits, "
            "or random characters checked against the codes already used",
        )
    h.log("Both links were created with codes of their own.")


@tester.stage("redirect")
def redirect(h: Harness) -> None:
    server = start(h, h.clock())
    api = server.api
    urls = [
        long_url(h),
        f"http://{word(h)}.example.org:8080/a%20b/{word(h)}?q=caf%C3%A9&x=1&x=2#{word(h)}",
        f"https://{word(h)}.example.net/",
    ]
    codes = [expect_link(api.shorten({"url": url}), api, url) for url in urls]
    for code, url in zip(reversed(codes), reversed(urls), strict=True):
        expect_redirect(api.get(f"/{code}"), url)
    reply = api.get(f"/{codes[0]}?utm_source=newsletter")
    expect_redirect(
        reply,
        urls[0],
        " (the query string of the short URL is ignored)",
        "take the code from the path without its query string (everything from '?' on)",
    )
    missing = unknown_code(h, set(codes))
    expect_error(
        api.get(f"/{missing}"),
        404,
        "no link has that code",
        {
            200: "an unknown code is not found: 404 with a JSON error",
            500: "look the code up with .get() (or catch KeyError): an unknown code is a 404, not a crash",
        },
        HINT_SEND_ERROR,
    )
    h.log("Every code redirected to its URL, and an unknown code got a 404.")


@tester.stage("validation")
def validation(h: Harness) -> None:
    server = start(h, h.clock())
    api = server.api
    host = f"https://{word(h)}.example.com/"
    long_tail = "a" * (MAX_URL_LENGTH - len(host))
    rejected: list[tuple[str, bytes, str | None]] = [
        ("it has no scheme", _body(f"www.{word(h)}.example.com/{word(h)}"),
         "a URL without http:// or https:// would be resolved by browsers as a path on your own "
         "server: check the scheme"),
        ("ftp is not http or https", _body(f"ftp://files.example.org/{word(h)}.tar.gz"),
         "accept only the schemes http and https (in any letter case)"),
        ("a javascript: URL runs code in the visitor's browser", _body("javascript:alert(document.cookie)"),
         "accept only http and https: shorteners that redirect to javascript: or data: URLs are "
         "used for attacks"),
        ("the URL is empty", _body(""), None),
        ("the URL has no host", _body("https://"), "after the scheme and :// there must be a host"),
        (f"it is longer than {MAX_URL_LENGTH} characters", _body(host + long_tail + "a"),
         f"count the characters of the URL: more than {MAX_URL_LENGTH} is too long"),
        ("a URL has no spaces", _body(f"https://{word(h)}.example.com/two words"),
         "a space is not allowed in a URL (it would be %20): reject anything but printable ASCII"),
        ("a URL is ASCII (non-ASCII characters are percent-encoded)",
         _body(f"https://{word(h)}.example.com/café"),
         "reject characters outside printable ASCII: a real URL sends é as %C3%A9"),
        ('"url" must be a string', json.dumps({"url": 42}).encode(), None),
        ('the "url" field is missing', json.dumps({"link": host}).encode(),
         'read the field "url"; a body without it is a client error, not a crash'),
        ("the body must be a JSON object", json.dumps([host]).encode(), None),
        ("the JSON is cut off", json.dumps({"url": host}).encode()[:-1],
         "when the body does not parse as JSON, answer 400 instead of crashing"),
        ("the body is empty", b"", None),
        ("the body is not UTF-8", b'{"url": "' + host.encode() + b'\xff"}',
         "a body that is not UTF-8 is not JSON either: catch UnicodeDecodeError (a ValueError)"),
    ]  # fmt: skip
    for why, body, hint in rejected:
        with context(f"({why}) ", hint, override=hint is not None):
            reply = api.send("POST", "/api/links", body=body)
        expect_error(
            reply,
            400,
            why,
            {
                201: hint or "validate the request before creating anything: answer 400 with a JSON error",
                500: "your program crashed on this body: catch the error and answer 400",
            },
            hint,
        )
    accepted = [
        (host + long_tail, f"a URL of exactly {MAX_URL_LENGTH} characters is allowed"),
        (f"HTTP://{word(h).upper()}.Example.COM/Mixed/Case", "schemes are case-insensitive"),
        (
            f"http://127.0.0.1:8080/p;v=1?q=a%20b&r=%2F&empty=#sec-{word(h)}",
            "ports, %-escapes and fragments are fine",
        ),
        ("https://xn--bcher-kva.example/", "an internationalised domain in its ASCII form is fine"),
    ]
    for url, why in accepted:
        reply = api.shorten({"url": url})
        code = expect_link(
            reply, api, url, status_hint=f"{why}: this URL is valid and must be shortened (201 Created)"
        )
        expect_redirect(api.get(f"/{code}"), url)
    h.log("Every invalid request got a 400 with a JSON error, and every valid one a link.")


def _body(url: str) -> bytes:
    return json.dumps({"url": url}, ensure_ascii=False).encode()
