"""Stage 10, pub/sub fan-out: SUBSCRIBE, UNSUBSCRIBE and PUBLISH over RESP.

Unlike a work queue, every subscriber of a channel gets every message published to it while
it is subscribed, and nothing is kept: a message with no subscriber is gone. PUBLISH answers
how many subscribers received the message. Subscribers' messages are pushed to them, so the
checks read each subscriber's connection after the publishes and compare, per subscriber,
the set of messages and their order per publisher and channel (the only order the
semantics promise), never one interleaving of two publishers.
"""

from __future__ import annotations

import threading
import time

import redis

from crack.harness import Harness, StageFailure, WriteMode
from crack.harness.bytes_display import show

from .resp import Reply, RespClient, RespError, brief, encode, library_client

Message = tuple[str, bytes]
"""(channel, payload) as a subscriber receives it."""


def payload(h: Harness, tag: str) -> bytes:
    """A message: a readable tag, then random bytes of every kind (\\r\\n, NUL, high bytes)."""
    size = h.random.choice([0, 1, 5, 40, 300, 3000])
    noise = bytes(h.random.randrange(256) for _ in range(size))
    return tag.encode() + b"|" + noise


def expect_subscribed(client: RespClient, kind: str, channel: str, count: int, sent: str) -> None:
    reply = client.read(sent)
    want: list[Reply] = [kind.encode(), channel.encode(), count]
    client.h.log(f"{client.name}< {brief(reply)}")
    if reply != want:
        raise StageFailure(
            f"{client.name} sent {sent}\n  expected {brief(want)}\n       got {brief(reply)}",
            f"{kind.upper()} answers, for each channel named, an array of three: "
            f'"{kind}" (bulk string), the channel, and how many channels this connection is now '
            "subscribed to (integer)",
        )


def publish(
    client: RespClient,
    channel: str,
    data: bytes,
    receivers: int,
    *,
    quiet: bool = False,
    mode: WriteMode | None = None,
) -> None:
    reply = client.call("PUBLISH", channel, data, quiet=quiet, mode=mode)
    if reply != receivers:
        raise StageFailure(
            f"{client.name} sent PUBLISH {channel} {show(data, 40)}\n  expected :{receivers} "
            f"({receivers} subscriber{'s' if receivers != 1 else ''} of {channel})\n"
            f"       got {brief(reply)}",
            "PUBLISH answers how many subscribers received the message: those subscribed to that "
            "channel at that moment, 0 when there are none",
        )


def read_messages(client: RespClient, count: int) -> list[Message]:
    """``count`` pushed messages, each ``["message", channel, payload]``."""
    got: list[Message] = []
    for n in range(count):
        reply = client.read(f"PUBLISH (waiting for message {n + 1} of {count} pushed to {client.name})")
        if not (
            isinstance(reply, list)
            and len(reply) == 3
            and reply[0] == b"message"
            and isinstance(reply[1], bytes)
            and isinstance(reply[2], bytes)
        ):
            raise StageFailure(
                f"{client.name} is subscribed and waits for message {n + 1} of {count}\n"
                '  expected ["message", <channel>, <payload>]\n'
                f"       got {brief(reply)}",
                "a subscriber receives each message as an array of three bulk strings: "
                '"message", the channel, the payload exactly as published',
            )
        got.append((reply[1].decode(errors="replace"), reply[2]))
    return got


def check_fanout(name: str, got: list[Message], want: list[Message]) -> None:
    """Same messages as ``want``, and within one channel in ``want``'s order (one publisher each)."""
    if sorted(got) != sorted(want):
        missing = [m for m in want if m not in got]
        extra = [m for m in got if m not in want]
        raise StageFailure(
            f"{name} received {len(got)} messages\n  expected the {len(want)} published to its channels "
            "while it was subscribed"
            + (f"\n  missing: {missing[0][0]} {show(missing[0][1], 40)}" if missing else "")
            + (f"\n  not expected: {extra[0][0]} {show(extra[0][1], 40)}" if extra else ""),
            "every subscriber of a channel gets every message published to it, byte for byte "
            "(a payload may hold \\r\\n, NUL or any byte: write it with its length)",
        )
    for channel in {c for c, _ in want}:
        order = [p for c, p in got if c == channel]
        if order != [p for c, p in want if c == channel]:
            raise StageFailure(
                f"{name} received the messages of {channel} out of order\n"
                "  expected the order in which they were published",
                "deliver each message to every subscriber before you answer PUBLISH, in the order the "
                "publishes arrive",
            )


