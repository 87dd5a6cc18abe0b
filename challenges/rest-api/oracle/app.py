"""The rest-api challenge's oracle: the tasks API of the stage pages, built on FastAPI.

No packaged server implements this API, so this reference stands in for "the real system":
FastAPI routes the requests, Starlette answers unknown paths and methods (405 with Allow),
pyjwt signs and verifies the tokens, and every answer follows the OpenAPI document
(``openapi.yaml`` beside this folder). It is written apart from the per-stage reference in
reference_solutions/ (the standard library's HTTP server), so the tester is checked against
two programs that share no code. Run as ``app.py --port N --data-dir D --jwt-secret S``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

TOKEN_LIFETIME_S = 3600
SORTS = ("-created", "created", "priority", "-priority")
FIELDS = {"title": str, "done": bool, "priority": int}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        fields: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.fields, self.headers = fields, headers or {}


def unauthorized(message: str) -> ApiError:
    return ApiError(
        401, "unauthorized", message, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
    )


@dataclass
class Task:
    id: int
    title: str
    done: bool = False
    priority: int = 3
    owner: str | None = None
    version: int = 1

    def json(self) -> dict[str, Any]:
        return {"id": str(self.id), "title": self.title, "done": self.done, "priority": self.priority,
                "owner": self.owner}  # fmt: skip

    @property
    def etag(self) -> str:
        return f'"{self.id}-{self.version}"'


@dataclass
class State:
    secret: str
    tasks: dict[int, Task] = field(default_factory=dict)
    users: dict[str, tuple[bytes, bytes]] = field(default_factory=dict)
    next_id: int = 1


app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
state = State(secret="")


@app.exception_handler(ApiError)
async def api_error(request: Request, exc: ApiError) -> JSONResponse:
    body: dict[str, Any] = {"error": exc.code, "message": exc.message}
    if exc.fields is not None:
        body["fields"] = exc.fields
    return JSONResponse(body, exc.status, headers=exc.headers)


@app.exception_handler(StarletteHTTPException)
async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    codes = {404: "not_found", 405: "method_not_allowed"}
    body = {"error": codes.get(exc.status_code, "error"), "message": str(exc.detail)}
    return JSONResponse(body, exc.status_code, headers=dict(exc.headers or {}))


# --- requests ------------------------------------------------------------------------------
async def read_json(request: Request) -> Any:
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != "application/json":
        raise ApiError(415, "unsupported_media_type", "send the body as Content-Type: application/json")
    try:
        return json.loads(await request.body())
    except ValueError:
        raise ApiError(400, "malformed_json", "the body is not valid JSON") from None


def check_task(body: Any, *, partial: bool) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(422, "validation_failed", "the body must be a JSON object",
                       fields=[{"field": "body", "message": "must be a JSON object"}])  # fmt: skip
    problems = [{"field": name, "message": "unknown field"} for name in body if name not in FIELDS]
    if "title" not in body and not partial:
        problems.append({"field": "title", "message": "is required"})
    if partial and not body:
        problems.append({"field": "body", "message": "name at least one field to change"})
    if "title" in body and not (isinstance(body["title"], str) and 1 <= len(body["title"]) <= 200):
        problems.append({"field": "title", "message": "must be a string of 1 to 200 characters"})
    if "done" in body and not isinstance(body["done"], bool):
        problems.append({"field": "done", "message": "must be true or false"})
    priority = body.get("priority")
    if "priority" in body and not (type(priority) is int and 1 <= priority <= 5):
        problems.append({"field": "priority", "message": "must be an integer from 1 to 5"})
    if problems:
        raise ApiError(422, "validation_failed", "the task is not valid", fields=problems)
    return body


def check_credentials(body: Any) -> tuple[str, str]:
    if not isinstance(body, dict):
        raise ApiError(422, "validation_failed", "the body must be a JSON object",
                       fields=[{"field": "body", "message": "must be a JSON object"}])  # fmt: skip
    problems = [
        {"field": name, "message": "unknown field"} for name in body if name not in ("username", "password")
    ]
    username, password = body.get("username"), body.get("password")
    if not (isinstance(username, str) and 3 <= len(username) <= 32
            and all(c in "abcdefghijklmnopqrstuvwxyz0123456789_" for c in username)):  # fmt: skip
        problems.append({"field": "username", "message": "3 to 32 of a-z, 0-9 and _"})
    if not (isinstance(password, str) and 8 <= len(password) <= 128):
        problems.append({"field": "password", "message": "a string of 8 to 128 characters"})
    if problems:
        raise ApiError(422, "validation_failed", "the credentials are not valid", fields=problems)
    return username, password


def user_of(request: Request, *, required: bool) -> str | None:
    """The user a valid bearer token names; None without a token (when that is allowed)."""
    header = request.headers.get("authorization")
    if header is None:
        if required:
            raise unauthorized("this endpoint needs Authorization: Bearer <token>")
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("the Authorization header must be Bearer <token>")
    try:
        claims = jwt.decode(
            token.strip(), state.secret, algorithms=["HS256"], options={"require": ["exp", "sub"]}
        )
    except jwt.PyJWTError as exc:
        raise unauthorized(f"the token is not valid: {exc}") from None
    if claims["sub"] not in state.users:
        raise unauthorized("the token names no user")
    return str(claims["sub"])


def find(task_id: str) -> Task:
    task = state.tasks.get(int(task_id)) if task_id.isascii() and task_id.isdigit() else None
    if task is None:
        raise ApiError(404, "not_found", f"no task has the id {task_id!r}")
    return task


def authorize(task: Task, user: str | None) -> None:
    if task.owner is None:
        return
    if user is None:
        raise unauthorized("this task has an owner: send their token")
    if user != task.owner:
        raise ApiError(403, "forbidden", "this task belongs to another user")


def check_if_match(request: Request, task: Task) -> None:
    header = request.headers.get("if-match")
    if header is None:
        return
    tags = [tag.strip() for tag in header.split(",")]
    if "*" not in tags and task.etag not in tags:
        raise ApiError(412, "precondition_failed", f"the task changed: its ETag is now {task.etag}")


def task_response(task: Task, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(task.json(), status, headers={"ETag": task.etag, **(headers or {})})


# --- pagination --------------------------------------------------------------------------
def order_key(task: Task, sort: str) -> tuple[int, int]:
    """A key whose ascending order is the listing's order (ties: newest first)."""
    if sort == "-created":
        return (0, -task.id)
    if sort == "created":
        return (0, task.id)
    if sort == "priority":
        return (task.priority, -task.id)
    return (-task.priority, -task.id)


