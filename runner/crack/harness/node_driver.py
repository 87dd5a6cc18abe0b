"""Programs that are modules: the tester ships a Node script (the *driver*), and the
learner's program runs it with the learner's module.

Some challenges grade a library rather than a process: a UI renderer is checked inside a
DOM, by code that calls it. The check still starts the learner's program like any other, so
containment, time limits and output capture apply unchanged: crack runs
``./your_program.sh DRIVER`` with a JSON request on stdin, and the program runs
``node DRIVER MODULE`` (the starter's script does), naming its own module. The driver loads
the module, does what the request asks, and prints one JSON object as the last line of its
standard output:

- ``{"ok": true, "log": [...]}``: the check passed; ``log`` lines go to the stage's log;
- ``{"ok": false, "log": [...], "message": ..., "hint": ...}``: the learner's module did
  something wrong, said in the learner's terms;
- ``{"internal": ...}``: the driver itself could not work (its packages are not installed,
  say), which is crack's problem and never reported as the learner's.

Anything else (no JSON line, the program exiting before the driver ran) is the learner's
program failing to run the driver, and is reported with the end of its error output.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crack.errors import InternalError
from crack.harness.failure import StageFailure

if TYPE_CHECKING:
    from crack.harness.harness import Harness

STDERR_TAIL = 2000


def run_node_driver(h: Harness, driver: Path, request: Mapping[str, Any]) -> dict[str, Any]:
    """Run the learner's program with ``driver`` and ``request``; return the driver's answer
    when the check passed, raise :class:`StageFailure` with the driver's words when it did
    not."""
    h.log(f"$ ./your_program.sh {driver.name}  (request: {json.dumps(request, sort_keys=True)})")
    result = h.run([str(driver.resolve())], stdin=json.dumps(request).encode(), quiet=True)
    answer = _last_json_line(result.stdout)
    if answer is None:
        stderr = result.stderr.decode(errors="replace")[-STDERR_TAIL:].rstrip()
        if result.timed_out:
            what = "did not finish before the stage's time limit"
        elif result.ended_by_limit:
            what = result.ended_by_limit
        else:
            what = f"exited with code {result.returncode} without the driver's answer"
        raise StageFailure(
            f"your program {what}." + (f"\nIts error output ends with:\n{stderr}" if stderr else ""),
            hint="your_program.sh must run `node DRIVER MODULE`: the driver crack passes as its "
            "first argument, then the path of your module (compiled first, if you write one that "
            "compiles, such as TypeScript: its errors are in the error output)",
        )
    if "internal" in answer:
        raise InternalError(f"the driver {driver.name} could not run: {answer['internal']}")
    for line in answer.get("log", []):
        h.log(str(line))
    if answer.get("ok") is True:
        return answer
    raise StageFailure(str(answer.get("message", "the driver reported a failure")), answer.get("hint"))


def _last_json_line(stdout: bytes) -> dict[str, Any] | None:
    """The driver's answer: the last line of output that is a JSON object (a module may print
    its own lines before it)."""
    for line in reversed(stdout.decode(errors="replace").splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                value = json.loads(line)
            except ValueError:
                continue
            if isinstance(value, dict):
                return value
    return None