def pubsub_fanout(h: Harness) -> None:
    from . import start

    port, _ = start(h)
    news, alerts = f"news:{h.random.randrange(1000):03d}", f"alerts:{h.random.randrange(1000):03d}"
    publisher = RespClient(h, port, "publisher")
    publish(publisher, news, b"nobody hears this", 0)
    h.log("Nobody was subscribed: that message is gone.")

    sub1, sub2, sub3 = (RespClient(h, port, f"subscriber {n}") for n in (1, 2, 3))
    sub1.send("SUBSCRIBE", news)
    expect_subscribed(sub1, "subscribe", news, 1, f"SUBSCRIBE {news}")
    sub2.send("SUBSCRIBE", news, alerts)
    expect_subscribed(sub2, "subscribe", news, 1, f"SUBSCRIBE {news} {alerts}")
    expect_subscribed(sub2, "subscribe", alerts, 2, f"SUBSCRIBE {news} {alerts}")
    sub3.send("SUBSCRIBE", alerts)
    expect_subscribed(sub3, "subscribe", alerts, 1, f"SUBSCRIBE {alerts}")

    h.log("Two publishers send 30 messages of random bytes to the two channels, interleaved…")
    second = RespClient(h, port, "publisher 2")
    sent: list[Message] = []
    for n in range(30):
        who = h.random.choice([publisher, second])
        channel = h.random.choice([news, alerts])
        data = payload(h, f"{'p1' if who is publisher else 'p2'}-{n}")
        publish(who, channel, data, 2, quiet=n > 1)
        sent.append((channel, data))
    for sub, channels in ((sub1, {news}), (sub2, {news, alerts}), (sub3, {alerts})):
        want = [m for m in sent if m[0] in channels]
        check_fanout(sub.name, read_messages(sub, len(want)), want)
    h.log("Each subscriber got every message of its channels, byte for byte, in order.")

    h.log("Twelve PUBLISHes in one write, then a subscriber that is not listening to that channel…")
    burst = [(news, payload(h, f"burst-{n}")) for n in range(12)]
    publisher.conn.send(b"".join(encode("PUBLISH", c, d) for c, d in burst), mode=WriteMode.WHOLE)
    for channel, data in burst:
        reply = publisher.read(f"PUBLISH {channel} {show(data, 40)} (one of 12 in one write)")
        if reply != 2:
            raise StageFailure(
                f"publisher sent 12 PUBLISH commands in one write\n  expected :2 to each\n"
                f"       got {brief(reply)}",
                "handle every complete command in what you read, in order, before reading again",
            )
    check_fanout(sub1.name, read_messages(sub1, 12), burst)
    check_fanout(sub2.name, read_messages(sub2, 12), burst)
    sub3.conn.expect_silence(0.3, f"to {sub3.name}, which is subscribed to {alerts} only")

    reply = sub3.call("XLEN", "somestream")
    if not (isinstance(reply, RespError) and reply.message.startswith("ERR")):
        raise StageFailure(
            f"{sub3.name} (subscribed) sent XLEN somestream\n  expected an error starting with ERR\n"
            f"       got {brief(reply)}",
            "a connection in subscribe mode accepts only SUBSCRIBE, UNSUBSCRIBE and PING: any other "
            "command gets an error, and the connection stays subscribed",
        )
    sub2.send("UNSUBSCRIBE", news)
    expect_subscribed(sub2, "unsubscribe", news, 1, f"UNSUBSCRIBE {news}")
    last = payload(h, "after-unsubscribe")
    publish(publisher, news, last, 1)
    check_fanout(sub1.name, read_messages(sub1, 1), [(news, last)])
    sub2.conn.expect_silence(0.3, f"to {sub2.name} after it unsubscribed from {news}")
    late = payload(h, "alert")
    publish(publisher, alerts, late, 2)
    check_fanout(sub2.name, read_messages(sub2, 1), [(alerts, late)])
    check_fanout(sub3.name, read_messages(sub3, 1), [(alerts, late)])

    h.log(f"{sub1.name} disconnects; {news} has no subscriber left.")
    sub1.close()
    forgotten(h, publisher, news)
    library_subscriber(h, port, publisher)