def encode_cursor(key: tuple[int, int], sort: str, done: str | None) -> str:
    raw = json.dumps({"k": list(key), "s": sort, "d": done}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str, done: str | None) -> tuple[int, int]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        key = (int(data["k"][0]), int(data["k"][1]))
        same = data["s"] == sort and data["d"] == done
    except (ValueError, KeyError, TypeError, IndexError):
        raise ApiError(400, "invalid_cursor", "the cursor is not one this server gave out") from None
    if not same:
        raise ApiError(400, "invalid_cursor", "the cursor belongs to another sort or filter")
    return key


def list_tasks(request: Request) -> JSONResponse:
    query = request.query_params
    problems = []
    limit_text = query.get("limit", "20")
    limit = int(limit_text) if limit_text.isascii() and limit_text.isdigit() else 0
    if not 1 <= limit <= 100:
        problems.append({"field": "limit", "message": "must be an integer from 1 to 100"})
    sort = query.get("sort", "-created")
    if sort not in SORTS:
        problems.append({"field": "sort", "message": f"must be one of {', '.join(SORTS)}"})
    done = query.get("done")
    if done not in (None, "true", "false"):
        problems.append({"field": "done", "message": "must be true or false"})
    if problems:
        raise ApiError(422, "validation_failed", "the query is not valid", fields=problems)
    cursor = query.get("cursor")
    after = decode_cursor(cursor, sort, done) if cursor is not None else None
    chosen = [t for t in state.tasks.values() if done is None or t.done == (done == "true")]
    chosen.sort(key=lambda t: order_key(t, sort))
    if after is not None:
        chosen = [t for t in chosen if order_key(t, sort) > after]
    page = chosen[:limit]
    more = len(chosen) > limit
    next_cursor = encode_cursor(order_key(page[-1], sort), sort, done) if more else None
    return JSONResponse({"items": [t.json() for t in page], "next_cursor": next_cursor})


# --- routes -------------------------------------------------------------------------------
@app.api_route("/tasks", methods=["GET", "POST"])
async def tasks(request: Request) -> Response:
    if request.method == "GET":
        return list_tasks(request)
    user = user_of(request, required=False)
    body = check_task(await read_json(request), partial=False)
    task = Task(state.next_id, body["title"], body.get("done", False), body.get("priority", 3), user)
    state.next_id += 1
    state.tasks[task.id] = task
    return task_response(task, 201, {"Location": f"/tasks/{task.id}"})


@app.api_route("/tasks/{task_id}", methods=["GET", "PATCH", "DELETE"])
async def one_task(task_id: str, request: Request) -> Response:
    if request.method == "GET":
        task = find(task_id)
        tags = [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]
        if task.etag in tags or "*" in tags:
            return Response(status_code=304, headers={"ETag": task.etag})
        return task_response(task)
    user = user_of(request, required=False)
    if request.method == "DELETE":
        task = find(task_id)
        authorize(task, user)
        check_if_match(request, task)
        del state.tasks[task.id]
        return Response(status_code=204)
    body = await read_json(request)
    task = find(task_id)
    authorize(task, user)
    changes = check_task(body, partial=True)
    check_if_match(request, task)
    for name, value in changes.items():
        setattr(task, name, value)
    task.version += 1
    return task_response(task)


def hash_password(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=2**12, r=8, p=1)


@app.post("/users")
async def register(request: Request) -> Response:
    username, password = check_credentials(await read_json(request))
    if username in state.users:
        raise ApiError(409, "conflict", f"the username {username!r} is taken")
    salt = os.urandom(16)
    state.users[username] = (salt, hash_password(password, salt))
    return JSONResponse({"username": username}, 201, headers={"Location": "/me"})


@app.post("/login")
async def login(request: Request) -> Response:
    username, password = check_credentials(await read_json(request))
    stored = state.users.get(username)
    if stored is None or not hmac.compare_digest(stored[1], hash_password(password, stored[0])):
        raise ApiError(401, "unauthorized", "wrong username or password")
    now = int(time.time())
    token = jwt.encode(
        {"sub": username, "iat": now, "exp": now + TOKEN_LIFETIME_S}, state.secret, algorithm="HS256"
    )
    return JSONResponse({"access_token": token, "token_type": "bearer", "expires_in": TOKEN_LIFETIME_S})


@app.get("/me")
async def me(request: Request) -> Response:
    return JSONResponse({"username": user_of(request, required=True)})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data-dir", default="data")
    parser.add_argument("--jwt-secret", required=True)
    args = parser.parse_args()
    state.secret = args.jwt_secret
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
