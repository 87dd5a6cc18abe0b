"""Stages 4-5: asking twice gives the same link; links with names of the user's choice."""

from __future__ import annotations

from crack.harness import Harness

from .api import ShortenerApi
from .common import expect_error, expect_link, expect_redirect, fail, long_url, start, tester, word
from .successors import next_codes

HINT_DEDUPE = (
    "keep a second dictionary from URL to code: look the URL up before making a new code, "
    "and answer 200 OK with the existing link when it is there"
)
HINT_REPLAY = (
    "Remember the response given to each Idempotency-Key (status and link) and send it again "
    "when the key comes back: a client retrying after a timeout must not be able to tell the "
    "retry from the first answer"
)


@tester.stage("idempotency")
def idempotency(h: Harness) -> None:
    server = start(h, h.clock())
    api = server.api
    a, b, c, d = (long_url(h, f"/{n}") for n in range(1, 5))
    code_a = expect_link(api.shorten({"url": a}), api, a)
    expect_link(
        api.shorten({"url": a}),
        api,
        a,
        status=200,
        code=code_a,
        status_hint="the URL was shortened before: nothing is created, so the answer is 200 OK "
        "with the existing link. " + HINT_DEDUPE,
    )
    h.log("The same URL twice gave the same code.")

    key = f"{word(h)}-{h.random.randrange(10**9):09d}"
    code_b = expect_link(api.shorten({"url": b}, headers={"Idempotency-Key": key}), api, b)
    reply = api.shorten({"url": b}, headers={"Idempotency-Key": key})
    expect_link(
        reply,
        api,
        b,
        status=201,
        code=code_b,
        status_hint="this is a retry of the request that got 201 Created: with the same "
        "Idempotency-Key the response is the same, status included. " + HINT_REPLAY,
    )
    reply = api.shorten({"url": c}, headers={"Idempotency-Key": key})
    expect_error(
        reply,
        422,
        "the key was already used for a different request",
        {
            201: "an Idempotency-Key names one request: reusing it with a different body is the "
            "client's mistake, answered with 422 (draft-ietf-httpapi-idempotency-key-header)",
            200: "an Idempotency-Key names one request: reusing it with a different body must not "
            "replay the old answer; it is answered with 422",
        },
    )
    h.log("The same Idempotency-Key replayed the 201, and reusing it for another URL got a 422.")

    other_key = f"{word(h)}-{h.random.randrange(10**9):09d}"
    expect_link(
        api.shorten({"url": b}, headers={"Idempotency-Key": other_key}),
        api,
        b,
        status=200,
        code=code_b,
        status_hint="a new key for a URL that was already shortened is not a replay: 200 OK with "
        "the existing link",
    )
    code_d = expect_link(api.shorten({"url": d}, headers={"Idempotency-Key": f"{key}-new"}), api, d)
    if code_d in (code_a, code_b):
        h.fail(f"a new URL with a new Idempotency-Key got the code {code_d!r} of an older link ({d})")
    for code, url in ((code_a, a), (code_b, b), (code_d, d)):
        expect_redirect(api.get(f"/{code}"), url)
    h.log("Retried requests never created a second link.")


