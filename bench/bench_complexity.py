"""Complexity stages tell O(1) from O(n) every time, even with the other core busy.

A complexity stage runs the same workload at two sizes and compares the cost per
operation as a ratio (``crack.harness.growth``). This grades each such stage over and
over (100 times by default) with the reference solution, which must pass, and with the
scenario whose design is linear, which must fail, while a CPU-burning process keeps the
machine's other core busy. Cases (the stage is the one the scenario declares it fails at):

- cache: ``lru-linear-scan`` (``lru-complexity``) and ``lfu-linear-scan`` (``lfu-complexity``)
- rate-limiter: ``log-per-client`` (its memory stage)
- distributed-patterns: ``lookup-scans-every-point`` (``lookup-complexity``)

Gradings alternate between the cases, each with its own seed, so load drifting during the
run weighs on all of them alike. Prints one row per (stage, program): wrong verdicts out of
the repeats, the median time per grading and the ratio the stage measured (min / median /
max, read from the stage's log). Exits 1 on any wrong verdict, 2 if a case cannot run yet
(a challenge or scenario not there).

    python bench/bench_complexity.py [--repeat 100] [--burners N] [--case CHALLENGE:SCENARIO ...]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from crack.authoring.scenarios import load_scenarios
from crack.authoring.solutions import materialize
from crack.challenge import load_challenge
from crack.challenge.model import Challenge, Stage
from crack.containment.sandbox import standard
from crack.errors import CrackError
from crack.grading import GradingPlan, grade
from crack.harness.process import ProgramSpec
from crack.report import StageResult, StageStatus
from crack.reporters import NullReporter
from crack.tester import Tester, load_tester

CASES = [
    ("cache", "lru-linear-scan"),
    ("cache", "lfu-linear-scan"),
    ("rate-limiter", "log-per-client"),
    ("distributed-patterns", "lookup-scans-every-point"),
]

# What a complexity stage logs (Growth.describe: "… (3.2× for 100× the size)") or says when
# it fails ("… grew 41× when …"); any other "N×" in its log as a last resort.
_RATIO_PATTERNS = [
    re.compile(r"\(([\d.]+)× for [\d,.]+× the"),
    re.compile(r"grew ([\d.]+)×"),
    re.compile(r"([\d.]+)×"),
]

BURNER = "import signal, sys; signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))\nwhile True: pass"


@dataclass
class Case:
    challenge: Challenge
    tester: Tester
    stage: Stage
    label: str
    """"reference" or the scenario's name."""
    program: Path
    must_pass: bool
    wrong: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)
    unread: int = 0
    """Gradings whose log named no ratio."""
    unit: str = "×"

    def run_once(self, seed: int) -> None:
        # Contained as every grading is (limits, one core, an unprivileged user as root).
        spec = ProgramSpec.parse("./your_program.sh", self.program)
        program = dataclasses.replace(spec, containment=standard())
        plan = GradingPlan(self.challenge, self.tester, program, [self.stage], seed)
        started = time.perf_counter()
        report = grade(plan, NullReporter())
        self.seconds.append(time.perf_counter() - started)
        result = report.stages[0]
        value = measured(result)
        if value is None:
            self.unread += 1
        else:
            self.ratios.append(value[0])
            self.unit = value[1]
        # As `crack author check` judges scenarios: a stage that ran out of time failed too.
        wanted = {StageStatus.PASSED} if self.must_pass else {StageStatus.FAILED, StageStatus.TIMED_OUT}
        if result.status not in wanted:
            first_line = result.message.splitlines()[0] if result.message else ""
            self.wrong.append(f"seed {seed}: {result.status.value} {first_line}".rstrip())


# The memory stage logs resident memory per round ("400 clients; resident memory 9.1 MB
# after 10 requests each, +0.0 MB after 85, +0.1 MB after 160") and decides on the smaller
# of the two rounds' growth per request; the value that decides is the worst algorithm's.
_MEMORY = re.compile(
    r"(\d+) clients; resident memory [\d.]+ MB after (\d+) requests each, "
    r"([+-][\d.]+) MB after (\d+), ([+-][\d.]+) MB after (\d+)"
)


def measured(result: StageResult) -> tuple[float, str] | None:
    """What the stage measured and decided on, with its unit: the cost ratio of a growth
    stage, or the memory stage's bytes per request."""
    per_request = []
    for line in result.log:
        for clients, warm, first, after_first, second, after_second in _MEMORY.findall(line):
            rounds = (
                float(first) * 1e6 / (int(clients) * (int(after_first) - int(warm))),
                float(second) * 1e6 / (int(clients) * (int(after_second) - int(after_first))),
            )
            per_request.append(min(rounds))
    if per_request:
        return max(per_request), " B/request"
    ratio = measured_ratio(result)
    return None if ratio is None else (ratio, "×")


def measured_ratio(result: StageResult) -> float | None:
    """The cost ratio the stage measured: the last one its log shows (the decisive
    measurement when a stage measures more than once), else the one in its message."""
    for pattern in _RATIO_PATTERNS:
        for text in (*reversed(result.log), result.message):
            found = pattern.findall(text)
            if found:
                return float(found[-1])
    return None


