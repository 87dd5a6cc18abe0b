"""The Redis challenge's tester: one function per stage slug of challenge.yaml.

Every check here is one redis-server 7.0 passes (the test suite runs this tester against
it), so the tester encodes Redis's behaviour, not the reference solution's.
"""

from __future__ import annotations

from crack.harness import Harness, ReadTimeout, StageFailure, WriteMode
from crack.tester import Tester

from .client import connect, start, unordered
from .library import client_library
from .resp import NULL, OK, QUEUED, Array, Error, Integer, RespValue, Simple, array, bulk

tester = Tester("redis", warm_imports=("redis",))

WORDS = [
    "apple",
    "banana",
    "cherry",
    "grape",
    "lemon",
    "mango",
    "orange",
    "peach",
    "pear",
    "plum",
    "raspberry",
    "strawberry",
    "blueberry",
    "pineapple",
    "kiwi",
    "melon",
    "fig",
    "date",
    "lime",
]


def word(h: Harness) -> str:
    return h.random.choice(WORDS)


def key(h: Harness, prefix: str = "") -> str:
    return f"{prefix}{word(h)}:{h.random.randint(1, 9999)}"


@tester.stage("bind")
def bind(h: Harness) -> None:
    start(h)
    h.log("Your program accepts connections.")


@tester.stage("ping")
def ping(h: Harness) -> None:
    port = start(h)
    client = connect(h, port)
    client.expect("PING", reply=Simple("PONG"))


@tester.stage("ping-multiple")
def ping_multiple(h: Harness) -> None:
    port = start(h)
    client = connect(h, port)
    for _ in range(h.random.randint(3, 5)):
        client.expect(h.random.choice(["PING", "ping"]), reply=Simple("PONG"))


@tester.stage("concurrent-clients")
def concurrent_clients(h: Harness) -> None:
    port = start(h)
    first = connect(h, port)
    first.expect("PING", reply=Simple("PONG"))
    h.log("client 1 stays connected; a second client connects.")
    second = connect(h, port)
    try:
        second.expect("PING", reply=Simple("PONG"))
    except ReadTimeout as exc:
        raise StageFailure(
            f"client 2 got no reply while client 1 was still connected: {exc.message}",
            hint="a server that handles one connection at a time starves the others: "
            "serve clients concurrently (a thread per connection, or an event loop)",
        ) from None
    third = connect(h, port)
    for client in (first, third, second, first, third):
        client.expect("PING", reply=Simple("PONG"))
    h.log("client 1 disconnects; the others go on.")
    first.conn.close()
    for client in (second, third):
        client.expect("PING", reply=Simple("PONG"))


@tester.stage("echo")
def echo(h: Harness) -> None:
    port = start(h)
    client = connect(h, port)
    for text in (word(h), f"{word(h)} {word(h)}"):
        client.expect(h.random.choice(["ECHO", "echo"]), text, reply=bulk(text))


@tester.stage("set-get")
def set_get(h: Harness) -> None:
    port = start(h)
    client = connect(h, port)
    k, v, v2 = key(h), word(h), word(h) + "!"
    client.expect("SET", k, v, reply=OK)
    client.expect("GET", k, reply=bulk(v))
    client.expect("SET", k, v2, reply=OK)
    client.expect("GET", k, reply=bulk(v2))
    client.expect("GET", key(h, "missing:"), reply=NULL)
    other = connect(h, port)
    other.expect("GET", k, reply=bulk(v2), hint="every client shares the same keys")


@tester.stage("expiry")
def expiry(h: Harness) -> None:
    port = start(h)
    client = connect(h, port)
    k, v = key(h), word(h)
    client.expect("SET", k, v, "PX", "100", reply=OK)
    client.expect("GET", k, reply=bulk(v), hint="PX is in milliseconds: 100 ms have not passed yet")
    h.log("Sleeping 200 ms so the key expires…")
    h.sleep(0.2)
    client.expect("GET", k, reply=NULL, hint="the key was set with PX 100: it must be gone after 100 ms")

    k2 = key(h)
    client.expect("set", k2, v, "px", "100", reply=OK, hint="option names are case-insensitive")
    client.expect("SET", k2, v, reply=OK)
    h.sleep(0.2)
    client.expect(
        "GET", k2, reply=bulk(v), hint="a plain SET replaces the value and clears any earlier expiry"
    )

    k3 = key(h)
    client.expect("SET", k3, v, "EX", "10", reply=OK)
    h.sleep(0.05)
    client.expect(
        "GET", k3, reply=bulk(v), hint="EX is in seconds (PX in milliseconds): the key should live 10 s"
    )


