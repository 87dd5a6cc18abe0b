"""The Redis tester against real programs: redis-server, the reference, broken and odd ones."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import REDIS, copy_program, grade_json, statuses
from golden import check_golden, render_failure

SCENARIOS = Path(__file__).parent / "scenarios" / "redis"
SLUGS = REDIS.stage_slugs


def expect_fails_at(report: dict[str, Any], slug: str | None) -> None:
    """Every stage before ``slug`` passed, ``slug`` did not, the rest were skipped."""
    got = statuses(report)
    if slug is None:
        assert set(got.values()) == {"passed"}, _explain(report)
        return
    index = SLUGS.index(slug)
    expected = {s: "passed" for s in SLUGS[:index]}
    expected[slug] = got.get(slug, "missing")
    expected.update({s: "skipped" for s in SLUGS[index + 1 :]})
    assert got == expected, _explain(report)
    assert got[slug] in ("failed", "timed_out"), _explain(report)


def _explain(report: dict[str, Any]) -> str:
    bad = [s for s in report["stages"] if s["status"] not in ("passed", "skipped")]
    return "\n".join(f"{s['slug']}: {s['status']}: {s['message']}\n{s['log'][-3000:]}" for s in bad)


def test_real_redis_server_passes_every_stage(tmp_path: Path) -> None:
    if shutil.which("redis-server") is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing in CI: scripts/install-system-deps.sh installs it")
        pytest.skip("redis-server is not installed (scripts/install-system-deps.sh installs it)")
    code, report = grade_json(tmp_path, "--all", run="redis-server --save '' --appendonly no")
    assert code == 0, _explain(report)
    expect_fails_at(report, None)


def test_reference_passes_every_stage(reference: Callable[[str | None], Path], tmp_path: Path) -> None:
    program = copy_program(reference(SLUGS[-1]), tmp_path / "program")
    code, report = grade_json(program, "--all")
    assert code == 0, _explain(report)
    expect_fails_at(report, None)


@pytest.mark.parametrize("slug", SLUGS)
def test_every_stage_tests_something_new(
    slug: str, reference: Callable[[str | None], Path], tmp_path: Path
) -> None:
    """The reference as of the stage before passes stages 1..N-1 and fails stage N."""
    index = SLUGS.index(slug)
    before = SLUGS[index - 1] if index else None
    program = copy_program(reference(before), tmp_path / "program")
    _, report = grade_json(program, "--until", slug, "--seed", "3")
    expect_fails_at_until(report, slug)


def expect_fails_at_until(report: dict[str, Any], slug: str) -> None:
    got = statuses(report)
    index = SLUGS.index(slug)
    assert got == {**{s: "passed" for s in SLUGS[:index]}, slug: got[slug]}, _explain(report)
    assert got[slug] in ("failed", "timed_out"), _explain(report)


def _scenarios() -> list[Path]:
    return (
        sorted(p for p in SCENARIOS.iterdir() if (p / "scenario.yaml").is_file())
        if SCENARIOS.is_dir()
        else []
    )


def build_scenario(
    folder: Path, reference: Callable[[str | None], Path], dest: Path
) -> tuple[Path, dict[str, Any]]:
    meta = yaml.safe_load((folder / "scenario.yaml").read_text())
    if "base" in meta:
        program = copy_program(reference(meta["base"]), dest)
        diff = folder / "changes.diff"
        if diff.exists():
            subprocess.run(["git", "apply", str(diff)], cwd=program, check=True, capture_output=True)
    else:
        program = copy_program(folder / "program", dest)
    return program, meta


@pytest.mark.parametrize("folder", _scenarios(), ids=lambda p: p.name)
def test_scenario(folder: Path, reference: Callable[[str | None], Path], tmp_path: Path) -> None:
    program, meta = build_scenario(folder, reference, tmp_path / "program")
    _, report = grade_json(program, "--all", "--seed", "7")
    expect_fails_at(report, meta["fails_at"])
    if meta["fails_at"] is not None:
        check_golden(folder / "expected_output.txt", render_failure(report))


def test_every_stage_has_a_broken_scenario() -> None:
    declared = {yaml.safe_load((f / "scenario.yaml").read_text())["fails_at"] for f in _scenarios()}
    assert set(SLUGS) <= declared, f"stages without a broken program: {sorted(set(SLUGS) - declared)}"
