"""Stages 7-9: login issues a JWT, bad tokens get 401, another user's task gets 403.

pyjwt checks the program's tokens (HS256 with the secret of ``--jwt-secret``) and mints
the tester's own, with the ``exp`` and ``nbf`` the check needs: an expired token is one
whose ``exp`` is an hour ago, so no check waits on the wall clock.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass

from crack.harness import Harness
from crack.harness.http_api import HttpApi, Reply

from .common import (
    Server,
    expect_error,
    expect_status,
    expect_task,
    fail,
    json_object,
    start,
    tester,
    title,
)

NAMES = ["ada", "grace", "linus", "barbara", "ken", "margaret", "dennis", "frances", "edsger", "radia"]
HINT_WWW_AUTHENTICATE = (
    "a 401 carries WWW-Authenticate: Bearer (RFC 6750), telling the client which scheme to use"
)


@dataclass
class User:
    name: str
    password: str
    token: str = ""

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def _password(h: Harness) -> str:
    return "".join(h.random.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(14))


def register(h: Harness, api: HttpApi, taken: set[str]) -> User:
    name = f"{h.random.choice([n for n in NAMES if n not in taken])}_{h.random.randrange(10, 100)}"
    taken.add(name.split("_")[0])
    user = User(name, _password(h))
    reply = api.post("/users", {"username": user.name, "password": user.password})
    expect_status(reply, 201, "the user is registered")
    body = json_object(reply, '201 Created with {"username": …}')
    if body.get("username") != user.name:
        raise fail(reply, f'{{"username": "{user.name}"}}', "answer with the registered user's username")
    return user


def mint(
    server: Server, claims: dict[str, object], label: str, *, key: str | None = None, algorithm: str = "HS256"
) -> str:
    """A token the tester signs (or, with ``algorithm`` "none", leaves unsigned); the log
    names it ``label``."""
    import jwt

    if algorithm == "none":
        token = jwt.encode(claims, None, algorithm=None)
    else:
        token = jwt.encode(claims, key if key is not None else server.secret, algorithm=algorithm)
    server.api.label(token, label)
    return token


def login(h: Harness, server: Server, user: User) -> str:
    """POST /login; the token must be an HS256 JWT of ``user`` that pyjwt verifies."""
    import jwt

    reply = server.api.post("/login", {"username": user.name, "password": user.password})
    expected = '200 OK with {"access_token": "<JWT>", "token_type": "bearer"}'
    expect_status(reply, 200, "the username and password are right")
    body = json_object(reply, expected)
    token = body.get("access_token")
    if not isinstance(token, str) or body.get("token_type") != "bearer":
        raise fail(
            reply, expected, 'OAuth 2.0 (RFC 6749, 5.1) names them "access_token" and "token_type": "bearer"'
        )
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, server.secret, algorithms=["HS256"], options={"require": ["exp", "sub"]})
    except jwt.InvalidSignatureError:
        raise fail(
            reply,
            "a JWT signed with HMAC-SHA256 using the --jwt-secret argument as the key",
            "sign header.payload (each base64url without padding) with HMAC-SHA256 keyed by the "
            "secret's text, and append the signature in base64url",
            got="a token whose signature does not match",
        ) from None
    except jwt.PyJWTError as exc:
        raise fail(
            reply,
            'an HS256 JWT with the claims "sub" (the username) and "exp" (seconds since 1970)',
            got=f"a token pyjwt refuses: {exc}",
        ) from None
    if header.get("alg") != "HS256":
        raise fail(reply, 'a JWT whose header says "alg": "HS256"', got=f"header {header}")
    if claims.get("sub") != user.name:
        raise fail(reply, f'"sub": "{user.name}" in the token', got=f"claims {claims}")
    now = time.time()
    exp = claims["exp"]
    if not isinstance(exp, int | float) or not now < exp <= now + 86400:
        raise fail(
            reply,
            '"exp" in the next 24 hours (seconds since 1970, not milliseconds)',
            got=f'"exp": {exp} (now is about {int(now)})',
        )
    h.log(f"pyjwt verified the token: HS256, sub={user.name}, exp within 24 hours.")
    server.api.label(token, f"{user.name}'s token from /login")
    user.token = token
    return token


def expect_me(api: HttpApi, user: User, headers: dict[str, str], why: str) -> None:
    reply = api.get("/me", headers=headers)
    expect_status(
        reply, 200, why, {401: "this token is valid: signed with the secret, not expired, naming a user"}
    )
    body = json_object(reply, f'200 OK with {{"username": "{user.name}"}}')
    if body.get("username") != user.name:
        raise fail(reply, f'{{"username": "{user.name}"}}', 'answer with the user the token\'s "sub" names')


def expect_401(reply: Reply, why: str, hint: str | None = None) -> None:
    expect_error(
        reply,
        401,
        "unauthorized",
        why,
        {
            200: hint or "verify the token before trusting it: signature, algorithm, exp and nbf",
            403: '403 means "I know who you are, and no"; a missing or invalid token is 401 Unauthorized',
        },
        hint,
    )
    challenge = reply.header("WWW-Authenticate") or ""
    if not challenge.lower().startswith("bearer"):
        raise fail(
            reply,
            "401 with WWW-Authenticate: Bearer",
            HINT_WWW_AUTHENTICATE,
            got=f"WWW-Authenticate: {challenge}" if challenge else "no WWW-Authenticate header",
        )


@tester.stage("login")
def login_stage(h: Harness) -> None:
    server = start(h)
    api = server.api
    taken: set[str] = set()
    user = register(h, api, taken)
    expect_error(
        api.post("/users", {"username": user.name, "password": _password(h)}),
        409,
        "conflict",
        "that username is taken",
        {201: "usernames are unique: a second registration of one is 409 Conflict"},
    )
    for why, payload in [
        ("the username has capitals and a space", {"username": "Not Valid", "password": _password(h)}),
        ("the password is shorter than 8 characters", {"username": "shorty_1", "password": "abc"}),
    ]:
        expect_error(api.post("/users", payload), 422, "validation_failed", why)
    login(h, server, user)
    expect_me(api, user, user.auth, "the token login just issued")
    for why, payload in [
        ("the password is wrong", {"username": user.name, "password": user.password + "x"}),
        ("no user has that name", {"username": "nobody_" + user.name[:20], "password": user.password}),
    ]:
        expect_error(
            api.post("/login", payload),
            401,
            "unauthorized",
            why,
            {200: "compare the password with the stored one (store a salted hash, never the password)"},
        )
    h.log("Registration, login and GET /me with the token all worked; wrong credentials got 401.")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@tester.stage("tokens")
def tokens(h: Harness) -> None:
    server = start(h)
    api = server.api
    taken: set[str] = set()
    user, other = register(h, api, taken), register(h, api, taken)
    login(h, server, user)
    now = int(time.time())
    mine = mint(
        server,
        {"sub": user.name, "iat": now, "nbf": now - 5, "exp": now + 600},
        f"{user.name}, signed by the tester, exp in 10 min",
    )
    h.log("The tester minted its own token for that user (HS256 with your secret, exp in 10 minutes).")
    expect_me(
        api, user, {"Authorization": f"Bearer {mine}"}, "a valid token the tester signed with your secret"
    )
    expect_401(api.get("/me"), "no Authorization header")
    head, _, signature = mine.split(".")
    tampered_claims = {"sub": other.name, "iat": now, "nbf": now - 5, "exp": now + 600}
    tampered = f"{head}.{_b64(json.dumps(tampered_claims).encode())}.{signature}"
    api.label(tampered, f"sub changed to {other.name}, signature of {user.name}'s token")
    claims = {"sub": user.name, "exp": now + 600}
    early = mint(server, {"sub": user.name, "nbf": now + 3600, "exp": now + 7200}, "nbf in an hour")
    forged = mint(server, claims, "signed with another key", key="x" + server.secret)
    unsigned = mint(server, claims, "alg none, no signature", algorithm="none")
    cases: list[tuple[str, str, str | None]] = [
        (
            "the token expired an hour ago",
            f"Bearer {mint(server, {'sub': user.name, 'exp': now - 3600}, 'exp an hour ago')}",
            '"exp" is in seconds since 1970: refuse a token whose exp is not after now',
        ),
        (
            "the token is not valid for another hour (nbf)",
            f"Bearer {early}",
            'check "nbf" too: a token is not valid before it',
        ),
        (
            "the token was signed with another key",
            f"Bearer {forged}",
            "recompute the HMAC-SHA256 of header.payload with your secret and compare it with the signature "
            "(in constant time)",
        ),
        (
            'the token says "alg": "none" and has no signature',
            f"Bearer {unsigned}",
            'never let the token choose the algorithm: accept "alg": "HS256" only; "none" means anyone '
            "can write any token",
        ),
        (
            "the payload was changed to another user, the signature kept",
            f"Bearer {tampered}",
            "the signature covers header and payload: verify it before reading any claim",
        ),
        (
            "the token has no exp",
            f"Bearer {mint(server, {'sub': user.name}, 'no exp')}",
            'require "exp": a token without it would be valid forever',
        ),
        (
            "the token names a user who does not exist",
            f"Bearer {mint(server, {'sub': 'ghost_' + user.name[:20], 'exp': now + 600}, 'sub of no user')}",
            None,
        ),
        ("the scheme is Basic, not Bearer", "Basic " + _b64(f"{user.name}:{user.password}".encode()), None),
        ("the token is not a JWT", "Bearer " + h.random.choice(["abc.def", "not-a-token", "a.b.c"]), None),
    ]
    for why, value, hint in cases:
        expect_401(api.get("/me", headers={"Authorization": value}), why, hint)
    h.log("Missing, expired, early, forged, unsigned and tampered tokens all got 401.")


@tester.stage("ownership")
def ownership(h: Harness) -> None:
    server = start(h)
    api = server.api
    taken: set[str] = set()
    owner, intruder = register(h, api, taken), register(h, api, taken)
    login(h, server, owner)
    login(h, server, intruder)
    name = title(h)
    task = expect_task(
        api.post("/tasks", {"title": name}, headers=owner.auth), api, status=201, title=name, owner=owner.name
    )
    path = f"/tasks/{task['id']}"
    forbidden = {
        200: "check who owns the task before changing it: another user's token is 403 Forbidden",
        204: "check who owns the task before deleting it: another user's token is 403 Forbidden",
        401: "the token is valid, so the user is known: 401 is for no or bad credentials, 403 for "
        "a known user who may not",
    }
    expect_error(
        api.patch(path, {"done": True}, headers=intruder.auth),
        403,
        "forbidden",
        "the task belongs to another user",
        forbidden,
    )
    expect_error(
        api.delete(path, headers=intruder.auth),
        403,
        "forbidden",
        "the task belongs to another user",
        forbidden,
    )
    expect_401(api.patch(path, {"done": True}), "the task has an owner and no token was sent")
    expect_401(api.delete(path), "the task has an owner and no token was sent")
    expect_task(
        api.get(path), api, title=name, owner=owner.name, status_hint="refused requests change nothing"
    )
    now = int(time.time())
    expired = mint(server, {"sub": owner.name, "exp": now - 3600}, f"{owner.name}, exp an hour ago")
    expect_401(
        api.post("/tasks", {"title": title(h)}, headers={"Authorization": f"Bearer {expired}"}),
        "the token sent with the new task expired an hour ago",
        "a bad token is refused even where no token is needed: silently creating the task without "
        "an owner would hide the client's mistake",
    )
    renamed = title(h)
    expect_task(api.patch(path, {"title": renamed}, headers=owner.auth), api, title=renamed, owner=owner.name)
    open_name = title(h)
    anonymous = expect_task(
        api.post("/tasks", {"title": open_name}), api, status=201, title=open_name, owner=None
    )
    expect_task(
        api.patch(f"/tasks/{anonymous['id']}", {"done": True}, headers=intruder.auth),
        api,
        title=open_name,
        done=True,
        owner=None,
        status_hint="a task created without a token has no owner: anyone may change it",
    )
    expect_status(api.delete(path, headers=owner.auth), 204, "the owner deletes their task")
    h.log("Only the owner changed their task: others got 403, requests without a token 401.")
