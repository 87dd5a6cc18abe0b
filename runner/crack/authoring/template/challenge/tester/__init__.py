"""The {{slug}} challenge's tester: one function per stage slug of challenge.yaml.

Each function gets a Harness (start the program, talk to it, log) and raises StageFailure
with the text the learner reads when the program misbehaves.
"""

from __future__ import annotations

from crack.harness import Harness
from crack.harness.bytes_display import show
from crack.tester import Tester

tester = Tester("{{slug}}")


def start(h: Harness) -> int:
    port = h.free_port()
    h.start_server(["--port", str(port)], port)
    return port


@tester.stage("bind")
def bind(h: Harness) -> None:
    start(h)
    h.log("Your program accepts connections.")


@tester.stage("greet")
def greet(h: Harness) -> None:
    port = start(h)
    client = h.connect(port)
    for name in h.random.sample(["ada", "grace", "linus", "barbara", "ken"], 3):
        line, expected = f"{name}\n".encode(), f"hello {name}\n".encode()
        client.send(line)
        got = client.read_until(b"\n", waiting_for=f"the greeting for {name}")
        if got != expected:
            h.fail(f"sent {show(line)}: expected {show(expected)}, got {show(got)}")