def forgotten(h: Harness, publisher: RespClient, channel: str) -> None:
    """PUBLISH reaches 0 receivers soon after the last subscriber has closed its connection.

    The server learns of the close asynchronously, so the publish is repeated for up to
    three seconds (quietly) until it counts 0."""
    deadline = time.monotonic() + 3.0
    while True:
        reply = publisher.call("PUBLISH", channel, b"anyone?", quiet=True, mode=WriteMode.WHOLE)
        if reply == 0:
            h.log(f'publisher> PUBLISH {channel} "anyone?"')
            h.log("publisher< 0")
            return
        if time.monotonic() > deadline:
            raise StageFailure(
                f'publisher sent PUBLISH {channel} "anyone?" for 3 s after the channel\'s only '
                "subscriber closed its connection\n  expected :0\n"
                f"       got {brief(reply)}",
                "when a connection closes, remove it from every channel it was subscribed to",
            )
        h.sleep(0.05)


def library_subscriber(h: Harness, port: int, publisher: RespClient) -> None:
    """redis-py's PubSub (a real client library) subscribes and reads 40 messages."""
    channel = f"library:{h.random.randrange(1000):03d}"
    h.log(f"redis-py subscribes to {channel}; the publisher sends 40 messages…")
    client = library_client(port)
    received: list[bytes] = []
    errors: list[str] = []

    def listen() -> None:
        try:
            pubsub = client.pubsub(ignore_subscribe_messages=True)  # type: ignore[no-untyped-call]
            pubsub.subscribe(channel)
            deadline = time.monotonic() + 15
            while len(received) < 40 and time.monotonic() < deadline:
                message = pubsub.get_message(timeout=0.5)
                if message is not None and message.get("type") == "message" and message["data"] != b"warm-up":
                    received.append(message["data"])
            pubsub.close()
        except redis.RedisError as exc:
            errors.append(f"{type(exc).__name__}: {exc}")

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    # Wait until the subscription counts, so no message goes to nobody.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not errors:
        if publisher.call("PUBLISH", channel, b"warm-up", quiet=True, mode=WriteMode.WHOLE) == 1:
            break
        h.sleep(0.05)
    else:
        raise StageFailure(
            f"redis-py sent SUBSCRIBE {channel}"
            + (f" and failed: {errors[0]}" if errors else "\n  expected PUBLISH to count it within 5 s"),
            'redis-py reads the subscribe confirmation as an array of three: "subscribe", the '
            "channel, the count",
        )
    messages = [payload(h, f"lib-{n}") for n in range(40)]
    for data in messages:
        publish(publisher, channel, data, 1, quiet=True, mode=WriteMode.WHOLE)
    thread.join(timeout=20)
    client.close()
    if errors:
        raise StageFailure(
            f"redis-py failed while subscribed: {errors[0]}",
            'each message is an array of three bulk strings: "message", the channel, the payload',
        )
    got = received
    if got != messages:
        raise StageFailure(
            f"redis-py received {len(got)} messages on {channel}\n  expected the 40 published, in order",
            "every subscriber of a channel gets every message published to it, in order",
        )
    h.log("redis-py received all 40, in order.")