@tester.stage("custom-alias")
def custom_alias(h: Harness) -> None:
    server = start(h, h.clock())
    api = server.api
    a, b, c, d = (long_url(h, f"/{n}") for n in range(1, 5))
    alias = f"{word(h)}-sale_{h.random.randrange(10, 99)}"

    expect_link(
        api.shorten({"url": a, "alias": alias}),
        api,
        a,
        code=alias,
        generated=False,
        status_hint='a link with an "alias" takes the alias as its code',
    )
    expect_redirect(api.get(f"/{alias}"), a)
    expect_error(
        api.shorten({"url": b, "alias": alias}),
        409,
        "the alias is taken",
        {
            201: "an alias in use belongs to its link: answer 409 Conflict and change nothing",
            200: "the alias points to another URL: this is a conflict (409), not a retry",
        },
    )
    reply = api.get(f"/{alias}")
    if reply.status in (302, 307) and reply.header("Location") == b:
        raise fail(
            reply, f"302 Found with Location: {a}", "a refused request must leave the existing link untouched"
        )
    expect_redirect(reply, a, " (the conflict changed nothing)")
    expect_link(
        api.shorten({"url": a, "alias": alias}),
        api,
        a,
        status=200,
        code=alias,
        generated=False,
        status_hint="the alias already points to this very URL: a retry, answered 200 OK with "
        "the existing link",
    )
    h.log("A taken alias got a 409, and the same alias for the same URL got the link back.")

    twin = h.data.case_variant(alias)
    expect_link(
        api.shorten({"url": b, "alias": twin}),
        api,
        b,
        code=twin,
        generated=False,
        status_hint=f"codes are case-sensitive, like URL paths: {twin!r} and {alias!r} are different aliases",
    )
    expect_redirect(api.get(f"/{twin}"), b)
    expect_redirect(api.get(f"/{alias}"), a)

    generated = expect_link(api.shorten({"url": c}), api, c)
    expect_error(
        api.shorten({"url": d, "alias": generated}),
        409,
        f"{generated!r} is the generated code of another link",
        {201: "generated codes and aliases share one namespace: an alias equal to an existing code is taken"},
    )
    expect_redirect(api.get(f"/{generated}"), c)
    h.log("Aliases are case-sensitive and share one namespace with generated codes.")

    invalid: list[tuple[object, str]] = [
        ("ab", "shorter than 3 characters"),
        ("x" * 33, "longer than 32 characters"),
        (f"{word(h)} {word(h)}", "a space is not allowed"),
        (f"{word(h)}/{word(h)}", '"/" would make it a path of two segments'),
        (f"{word(h)}.html", '"." is not allowed'),
        (f"caf\u00e9-{word(h)}", "only ASCII letters, digits, - and _"),
        ("", "an empty alias"),
        (12345, "an alias must be a string"),
    ]
    for value, why in invalid:
        expect_error(
            api.shorten({"url": d, "alias": value}),
            400,
            why,
            {201: "check the alias: 3 to 32 characters among A-Z, a-z, 0-9, - and _"},
        )
    for value in (f"{word(h)[:2]}_", "Z" * 32):
        expect_link(
            api.shorten({"url": d, "alias": value}),
            api,
            d,
            code=value,
            generated=False,
            status_hint="aliases of 3 to 32 characters among A-Z, a-z, 0-9, - and _ are valid",
        )
    h.log("Invalid aliases got a 400; aliases of 3 and 32 characters were accepted.")
    _aliases_ahead_of_the_generator(h, api)


def _aliases_ahead_of_the_generator(h: Harness, api: ShortenerApi) -> None:
    """Aliases on the codes a counter would hand out next; then plain creates must skip
    them, and every alias must still lead to its own URL."""
    urls = [long_url(h, f"/run-{n}") for n in range(3)]
    run = [expect_link(api.shorten({"url": url}), api, url) for url in urls]
    ahead = next_codes(run, 3)
    if not ahead:
        h.log(f"The codes {', '.join(run)} are not a counting sequence: no code to reserve ahead.")
        return
    h.log(f"The codes {', '.join(run)} count up: aliases now take the next ones, {', '.join(ahead)}.")
    aliased = {}
    for code in ahead:
        url = long_url(h, f"/reserved-{code}")
        expect_link(
            api.shorten({"url": url, "alias": code}),
            api,
            url,
            code=code,
            generated=False,
            status_hint="the alias is free: no link has this code yet",
        )
        aliased[code] = url
    for n in range(len(ahead) + 1):
        url = long_url(h, f"/after-{n}")
        code = expect_link(api.shorten({"url": url}), api, url)
        if code in aliased:
            reply = api.get(f"/{code}")
            raise fail(
                reply,
                f"a new code: {code!r} is the alias of {aliased[code]}",
                "your generator handed out a code an alias already took: when the next code is "
                "taken, skip to the one after it (and keep the alias's link as it was)",
            )
    for code, url in aliased.items():
        expect_redirect(
            api.get(f"/{code}"),
            url,
            f"the alias {code!r}",
            hint="an alias's link must never change: a plain create must not reuse its code",
        )
    h.log("Plain creates skipped the codes the aliases took; every alias still leads to its URL.")