@tester.stage("pipelining")
def pipelining(h: Harness) -> None:
    from .resp import encode_command

    port = start(h)
    client = connect(h, port)
    k, v, text = key(h), word(h), word(h)
    commands: list[tuple[str, ...]] = [("PING",), ("ECHO", text), ("SET", k, v), ("GET", k), ("PING",)]
    replies: list[RespValue] = [Simple("PONG"), bulk(text), OK, bulk(v), Simple("PONG")]
    packet = b"".join(encode_command(*c) for c in commands)
    client.send_raw(packet, f"{len(commands)} commands in one write:", WriteMode.WHOLE)
    hint = "one read from the socket can hold several commands: parse them all, keep any rest"
    for command, expected in zip(commands, replies, strict=True):
        client.expect_reply(command, b"", expected, hint=hint)

    second = connect(h, port)
    command = ("ECHO", text)
    data = encode_command(*command)
    cut = h.random.randint(3, len(data) - 3)
    second.send_raw(data[:cut], "the first part of ECHO:", WriteMode.WHOLE)
    h.sleep(0.1)
    second.send_raw(data[cut:], "the rest:", WriteMode.WHOLE)
    second.expect_reply(
        command, data, bulk(text), hint="a command can arrive in pieces: buffer until it is complete"
    )
    part = encode_command("SET", k, v * 3) + encode_command("GET", k)[:5]
    second.send_raw(part, "SET plus the start of GET:", WriteMode.WHOLE)
    second.expect_reply(("SET", k, v * 3), b"", OK)
    h.sleep(0.1)
    second.send_raw(encode_command("GET", k)[5:], "the rest of GET:", WriteMode.WHOLE)
    second.expect_reply(("GET", k), b"", bulk(v * 3), hint=hint)


@tester.stage("incr-del-exists")
def incr_del_exists(h: Harness) -> None:
    port = start(h)
    client = connect(h, port)
    counter = key(h, "counter:")
    client.expect("INCR", counter, reply=Integer(1), hint="INCR of a missing key starts from 0")
    client.expect("INCR", counter, reply=Integer(2))
    number = key(h, "number:")
    client.expect("SET", number, "41", reply=OK)
    client.expect("INCR", number, reply=Integer(42))
    client.expect("GET", number, reply=bulk("42"), hint="INCR stores the new value as a string")
    text = key(h, "text:")
    client.expect("SET", text, word(h), reply=OK)
    client.expect("INCR", text, reply=Error("ERR value is not an integer or out of range"))
    big = key(h, "big:")
    client.expect("SET", big, "9223372036854775807", reply=OK)
    client.expect("INCR", big, reply=Error("ERR increment or decrement would overflow"))

    client.expect(
        "EXISTS",
        counter,
        counter,
        key(h, "missing:"),
        reply=Integer(2),
        hint="EXISTS counts each argument, so a key named twice counts twice",
    )
    client.expect(
        "DEL",
        counter,
        number,
        key(h, "missing:"),
        reply=Integer(2),
        hint="DEL replies with the number of keys it actually removed",
    )
    client.expect("EXISTS", counter, reply=Integer(0))
    client.expect("GET", number, reply=NULL)


@tester.stage("type-keys")
def type_keys(h: Harness) -> None:
    port = start(h)
    client = connect(h, port)
    client.expect(
        "KEYS", "*", reply=Array(()), hint="with no keys, KEYS replies with an empty array *0\\r\\n"
    )
    names = ["hello", "hallo", "hxllo", "hllo", "heeeello", "h*llo", f"{word(h)}:{h.random.randint(1, 99)}"]
    for name in names:
        client.expect("SET", name, word(h), reply=OK)
    gone = key(h, "gone:")
    client.expect("SET", gone, "x", "PX", "50", reply=OK)
    h.sleep(0.1)
    client.expect("TYPE", names[0], reply=Simple("string"))
    client.expect("TYPE", key(h, "missing:"), reply=Simple("none"))
    patterns = {
        "*": names,
        "h?llo": ["hello", "hallo", "hxllo", "h*llo"],
        "h*llo": ["hello", "hallo", "hxllo", "hllo", "heeeello", "h*llo"],
        "h[ae]llo": ["hello", "hallo"],
        "h[^e]llo": ["hallo", "hxllo", "h*llo"],
        "h[a-b]llo": ["hallo"],
        "h\\*llo": ["h*llo"],
    }
    for pattern, matching in patterns.items():
        client.expect(
            "KEYS",
            pattern,
            reply=Array(tuple(sorted((bulk(m) for m in matching), key=repr))),
            normalize=unordered,
            hint=f"KEYS {pattern} uses glob rules: ? one char, * any run, [..] a set, \\ escapes "
            "(expired keys are not listed)",
        )


