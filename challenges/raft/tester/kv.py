"""Stage 1: one node alone is a key-value store (get, put, cas) on crack's network."""

from __future__ import annotations

import time

from crack.harness import Harness

from .common import REPLY_S, Client, start_cluster, tester, word

HINT_NULL = 'a key that was never written reads as "value": null (JSON null, not the string "null")'
HINT_CAS = (
    'cas writes "to" only when the current value equals "from"; otherwise it answers '
    '{"type": "error", "code": "precondition_failed"} and changes nothing (a missing key never equals "from")'
)
READY_S = 3.0
"""A node alone may take an election timeout to become its own leader: the first request
is retried this long."""


@tester.stage("kv")
def kv(h: Harness) -> None:
    _, router = start_cluster(h, 1)
    one, two = Client(router, "c1"), Client(router, "c2")
    key, other = word(h), word(h)
    first, second, third = word(h), word(h), word(h)
    _first_answer(h, Client(router, "c0", quiet=True), word(h), word(h))
    one.expect("n1", {"type": "put", "key": key, "value": first}, {"type": "put_ok"})
    two.expect("n1", {"type": "get", "key": key}, {"type": "get_ok", "value": first})
    two.expect("n1", {"type": "get", "key": other}, {"type": "get_ok", "value": None}, HINT_NULL)
    one.expect("n1", {"type": "put", "key": key, "value": second}, {"type": "put_ok"})
    one.expect("n1", {"type": "get", "key": key}, {"type": "get_ok", "value": second})
    two.expect(
        "n1",
        {"type": "cas", "key": key, "from": first, "to": third},
        {"type": "error", "code": "precondition_failed"},
        HINT_CAS,
    )
    one.expect("n1", {"type": "get", "key": key}, {"type": "get_ok", "value": second}, HINT_CAS)
    two.expect("n1", {"type": "cas", "key": key, "from": second, "to": third}, {"type": "cas_ok"}, HINT_CAS)
    one.expect("n1", {"type": "get", "key": key}, {"type": "get_ok", "value": third})
    two.expect(
        "n1",
        {"type": "cas", "key": other, "from": first, "to": second},
        {"type": "error", "code": "precondition_failed"},
        HINT_CAS,
    )
    one.expect("n1", {"type": "get", "key": other}, {"type": "get_ok", "value": None}, HINT_CAS)
    router.check_messages()


def _first_answer(h: Harness, client: Client, key: str, value: str) -> None:
    """Wait (quietly) until the node carries out a first put, of a key of the tester's own:
    a node alone may first have to elect itself."""
    began = time.monotonic()
    request = {"type": "put", "key": key, "value": value}
    while time.monotonic() - began < READY_S and h.remaining() > REPLY_S:
        exchange = client.call("n1", request, timeout=0.5)
        if exchange.reply is not None and exchange.reply.get("type") == "put_ok":
            return
        time.sleep(0.1)
    client.expect(
        "n1",
        request,
        {"type": "put_ok"},
        'read each line from the network\'s connection, and answer a put with {"type": "put_ok", '
        '"in_reply_to": <the msg_id>} sent to the request\'s "src"',
    )
