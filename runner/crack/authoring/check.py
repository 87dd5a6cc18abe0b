"""``crack author check``: prove a challenge sound, one row per claim.

A challenge is sound when its YAML loads, its tester implements exactly its stages, the
reference solution and the real system (the oracle) pass every stage, every scenario
program fails exactly where it says, every stage is *discriminated* (some program passes
the stages before it and fails it — otherwise the stage tests nothing new), and the tester's
output for the broken programs is unchanged (golden files).

Gradings run in separate processes, so they cannot share ports, orphans or state.
"""

from __future__ import annotations

import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from crack.authoring.scenarios import (
    Substitution,
    grade_silently,
    load_scenarios,
    render_failure,
    verdict_problem,
)
from crack.authoring.solutions import diff_path, materialize
from crack.challenge.loader import load_challenge
from crack.challenge.model import Challenge, Oracle
from crack.languages import load_language
from crack.report import StageStatus
from crack.tester import check_slugs, load_tester


class Verdict(StrEnum):
    OK = "ok"
    FAIL = "FAIL"
    MISSING = "missing"


@dataclass(frozen=True)
class Row:
    check: str
    verdict: Verdict
    detail: str = ""


@dataclass(frozen=True)
class _Job:
    """One program to grade: where it comes from and how far to grade it."""

    label: str
    kind: str  # "reference", "oracle", "progression", "scenario"
    challenge: Challenge
    """As the check validated it and joined it with the tester: a stage added to the YAML
    while the check runs waits for the next check, rather than meeting a tester without it."""
    build: tuple[str, str | None]  # ("reference", stage) | ("scenario", name) | ("oracle", "")
    language: str = "python"
    until: str | None = None
    fails_at: str | None = None


@dataclass
class _Outcome:
    job: _Job
    statuses: dict[str, str] = field(default_factory=dict)
    problem: str | None = None
    golden_text: str | None = None


def _grade(job: _Job) -> _Outcome:
    challenge = job.challenge
    outcome = _Outcome(job)
    with tempfile.TemporaryDirectory(prefix="crack-check-") as tmp:
        dest = Path(tmp) / "program"
        kind, name = job.build
        run = "./your_program.sh"
        build = None
        language: str | None = job.language
        extra: list[Substitution] = []
        if kind == "reference":
            program = materialize(challenge, job.language, name, dest)
            build = load_language(job.language).build
        elif kind == "scenario":
            scenario = next(s for s in load_scenarios(challenge) if s.name == name)
            program = scenario.build(challenge, dest)
            run, extra = scenario.spec.run, scenario.spec.normalise
            language = scenario.language(challenge)
            build = load_language(language).build  # a C scenario is compiled like a learner's
        else:
            language = None
            assert challenge.oracle is not None
            dest.mkdir()
            program, run = dest, challenge.oracle.command_for(challenge.directory)
        stages = challenge.oracle.stages if kind == "oracle" and challenge.oracle else None
        report = grade_silently(
            challenge, program, run=run, build=build, until=job.until, language=language, stages=stages
        )
    outcome.statuses = {s.slug: s.status.value for s in report.stages}
    outcome.problem = verdict_problem(report, job.fails_at)
    if job.fails_at is not None and outcome.problem is None and job.kind == "scenario":
        outcome.golden_text = render_failure(report, extra)
    return outcome


def _discriminates(outcome: _Outcome, slugs: list[str], stage: str) -> bool:
    index = slugs.index(stage)
    before_passed = all(outcome.statuses.get(s) == StageStatus.PASSED.value for s in slugs[:index])
    return before_passed and outcome.statuses.get(stage) in (
        StageStatus.FAILED.value,
        StageStatus.TIMED_OUT.value,
    )