def build_cases(base: Path, wanted: list[tuple[str, str]]) -> tuple[list[Case], list[str]]:
    """Both programs of every case that can run; and why the others cannot."""
    cases: list[Case] = []
    missing: list[str] = []
    for slug, scenario_name in wanted:
        try:
            challenge = load_challenge(slug)
            scenario = next((s for s in load_scenarios(challenge) if s.name == scenario_name), None)
            if scenario is None:
                missing.append(f"{slug}: no scenario '{scenario_name}' yet")
                continue
            if scenario.spec.fails_at is None:
                missing.append(f"{slug}: scenario '{scenario_name}' declares no stage it fails at")
                continue
            stage = challenge.stage(scenario.spec.fails_at)
            tester = load_tester(challenge)
            reference = materialize(challenge, "python", stage.slug, base / f"{slug}-{stage.slug}-reference")
            broken = scenario.build(challenge, base / f"{slug}-{scenario_name}")
        except CrackError as exc:
            missing.append(f"{slug}: {exc.message}")
            continue
        cases.append(Case(challenge, tester, stage, "reference", reference, must_pass=True))
        cases.append(Case(challenge, tester, stage, scenario_name, broken, must_pass=False))
    return cases, missing


def start_burners(count: int) -> list[subprocess.Popen[bytes]]:
    return [subprocess.Popen([sys.executable, "-c", BURNER]) for _ in range(count)]


def stop_burners(burners: list[subprocess.Popen[bytes]]) -> None:
    for burner in burners:
        burner.send_signal(signal.SIGTERM)
    for burner in burners:
        try:
            burner.wait(timeout=5)
        except subprocess.TimeoutExpired:
            burner.kill()
            burner.wait()


def spread(values: list[float], unit: str) -> str:
    if not values:
        return "-"
    return f"{min(values):.1f} / {statistics.median(values):.1f} / {max(values):.1f}{unit}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=100, help="gradings per program (default 100)")
    parser.add_argument(
        "--burners",
        type=int,
        default=max(1, (os.cpu_count() or 2) - 1),
        help="CPU-burning processes during the run (default: one per core but one)",
    )
    parser.add_argument(
        "--case",
        action="append",
        metavar="CHALLENGE:SCENARIO",
        help="grade this scenario's failing stage instead of the default cases (repeatable)",
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    wanted = [tuple(case.split(":", 1)) for case in args.case] if args.case else CASES
    if any(len(case) != 2 for case in wanted):
        parser.error("--case takes CHALLENGE:SCENARIO")
    with tempfile.TemporaryDirectory(prefix="crack-bench-complexity-") as tmp:
        cases, missing = build_cases(Path(tmp), [(case[0], case[1]) for case in wanted])
        for reason in missing:
            print(f"cannot run yet: {reason}")
        if not cases:
            return 2
        for case in cases:  # warm up (bytecode, page cache); not counted
            case.run_once(seed=0)
            case.wrong, case.seconds, case.ratios, case.unread = [], [], [], 0
        load_before = os.getloadavg()[0]
        burners = start_burners(args.burners)
        started = time.perf_counter()
        rounds = 0
        try:
            for index in range(args.repeat):
                for case in cases:
                    case.run_once(seed=index + 1)
                rounds += 1
                wrong = sum(len(case.wrong) for case in cases)
                minutes = (time.perf_counter() - started) / 60
                print(f"round {rounds}/{args.repeat}: {wrong} wrong so far, {minutes:.1f} min", flush=True)
        except KeyboardInterrupt:  # Ctrl-C or SIGTERM: report the rounds done
            print(f"interrupted: {rounds} complete rounds of {args.repeat}", flush=True)
        finally:
            stop_burners(burners)
        elapsed = time.perf_counter() - started
        load_after = os.getloadavg()[0]
    done = len(cases[0].seconds)
    print(
        f"\nComplexity stages, {done} gradings per program, {args.burners} CPU burner(s) running, "
        f"{os.cpu_count()} CPUs, {elapsed / 60:.1f} min"
    )
    header = (
        f"{'stage':32} {'program':16} {'expected':8} {'wrong':>7} {'median s':>8}  "
        "measured min / median / max"
    )
    print(header)
    print("-" * len(header))
    failed = False
    for case in cases:
        failed |= bool(case.wrong)
        stage = f"{case.challenge.slug}:{case.stage.slug}"
        expected = "pass" if case.must_pass else "fail"
        wrong_count = f"{len(case.wrong)}/{len(case.seconds)}"
        median = f"{statistics.median(case.seconds):8.2f}" if case.seconds else f"{'-':>8}"
        unread = f"  ({case.unread} without a measurement in the log)" if case.unread else ""
        measurement = spread(case.ratios, case.unit)
        print(f"{stage:32} {case.label:16} {expected:8} {wrong_count:>7} {median}  {measurement}{unread}")
    print(f"load average (1 min): {load_before:.1f} before the burners, {load_after:.1f} at the end")
    for case in cases:
        for line in case.wrong[:5]:
            print(f"  wrong: {case.stage.slug} {case.label} {line}")
    verdict = "ok" if not failed else "MISSED"
    print(f"wrong verdicts {sum(len(c.wrong) for c in cases)} (target 0): {verdict}")
    if missing:
        return 2
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
