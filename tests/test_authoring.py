"""The authoring kit: scaffold a challenge, prove it sound, catch a stage that tests nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from crack.authoring.solutions import diff_path, materialize, pack, unpack
from crack.challenge import load_challenge
from crack.scaffold import copy_starter

NEW_STAGE = """  - slug: greet-again
    name: Greet again
    difficulty: easy
    timeout: 10
    concepts: {pattern: p, data_structure: d, algorithm: a}
    hints: [h]
    interview: [q]
"""


@pytest.fixture
def scaffolded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crack: Callable[..., Any]) -> Path:
    result = crack(["author", "new", "greeter", "--root", str(tmp_path)])
    assert result.exit_code == 0, result.output
    monkeypatch.setenv("CRACK_CHALLENGE_PATH", str(tmp_path / "challenges"))
    return tmp_path


def _check(crack: Callable[..., Any], *extra: str) -> Any:
    return crack(["author", "check", "greeter", "--jobs", "2", *extra], env={"COLUMNS": "200"})


def test_a_new_challenge_passes_author_check(scaffolded: Path, crack: Callable[..., Any]) -> None:
    for path in ("challenges/greeter/challenge.yaml", "challenges/greeter/tester/__init__.py",
                 "reference_solutions/greeter/python/stages/greet.diff", "tests/test_greeter_challenge.py",
                 "challenges/greeter/scenarios/wrong-greeting/changes.diff"):  # fmt: skip
        assert (scaffolded / path).is_file(), path
    compile((scaffolded / "tests/test_greeter_challenge.py").read_text(), "generated test", "exec")
    first = _check(crack, "--record-goldens")
    assert first.exit_code == 0, first.output
    assert (scaffolded / "challenges/greeter/scenarios/wrong-greeting/expected_output.txt").is_file()
    again = _check(crack)
    assert again.exit_code == 0, again.output
    assert "8 of 8 checks passed" in again.output
    assert "no oracle named" in again.output


def test_a_stage_no_program_discriminates_fails_the_check(
    scaffolded: Path, crack: Callable[..., Any]
) -> None:
    folder = scaffolded / "challenges/greeter"
    (folder / "challenge.yaml").write_text((folder / "challenge.yaml").read_text() + NEW_STAGE)
    (folder / "stages/greet-again.md").write_text("Greet once more.\n")
    tester = folder / "tester/__init__.py"
    tester.write_text(tester.read_text() + '\n\ntester.stage("greet-again")(greet)\n')
    (scaffolded / "reference_solutions/greeter/python/stages/greet-again.diff").write_text("")
    result = _check(crack, "--record-goldens")
    assert result.exit_code == 1
    line = next(line for line in result.output.splitlines() if "stage greet-again is discriminated" in line)
    assert "FAIL" in line and "no program passes the stages before it and fails it" in line


def test_wrong_scenarios_and_changed_goldens_fail(scaffolded: Path, crack: Callable[..., Any]) -> None:
    assert _check(crack, "--record-goldens").exit_code == 0
    scenarios = scaffolded / "challenges/greeter/scenarios"
    spec = scenarios / "never-listens/scenario.yaml"
    spec.write_text(spec.read_text().replace("fails_at: bind", "fails_at: greet"))
    golden = scenarios / "wrong-greeting/expected_output.txt"
    golden.write_text(golden.read_text().replace("hello", "HELLO"))
    result = _check(crack)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    never = next(line for line in lines if "scenario never-listens" in line)
    assert "FAIL" in never and "expected to fail at 'greet', but it failed at 'bind'" in never
    wrong = next(line for line in lines if "scenario wrong-greeting" in line)
    assert "FAIL" in wrong and "differs from expected_output.txt" in wrong


def test_a_missing_oracle_says_how_to_install_it(scaffolded: Path, crack: Callable[..., Any]) -> None:
    yaml_path = scaffolded / "challenges/greeter/challenge.yaml"
    text = yaml_path.read_text().replace(
        "stages:\n",
        "oracle:\n  command: no-such-server\n  requires: [no-such-server]\n"
        "  install: apt-get install no-such-server\nstages:\n",
        1,
    )
    yaml_path.write_text(text)
    result = _check(crack, "--record-goldens")
    assert result.exit_code == 0
    line = next(line for line in result.output.splitlines() if "oracle" in line and "missing" in line)
    assert "needs no-such-server: apt-get install no-such-server" in line


def test_unpack_edit_pack_round_trip(scaffolded: Path, tmp_path: Path) -> None:
    challenge = load_challenge("greeter")
    folders = unpack(challenge, "python", tmp_path / "snapshots")
    assert [f.name for f in folders] == ["00-starter", "01-bind", "02-greet"]
    main = folders[-1] / "app" / "main.py"
    main.write_text(main.read_text().replace('b"hello "', 'b"hello, "'))
    for cache in (".ruff_cache", ".mypy_cache", ".pytest_cache"):  # what linting the snapshot leaves
        (folders[-1] / cache).mkdir()
        (folders[-1] / cache / "CACHEDIR.TAG").write_text("Signature: 8a477f597d28d172789f06886806bc55\n")
    pack(challenge, "python", tmp_path / "snapshots")
    assert "CACHEDIR.TAG" not in diff_path(challenge, "python", "greet").read_text()
    rebuilt = materialize(challenge, "python", "greet", tmp_path / "rebuilt")
    assert 'b"hello, "' in (rebuilt / "app" / "main.py").read_text()
    assert (rebuilt / "your_program.sh").stat().st_mode & 0o111


def test_pack_leaves_out_what_a_build_wrote(scaffolded: Path, tmp_path: Path) -> None:
    """A Go snapshot that was built and run holds build/your_program: no part of the diff."""
    yaml_path = scaffolded / "challenges/greeter/challenge.yaml"
    yaml_path.write_text(yaml_path.read_text().replace("stages:\n", "languages: [python, go]\nstages:\n", 1))
    challenge = load_challenge("greeter")
    for i, slug in enumerate(challenge.stage_slugs, start=1):
        snapshot = tmp_path / "snapshots" / f"{i:02d}-{slug}"
        copy_starter(challenge, "go", snapshot)
        (snapshot / "app" / "main.go").write_text(f"package main\n\n// stage {slug}\nfunc main() {{}}\n")
        (snapshot / "build").mkdir()
        (snapshot / "build" / "your_program").write_bytes(b"\x7fELF\x00binary")
    pack(challenge, "go", tmp_path / "snapshots")
    diffs = [diff_path(challenge, "go", slug).read_text() for slug in challenge.stage_slugs]
    assert "stage bind" in diffs[0] and "stage greet" in diffs[1]
    assert not any("build/your_program" in diff or "Binary files" in diff for diff in diffs)
    rebuilt = materialize(challenge, "go", challenge.stage_slugs[-1], tmp_path / "rebuilt")
    assert "// stage greet" in (rebuilt / "app" / "main.go").read_text()
    assert not (rebuilt / "build").exists()


def test_new_refuses_bad_slugs_and_existing_challenges(scaffolded: Path, crack: Callable[..., Any]) -> None:
    assert "is not a slug" in crack(["author", "new", "Bad_Slug", "--root", str(scaffolded)]).output
    assert "already exists" in crack(["author", "new", "greeter", "--root", str(scaffolded)]).output


def test_a_config_error_survives_the_trip_back_from_a_worker() -> None:
    """`crack author check` grades in worker processes; an error raised there is pickled."""
    import pickle

    from crack.errors import ConfigError

    error = ConfigError("/x/scenario.yaml", "not a language", "language")
    again = pickle.loads(pickle.dumps(error))
    assert str(again) == str(error) == "/x/scenario.yaml, field 'language': not a language"
    assert (again.path, again.field) == (error.path, error.field)


def test_a_golden_holds_what_the_tester_said_not_what_servers_printed_meanwhile() -> None:
    """A real seeder's progress lines land in the log whenever it prints them: a golden
    that held them would differ from run to run."""
    from crack.authoring.scenarios import render_failure
    from crack.report import RunReport, StageResult, StageStatus

    stage = StageResult("download", "Download", 8, StageStatus.FAILED, message="the file differs", hint="h")
    stage.log = [
        "[download] Running stage 8: Download",
        "[aria2c seeder] [#e0ea4f SEED(0.0) CN:2 SD:0]",
        "[your_program] downloading piece 3",
        "[your_program n2] a node of several",
        "[download] the tester checks the file",
    ]
    report = RunReport("bittorrent", "./your_program.sh", 7, [stage])
    assert render_failure(report) == (
        "[download] Running stage 8: Download\n[download] the tester checks the file\n"
        "=> failed: the file differs\nHint: h\n"
    )


def test_a_stage_added_while_the_check_runs_is_left_for_the_next_check(
    scaffolded: Path, crack: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every grading of one check uses the challenge.yaml the check validated and joined
    with the tester: a stage the author adds meanwhile (to the YAML first) is not graded
    half-way, with a tester that has no function for it."""
    from crack.authoring import check

    folder = scaffolded / "challenges/greeter"
    real = check.load_scenarios

    def add_a_stage_then_load(challenge: Any) -> Any:
        yaml_path = folder / "challenge.yaml"
        if "greet-again" not in yaml_path.read_text():
            yaml_path.write_text(yaml_path.read_text() + NEW_STAGE)
            (folder / "stages/greet-again.md").write_text("Greet once more.\n")
        return real(challenge)

    monkeypatch.setattr(check, "load_scenarios", add_a_stage_then_load)
    result = _check(crack, "--record-goldens")
    assert result.exit_code == 0, result.output
    assert "8 of 8 checks passed" in result.output
    assert "greet-again" not in result.output
