"""The last stage: the official redis-py client against the learner's server.

redis-py 8 speaks RESP3 and announces itself by default (HELLO 3, CLIENT SETINFO); the
client here asks for RESP2 and no library name, so a server that implements the stages
before can serve it. Every call is logged as the Python a learner would write.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crack.harness import Harness, StageFailure

from .client import start


def _call(h: Harness, code: str, action: Callable[[], Any], expected: Any, hint: str | None = None) -> Any:
    import redis

    h.log(f"redis-py: {code}")
    try:
        got = action()
    except redis.exceptions.RedisError as exc:
        raise StageFailure(
            f"redis-py: {code} raised {type(exc).__name__}: {exc}",
            hint=hint or "send the same command with redis-cli -p PORT against your server to see the reply",
        ) from None
    h.log(f"redis-py: → {got!r}")
    if callable(expected):
        ok = expected(got)
        want = getattr(expected, "__doc__", None) or "a different value"
    else:
        ok = got == expected
        want = repr(expected)
    if not ok:
        raise StageFailure(f"redis-py: {code}\nexpected {want}\n     got {got!r}", hint=hint)
    return got


def _no_client_setinfo() -> dict[str, Any]:
    """Options that stop redis-py from sending CLIENT SETINFO, across its versions."""
    try:
        from redis.driver_info import DriverInfo
    except ImportError:  # redis-py before 7.1
        return {"lib_name": None, "lib_version": None}
    return {"driver_info": DriverInfo(name=None, lib_version=None)}


def client_library(h: Harness) -> None:
    import redis

    port = start(h)
    options: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "protocol": 2,
        "socket_timeout": 2.0,
        "socket_connect_timeout": 2.0,
        **_no_client_setinfo(),
    }
    h.log(f"r = redis.Redis(port={port}, protocol=2)  # RESP2, and no CLIENT SETINFO on connect")
    r = redis.Redis(**options)
    h.defer(r.close)
    name, other, counter = f"user:{h.random.randint(1, 999)}", "session:token", "visits"

    _call(h, f"r.set({name!r}, 'ada')", lambda: r.set(name, "ada"), True)
    _call(h, f"r.get({name!r})", lambda: r.get(name), b"ada")
    _call(h, "r.get('nobody')", lambda: r.get("nobody"), None)

    def between(low: int, high: int) -> Callable[[Any], bool]:
        def check(value: Any) -> bool:
            return isinstance(value, int) and low <= value <= high

        check.__doc__ = f"an integer from {low} to {high}"
        return check

    _call(h, f"r.set({other!r}, 'x')", lambda: r.set(other, "x"), True)
    _call(h, f"r.ttl({other!r})", lambda: r.ttl(other), -1, hint="TTL is -1 for a key without expiry")
    _call(
        h,
        f"r.expire({other!r}, 100)",
        lambda: r.expire(other, 100),
        True,
        hint="EXPIRE key seconds replies :1 when the key exists",
    )
    _call(
        h,
        f"r.ttl({other!r})",
        lambda: r.ttl(other),
        between(99, 100),
        hint="TTL replies with the seconds left, as an integer",
    )
    _call(h, "r.ttl('nobody')", lambda: r.ttl("nobody"), -2, hint="TTL is -2 for a missing key")
    _call(
        h,
        "r.expire('nobody', 10)",
        lambda: r.expire("nobody", 10),
        False,
        hint="EXPIRE replies :0 when the key does not exist",
    )

    code = f"r.pipeline().set({counter!r}, 5).incr({counter!r}, 3).get({counter!r}).execute()"

    def transaction() -> Any:
        pipe = r.pipeline(transaction=True)
        pipe.set(counter, 5)
        pipe.incr(counter, 3)
        pipe.get(counter)
        return pipe.execute()

    _call(
        h,
        code,
        transaction,
        [True, 8, b"8"],
        hint="a redis-py pipeline sends MULTI, the commands, then EXEC; incr(k, n) sends INCRBY k n",
    )

    listener = redis.Redis(**options)
    h.defer(listener.close)
    pubsub = listener.pubsub()  # type: ignore[no-untyped-call]
    h.defer(pubsub.close)
    channel = f"chat.{h.random.randint(1, 999)}"
    _call(h, f"p = r.pubsub(); p.subscribe({channel!r})", lambda: pubsub.subscribe(channel), None)

    def confirmed(message: Any) -> bool:
        return isinstance(message, dict) and message.get("type") == "subscribe" and message.get("data") == 1

    confirmed.__doc__ = f"the subscribe confirmation for {channel!r}"
    _call(h, "p.get_message(timeout=2)", lambda: pubsub.get_message(timeout=2), confirmed)
    _call(h, f"r.publish({channel!r}, 'hi there')", lambda: r.publish(channel, "hi there"), 1)

    def delivered(message: Any) -> bool:
        return (
            isinstance(message, dict)
            and message.get("type") == "message"
            and message.get("data") == b"hi there"
        )

    delivered.__doc__ = f"a message on {channel!r} with data b'hi there'"
    _call(h, "p.get_message(timeout=2)", lambda: pubsub.get_message(timeout=2), delivered)
