"""Scenario programs: broken (and oddly correct) learner programs that test the tester.

``challenges/<slug>/scenarios/<name>/scenario.yaml`` declares what a program is and where
it must fail::

    description: replies with a bulk string where Redis sends a simple string
    base: ping            # the reference as of this stage ("starter" for the starter)...
    fails_at: ping        # ...or null: the program must pass every stage

With ``base``, the program is that reference snapshot plus ``changes.diff`` (if present);
without it, the program is the folder ``program/``. A failing scenario keeps the tester's
output for its failing stage in ``expected_output.txt`` (a golden file, normalised for
ports and paths).
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from crack.authoring.solutions import materialize
from crack.challenge.loader import read_yaml, validation_to_config_error
from crack.challenge.model import SLUG_PATTERN, Challenge
from crack.containment.sandbox import standard
from crack.errors import ConfigError
from crack.grading import GradingPlan, grade
from crack.harness.process import ProgramSpec
from crack.report import RunReport, StageStatus
from crack.reporters import NullReporter
from crack.scaffold import IGNORED
from crack.tester import load_tester

GOLDEN_NAME = "expected_output.txt"
SCENARIO_SEED = 7


class Substitution(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pattern: str
    replacement: str


class ScenarioSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str = Field(min_length=1)
    fails_at: str | None = Field(pattern=SLUG_PATTERN)
    base: str | None = None
    language: str | None = Field(
        default=None,
        description="The language of the program; by default the challenge's reference_language.",
    )
    run: str = "./your_program.sh"
    normalise: list[Substitution] = Field(
        default_factory=list,
        description="Extra regex substitutions for this scenario's golden output, for values "
        "the broken program itself makes vary (a remaining time in milliseconds, say).",
    )


@dataclass(frozen=True)
class Scenario:
    name: str
    folder: Path
    spec: ScenarioSpec

    @property
    def golden_path(self) -> Path:
        return self.folder / GOLDEN_NAME

    def language(self, challenge: Challenge) -> str:
        return self.spec.language or challenge.reference_language

    def build(self, challenge: Challenge, dest: Path) -> Path:
        """Write the scenario's program into ``dest`` and return it."""
        if self.spec.base is None:
            shutil.copytree(self.folder / "program", dest, ignore=IGNORED)
            return dest
        upto = None if self.spec.base == "starter" else self.spec.base
        materialize(challenge, self.language(challenge), upto, dest)
        diff = self.folder / "changes.diff"
        if diff.is_file():
            result = subprocess.run(
                ["git", "apply", str(diff.resolve())], cwd=dest, capture_output=True, text=True
            )
            if result.returncode != 0:
                raise ConfigError(
                    diff, f"does not apply to the reference as of '{self.spec.base}': {result.stderr.strip()}"
                )
        return dest


def load_scenarios(challenge: Challenge) -> list[Scenario]:
    root = challenge.directory / "scenarios"
    scenarios = []
    for path in sorted(root.glob("*/scenario.yaml")) if root.is_dir() else []:
        data = read_yaml(path)
        try:
            spec = ScenarioSpec.model_validate(data)
        except ValidationError as exc:
            raise validation_to_config_error(path, exc, data) from None
        for field, value in (("fails_at", spec.fails_at), ("base", spec.base)):
            if value not in (None, "starter") and value not in challenge.stage_slugs:
                raise ConfigError(path, f"'{value}' is not a stage of {challenge.slug}", field)
        scenarios.append(Scenario(path.parent.name, path.parent, spec))
    return scenarios


def grade_silently(
    challenge: Challenge,
    program: Path,
    *,
    run: str = "./your_program.sh",
    build: str | None = None,
    until: str | None = None,
    only: str | None = None,
    seed: int = SCENARIO_SEED,
    language: str | None = None,
    stages: Sequence[str] | None = None,
) -> RunReport:
    """Grade ``program`` in-process, stages 1..``until`` (default all), just stage ``only``,
    or the ``stages`` named (an oracle that takes part in some), after running ``build`` in
    it (compiled languages), and return the report."""
    if stages is not None:
        selected = [challenge.stage(slug) for slug in challenge.stage_slugs if slug in stages]
    elif only is not None:
        selected = [challenge.stage(only)]
    elif until is not None:
        selected = challenge.stages[: challenge.index_of(until) + 1]
    else:
        selected = challenge.stages
    spec = dataclasses.replace(
        ProgramSpec.parse(run, program), containment=standard(), build=build, language=language
    )
    plan = GradingPlan(challenge, load_tester(challenge), spec, selected, seed)
    return grade(plan, NullReporter())


def verdict_problem(report: RunReport, fails_at: str | None) -> str | None:
    """None when the report passes every stage before ``fails_at`` and fails there."""
    got = {s.slug: s.status for s in report.stages}
    first_bad = next((s for s in report.stages if s.status is not StageStatus.PASSED), None)
    if first_bad is None:
        return None if fails_at is None else f"expected to fail at '{fails_at}', but it passed every stage"
    what = f"{first_bad.status.value} at '{first_bad.slug}': {first_bad.message}"
    if fails_at is None:
        return f"expected to pass every stage, but it {what}"
    if first_bad.slug != fails_at:
        return f"expected to fail at '{fails_at}', but it {what}"
    if got[fails_at] not in (StageStatus.FAILED, StageStatus.TIMED_OUT):
        return f"stage '{fails_at}' ended with {got[fails_at].value}, not a failure: {first_bad.message}"
    return None


_NORMALISE = [
    (re.compile(r"/tmp/[^\s'\")]+"), "<TMP>"),
    (re.compile(r"\b\d+\.\d\d s\b"), "<N> s"),
]


def normalise(text: str, ports: Sequence[int] = (), extra: Sequence[Substitution] = ()) -> str:
    """Make a grading's output comparable across runs: the ports the stage handed out,
    temporary paths and durations are replaced, and nothing else."""
    for port in sorted(set(ports), key=lambda p: -len(str(p))):
        text = re.sub(rf"(?<!\d){port}(?!\d)", "<PORT>", text)
    for pattern, replacement in _NORMALISE:
        text = pattern.sub(replacement, text)
    for substitution in extra:
        text = re.sub(substitution.pattern, substitution.replacement, text)
    return text


def render_failure(report: RunReport, extra: Sequence[Substitution] = ()) -> str:
    """The tester's lines of the first stage that did not pass, and its verdict. The
    program's output and that of the servers the tester runs (a real seeder's progress
    lines) are left out: when they arrive depends on the machine, what the tester says does
    not."""
    stage = next(s for s in report.stages if s.status is not StageStatus.PASSED)
    lines = [line for line in stage.log if line.startswith(f"[{stage.slug}]")]
    message = stage.message_and_hints()
    return normalise("\n".join([*lines, f"=> {stage.status.value}: {message}"]), stage.ports, extra) + "\n"
