"""The mini-react challenge's tester: one function per stage slug of challenge.yaml.

The learner writes a JavaScript module (createElement, render, then useState and
useEffect); it is checked inside a DOM, so the checks live in a Node program of the
tester's, ``node/driver.mjs``, which crack runs through the learner's program
(:mod:`crack.harness.node_driver`). The driver loads the module into jsdom, renders the same
element trees with it and with react-dom (and preact, for DOM operation counts), and answers
in JSON. Idle callbacks and their deadlines are the driver's, so time-slicing is
deterministic; ``h.seed`` seeds its random trees.
"""

from __future__ import annotations

from pathlib import Path

from crack.harness import Harness
from crack.tester import Tester

DRIVER = Path(__file__).parent / "node" / "driver.mjs"

tester = Tester("mini-react")


def check(h: Harness) -> None:
    h.run_node_driver(DRIVER, {"stage": h.stage_slug, "seed": h.seed})


for _slug in (
    "create-element",
    "render",
    "events",
    "update-props",
    "children",
    "keyed-reorder",
    "time-slicing",
    "atomic-commit",
    "function-components",
    "use-state",
    "use-effect",
):
    tester.stage(_slug)(check)