@tester.stage("transactions")
def transactions(h: Harness) -> None:
    port = start(h)
    client, other = connect(h, port), connect(h, port)
    client.expect("EXEC", reply=Error("ERR EXEC without MULTI"))
    client.expect("DISCARD", reply=Error("ERR DISCARD without MULTI"))

    k, counter = key(h), key(h, "counter:")
    client.expect("SET", counter, "10", reply=OK)
    client.expect("MULTI", reply=OK)
    client.expect("MULTI", reply=Error("ERR MULTI calls can not be nested"))
    client.expect("SET", k, "v1", reply=QUEUED, hint="inside MULTI, commands are queued, not run")
    client.expect("INCR", counter, reply=QUEUED)
    client.expect("INCR", k, reply=QUEUED)
    client.expect("GET", k, reply=QUEUED)
    other.expect("GET", k, reply=NULL, hint="queued commands run only at EXEC")
    other.expect("INCR", counter, reply=Integer(11), hint="another client is not in the transaction")
    client.expect(
        "EXEC",
        reply=array(OK, Integer(12), Error("ERR value is not an integer or out of range"), bulk("v1")),
        hint="EXEC replies with an array of every queued command's reply; a failing command "
        "gives an error element and the others still run",
    )
    client.expect("GET", counter, reply=bulk("12"))

    client.expect("MULTI", reply=OK)
    client.expect("SET", k, "v2", reply=QUEUED)
    client.expect("DISCARD", reply=OK)
    client.expect("GET", k, reply=bulk("v1"), hint="DISCARD drops the queue without running it")
    client.expect("EXEC", reply=Error("ERR EXEC without MULTI"), hint="DISCARD also ends the transaction")
    client.expect("MULTI", reply=OK)
    client.expect("EXEC", reply=Array(()), hint="an empty transaction replies with an empty array")


SUBSCRIBED_MODE_ERROR = Error(
    "ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET "
    "are allowed in this context"
)


def subscribed_mode_error(reply: RespValue) -> RespValue:
    """Redis 7's wording of the refusal, for any wording a Redis version has used.

    Redis 6.0 says "ERR only (P)SUBSCRIBE / (P)UNSUBSCRIBE / PING / QUIT allowed in this
    context", 6.2 adds "Can't execute 'get':" and RESET, 7.0 the sharded (S) forms: what
    stays is an ERR error that ends in "allowed in this context"."""
    if (
        isinstance(reply, Error)
        and reply.value.startswith("ERR ")
        and reply.value.rstrip().endswith("allowed in this context")
    ):
        return SUBSCRIBED_MODE_ERROR
    return reply


@tester.stage("pubsub")
def pubsub(h: Harness) -> None:
    port = start(h)
    alice, bob, publisher = (
        connect(h, port, "subscriber 1"),
        connect(h, port, "subscriber 2"),
        connect(h, port, "publisher"),
    )
    news, sport, msg = f"news.{word(h)}", f"sport.{word(h)}", f"{word(h)} {word(h)}"
    alice.expect("SUBSCRIBE", news, sport, reply=array(bulk("subscribe"), bulk(news), Integer(1)))
    alice.expect_reply(
        ("SUBSCRIBE", news, sport),
        b"",
        array(bulk("subscribe"), bulk(sport), Integer(2)),
        hint="SUBSCRIBE confirms each channel with its own message",
    )
    bob.expect("SUBSCRIBE", news, reply=array(bulk("subscribe"), bulk(news), Integer(1)))
    publisher.expect(
        "PUBLISH", news, msg, reply=Integer(2), hint="PUBLISH replies with how many subscribers got it"
    )
    for subscriber in (alice, bob):
        subscriber.expect_reply(
            ("(waiting for the published message)",), b"", array(bulk("message"), bulk(news), bulk(msg))
        )
    publisher.expect(
        "PUBLISH",
        sport,
        msg,
        reply=Integer(1),
        hint="count the subscribers of this channel, not the channels",
    )
    alice.expect_reply(
        ("(waiting for the published message)",), b"", array(bulk("message"), bulk(sport), bulk(msg))
    )
    bob.conn.expect_silence(0.2, f"to subscriber 2: it did not subscribe to {sport}")
    publisher.expect("PUBLISH", f"empty.{word(h)}", msg, reply=Integer(0))
    alice.expect(
        "PING",
        reply=array(bulk("pong"), bulk("")),
        hint='in subscribed mode PING replies with the array ["pong", ""]',
    )
    alice.expect(
        "GET",
        news,
        reply=SUBSCRIBED_MODE_ERROR,
        normalize=subscribed_mode_error,
        hint="in subscribed mode only (P)SUBSCRIBE, (P)UNSUBSCRIBE, PING, QUIT and RESET are "
        "allowed: answer any other command with an error saying so",
    )
    alice.expect(
        "UNSUBSCRIBE",
        news,
        reply=array(bulk("unsubscribe"), bulk(news), Integer(1)),
        hint="UNSUBSCRIBE replies with the number of channels still subscribed",
    )
    publisher.expect("PUBLISH", news, msg, reply=Integer(1), hint="only subscriber 2 still listens")
    bob.expect_reply(
        ("(waiting for the published message)",), b"", array(bulk("message"), bulk(news), bulk(msg))
    )


tester.stage("client-library")(client_library)