def check_challenge(slug: str, *, jobs: int = 2, record_goldens: bool = False) -> list[Row]:
    challenge = load_challenge(slug)  # a ConfigError here names the file and field
    rows = [Row("challenge.yaml is valid", Verdict.OK, f"{len(challenge.stages)} stages")]
    problems = check_slugs(challenge, load_tester(challenge))
    rows.append(
        Row("stage slugs: YAML = tester", Verdict.FAIL if problems else Verdict.OK, "; ".join(problems))
    )
    if problems:
        return rows

    slugs = challenge.stage_slugs
    work: list[_Job] = []
    for language in challenge.languages:
        if diff_path(challenge, language, slugs[0]).parent.is_dir():
            work.append(
                _Job(f"reference ({language})", "reference", challenge, ("reference", slugs[-1]), language)
            )
            for index, stage in enumerate(slugs):
                before = slugs[index - 1] if index else None
                label = f"reference as of {before or 'the starter'} ({language})"
                work.append(
                    _Job(
                        label,
                        "progression",
                        challenge,
                        ("reference", before),
                        language,
                        until=stage,
                        fails_at=stage,
                    )
                )
    oracle = challenge.oracle
    if oracle is not None and not oracle.missing():
        work.append(_Job("oracle", "oracle", challenge, ("oracle", "")))
    scenarios = load_scenarios(challenge)
    for scenario in scenarios:
        work.append(
            _Job(
                f"scenario {scenario.name}",
                "scenario",
                challenge,
                ("scenario", scenario.name),
                fails_at=scenario.spec.fails_at,
            )
        )

    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        outcomes = list(pool.map(_grade, work))

    for outcome in outcomes:
        job = outcome.job
        if job.kind == "reference":
            rows.append(_row(f"{job.label} passes every stage", outcome.problem))
        elif job.kind == "oracle":
            rows.append(
                _row(
                    f"oracle `{oracle.command if oracle else ''}` passes {_oracle_share(oracle)}",
                    outcome.problem,
                )
            )
    if oracle is None:
        rows.append(Row("oracle passes every stage", Verdict.MISSING, "no oracle named in challenge.yaml"))
    elif oracle.missing():
        rows.append(
            Row(
                "oracle passes every stage",
                Verdict.MISSING,
                f"needs {', '.join(oracle.missing())}: {oracle.install}",
            )
        )
    if not any(job.kind == "reference" for job in work):
        rows.append(Row("reference passes every stage", Verdict.FAIL, "no reference solution found"))

    by_name = {s.name: s for s in scenarios}
    for outcome in outcomes:
        if outcome.job.kind != "scenario":
            continue
        scenario = by_name[(outcome.job.build[0] == "scenario" and outcome.job.build[1]) or ""]
        claim = f"fails at {scenario.spec.fails_at}" if scenario.spec.fails_at else "passes every stage"
        problem = outcome.problem
        if problem is None and outcome.golden_text is not None:
            problem = _golden(scenario.golden_path, outcome.golden_text, record_goldens)
        rows.append(_row(f"scenario {scenario.name} {claim}", problem))

    for stage in slugs:
        who = [
            o.job.label
            for o in outcomes
            if o.job.kind in ("scenario", "progression") and _discriminates(o, slugs, stage)
        ]
        if who:
            rows.append(
                Row(
                    f"stage {stage} is discriminated",
                    Verdict.OK,
                    ", ".join(who[:3]) + ("…" if len(who) > 3 else ""),
                )
            )
        else:
            rows.append(
                Row(
                    f"stage {stage} is discriminated",
                    Verdict.FAIL,
                    "no program passes the stages before it and fails it",
                )
            )
    return rows


def _oracle_share(oracle: Oracle | None) -> str:
    if oracle is None or oracle.stages is None:
        return "every stage"
    return f"the stages it takes part in ({', '.join(oracle.stages)})"


def _row(check: str, problem: str | None) -> Row:
    if problem is None:
        return Row(check, Verdict.OK)
    return Row(check, Verdict.FAIL, problem.splitlines()[0][:300])


def _golden(path: Path, text: str, record: bool) -> str | None:
    if record or os.environ.get("CRACK_RECORD_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
        return None
    if not path.is_file():
        return f"golden output {path.name} is missing (record it with --record-goldens)"
    if path.read_text(encoding="utf-8") != text:
        return f"the tester's output differs from {path.name} (re-record with --record-goldens if intended)"
    return None
