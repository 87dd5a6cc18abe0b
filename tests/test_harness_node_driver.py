"""Programs that are modules: the harness runs a Node driver of the tester's through the
learner's program (crack.harness.node_driver), with real node processes."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import grade_json, statuses

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")

TESTER = """
from pathlib import Path
from typing import Any
from crack.tester import Tester
tester = Tester("modules")

@tester.stage("double")
def double(h):
    answer = h.run_node_driver(Path(__file__).parent / "driver.mjs", {"n": 3})
    h.log(f"the driver answered {answer['value']}")
"""

DRIVER = """
// Loads the module named after it and checks its double(); answers one JSON line.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
const request = JSON.parse(readFileSync(0, "utf8"));
const answer = (value) => process.stdout.write(`${JSON.stringify(value)}\\n`);
if (request.n === undefined) {
  answer({ internal: "no n in the request" });
  process.exit(0);
}
const module = await import(pathToFileURL(process.argv[2]).href);
const value = module.double(request.n);
if (value === request.n * 2) answer({ ok: true, log: [`double(${request.n}) = ${value}`], value });
else {
  const message = `double(${request.n}) returned ${value}, expected ${request.n * 2}`;
  answer({ ok: false, log: [], message, hint: "multiply by two" });
}
"""

RUN_MODULE = '#!/bin/sh\nexec node "$1" "$(dirname "$0")/module.mjs"\n'


def _program(tmp_path: Path, module: str, script: str = RUN_MODULE) -> Path:
    folder = tmp_path / "program"
    folder.mkdir()
    (folder / "module.mjs").write_text(textwrap.dedent(module))
    run = folder / "your_program.sh"
    run.write_text(script)
    run.chmod(0o755)
    return folder


@pytest.fixture
def modules(fake_challenges: Callable[..., Path]) -> Path:
    folder = fake_challenges("modules", [{"slug": "double", "timeout": 20}], TESTER)
    (folder / "tester" / "driver.mjs").write_text(DRIVER)
    return folder


def _grade(program: Path) -> tuple[int, dict[str, Any]]:
    return grade_json(program, challenge="modules", run=str(program / "your_program.sh"))


def test_a_module_that_passes_the_drivers_check(modules: Path, tmp_path: Path) -> None:
    code, report = _grade(_program(tmp_path, "export const double = (n) => n * 2;\n"))
    assert code == 0, report
    log = report["stages"][0]["log"]
    assert "double(3) = 6" in log and "the driver answered 6" in log


def test_the_drivers_failure_is_the_learners_message_and_hint(modules: Path, tmp_path: Path) -> None:
    code, report = _grade(_program(tmp_path, "export const double = (n) => n * 2 + 1;\n"))
    stage = report["stages"][0]
    assert code == 1 and stage["status"] == "failed"
    assert "double(3) returned 7, expected 6" in stage["message"]
    assert "multiply by two" in stage["message"]


def test_output_of_the_module_before_the_answer_is_ignored(modules: Path, tmp_path: Path) -> None:
    noisy = 'console.log("{ not json"); console.log("[1, 2]");\nexport const double = (n) => n * 2;\n'
    code, report = _grade(_program(tmp_path, noisy))
    assert code == 0, report


def test_a_program_that_does_not_run_the_driver_is_told_how(modules: Path, tmp_path: Path) -> None:
    script = "#!/bin/sh\necho 'cannot find my module' >&2\nexit 3\n"
    code, report = _grade(_program(tmp_path, "export const double = (n) => n * 2;\n", script))
    stage = report["stages"][0]
    assert code == 1 and statuses(report) == {"double": "failed"}
    assert "exited with code 3 without the driver's answer" in stage["message"]
    assert "cannot find my module" in stage["message"]
    assert "node DRIVER MODULE" in stage["message"]


def test_a_driver_that_cannot_run_is_an_internal_error_not_the_learners(
    modules: Path, tmp_path: Path
) -> None:
    tester = (modules / "tester" / "__init__.py").read_text().replace('{"n": 3}', "{}")
    (modules / "tester" / "__init__.py").write_text(tester)
    code, report = _grade(_program(tmp_path, "export const double = (n) => n * 2;\n"))
    assert code != 0 and statuses(report) == {"double": "error"}
    message = report["stages"][0]["message"]
    assert "internal error in crack's tester (not your fault)" in message
    assert "no n in the request" in message
