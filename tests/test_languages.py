"""Learners in every language: templates, the build step, Redis starters, and watch mode.

Each language's tests need its toolchain (gcc, cargo, javac...); they skip, naming what is
missing, only where it is not installed (scripts/install-system-deps.sh installs them all).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result

from conftest import run_cli
from crack.build import BUILD_KEEP_BYTES, run_build
from crack.challenge import list_challenges, load_challenge
from crack.errors import ConfigError
from crack.harness.process import ProgramSpec
from crack.languages import Language, language_slugs, load_descriptor, load_language, probe
from crack.reporters import FORMATS, document_renderer
from crack.schemas import schema_errors
from crack.watch import ignored

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "tests" / "programs" / "languages"
"""Stage-1 solutions, one per challenge and language: ``<challenge>/<lang>/``."""
LANGUAGES = ["python", "javascript", "c", "cpp", "rust", "java", "go"]
COMPILED = ["c", "cpp", "rust", "java", "go"]
CHALLENGES = ["redis", "http-server"]
"""Challenges with a starter and a stage-1 solution in every language (both begin with `bind`)."""
STARTER_ONLY = [
    "dns-server",
    "load-balancer",
    "url-shortener",
    "kv-store",
    "rest-api",
    "raft",
    "message-queue",
]
"""Challenges with a starter in every language: it parses the arguments and stops there."""
LINE_PROTOCOL_STARTERS = ["distributed-patterns"]
"""Challenges driven over stdin whose starter in every language reads each command line and
answers that it is not written yet."""
# malloc (C, C++, Rust) and lock-free-queue (C, C++) are libraries behind a C interface:
# their starters are tested in tests/test_malloc_challenge.py and
# tests/test_lock_free_queue_challenge.py.

MAIN_FILE = {
    "python": "app/main.py",
    "javascript": "app/main.js",
    "c": "app/main.c",
    "cpp": "src/main.cpp",
    "rust": "src/main.rs",
    "java": "src/main/java/Main.java",
    "go": "app/main.go",
}
"""The file a learner edits first, in the template and in the Redis starter."""

BROKEN = {
    "c": "int broken(void) { return crack_undefined_name; }\n",
    "cpp": "int broken() { return crack_undefined_name; }\n",
    "rust": "fn broken() -> i32 { crack_undefined_name }\n",
    "java": "class Broken { int broken() { return crack_undefined_name; } }\n",
    "go": "func broken() int { return crack_undefined_name }\n",
}
"""A line appended to the main file that compiles nowhere: it names an undefined variable,
which every compiler's message repeats."""


def need_toolchain(language: str) -> Language:
    lang = load_language(language)
    toolchain = probe(lang)
    if not toolchain.found:
        pytest.skip(f"{', '.join(toolchain.missing)} not installed ({lang.install})")
    return lang


def start_repo(tmp_path: Path, language: str, challenge: str = "redis") -> Path:
    repo = tmp_path / f"{challenge}-{language}"
    result = run_cli(["start", challenge, str(repo), "--lang", language])
    assert result.exit_code == 0, result.output
    return repo


def put_solution(language: str, repo: Path, challenge: str = "redis") -> None:
    """Write the stage-1 solution over the starter, as a save would: with a fresh mtime
    (cargo and go rebuild by modification time)."""
    source = SOLUTIONS / challenge / language
    shutil.copytree(source, repo, dirs_exist_ok=True, copy_function=shutil.copy)


def grade(repo: Path, *args: str) -> tuple[Result, dict[str, Any]]:
    """``crack test`` in ``repo`` with the text output and the JSON report both kept."""
    out = repo.parent / f"{repo.name}-report.json"
    result = run_cli(["test", "--output", str(out), "--format", "json", *args], cwd=repo)
    report = json.loads(out.read_text())
    assert not schema_errors(report), schema_errors(report)
    return result, report


# --- descriptors and templates --------------------------------------------------------------
def test_every_template_has_a_descriptor() -> None:
    assert sorted(language_slugs()) == sorted(LANGUAGES)
    for slug in LANGUAGES:
        lang = load_language(slug)
        assert lang.slug == slug
        assert (lang.template / MAIN_FILE[slug]).is_file()
        script = lang.template / "your_program.sh"
        assert lang.run == "./your_program.sh" and os.access(script, os.X_OK)
        if lang.build is not None:
            assert os.access(lang.template / lang.build.split()[0], os.X_OK), f"{slug}: build not executable"
        gitignore = (lang.template / ".gitignore").read_text().split()
        for output in lang.build_outputs:
            if output not in ("__pycache__", ".venv"):
                assert f"{output}/" in gitignore, f"{slug}: {output}/ is not in .gitignore"


@pytest.mark.parametrize("slug", LANGUAGES)
def test_dockerfile_installs_the_descriptors_packages(slug: str) -> None:
    lang = load_language(slug)
    text = (lang.template / "Dockerfile").read_text()
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    assert lines[:2] == ["ARG BASE=crack-base", "FROM ${BASE}"]
    assert lines[-1] == "WORKDIR /app"
    install = re.search(r"apt-get install -y --no-install-recommends ([^&\\]+)", text)
    assert install is not None, text
    assert install.group(1).split() == lang.packages


def test_compiled_languages_build_apart_from_running() -> None:
    for slug in COMPILED:
        lang = load_language(slug)
        assert lang.build == "./build.sh"
        assert lang.build_outputs, slug
    assert load_language("python").build is None
    assert load_language("javascript").build is None


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (
            "name: X\nrun: ./r\nrequires: [x]\nversion_command: [x]\nextensions: [.x]\n"
            "packages: [x]\ninstall: i\ncolour: blue\n",
            "colour",
            "Extra inputs are not permitted",
        ),
        (
            "name: X\nrequires: [x]\nversion_command: [x]\nextensions: [.x]\npackages: [x]\ninstall: i\n",
            "run",
            "Field required",
        ),
        (
            "name: X\nrun: ./r\nrequires: x\nversion_command: [x]\nextensions: [.x]\npackages: [x]\n"
            "install: i\n",
            "requires",
            "valid list",
        ),
        ("name: [unclosed\n", None, "invalid YAML"),
    ],
)
def test_a_bad_descriptor_names_the_file_and_field(
    tmp_path: Path, body: str, field: str | None, words: str
) -> None:
    path = tmp_path / "mylang" / "language.yaml"
    path.parent.mkdir()
    path.write_text(body)
    with pytest.raises(ConfigError) as caught:
        load_descriptor(path)
    assert str(path) in caught.value.message
    assert caught.value.field == field
    assert words in caught.value.message


def test_crack_languages_lists_toolchains_and_install_lines() -> None:
    result = run_cli(["languages"], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    for slug in LANGUAGES:
        lang = load_language(slug)
        row = next(line for line in result.output.splitlines() if f" {slug} " in line)
        toolchain = probe(lang)
        if toolchain.found:
            assert "✓" in row and (toolchain.version or "found") in row, row
        else:
            assert "✗ missing" in row, row
        assert lang.install in row
    assert re.search(r" c .*redis", result.output)


def test_crack_languages_says_what_is_missing(tmp_path: Path) -> None:
    result = run_cli(["languages"], env={"COLUMNS": "200", "PATH": str(tmp_path)})
    assert result.exit_code == 0, result.output
    assert "✗ missing: cargo, rustc" in result.output
    assert "apt-get install default-jdk-headless" in result.output
    assert "✓" not in result.output


# --- crack start ----------------------------------------------------------------------------
def test_start_refuses_a_language_the_challenge_lacks(tmp_path: Path) -> None:
    challenge = next(c.slug for c in list_challenges() if "rust" not in c.languages)
    result = run_cli(["start", challenge, str(tmp_path / "x"), "--lang", "rust"])
    assert result.exit_code == 2
    assert f"{challenge} has no 'rust' starter: it can be started in python" in result.output
    assert not (tmp_path / "x").exists()


def test_start_refuses_an_unknown_language(tmp_path: Path) -> None:
    result = run_cli(["start", "redis", str(tmp_path / "x"), "--lang", "cobol"])
    assert result.exit_code == 2
    assert (
        "unknown language 'cobol' (crack knows: c, cpp, go, java, javascript, python, rust)" in result.output
    )


@pytest.mark.parametrize("challenge", CHALLENGES)
def test_challenge_supports_every_language(challenge: str) -> None:
    assert sorted(load_challenge(challenge).languages) == sorted(LANGUAGES)
    for language in LANGUAGES:
        assert (ROOT / "challenges" / challenge / "starter" / language / MAIN_FILE[language]).is_file()
        assert (SOLUTIONS / challenge / language / MAIN_FILE[language]).is_file()


def test_start_warns_when_the_toolchain_is_missing(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"  # git only: the repository is still created and committed
    bin_dir.mkdir()
    git = shutil.which("git")
    assert git is not None
    (bin_dir / "git").symlink_to(git)
    result = run_cli(["start", "redis", str(tmp_path / "r"), "--lang", "rust"], env={"PATH": str(bin_dir)})
    assert result.exit_code == 0, result.output
    assert "warning: cargo, rustc not found: install it to build and run Rust" in result.output
    assert "(apt-get install rustc cargo)" in result.output
    assert (tmp_path / "r" / ".git").is_dir()


def test_an_interview_repository_builds_like_a_started_one(tmp_path: Path) -> None:
    result = run_cli(["interview", "redis", str(tmp_path / "iv"), "--lang", "c"])
    assert result.exit_code == 0, result.output
    config = yaml.safe_load((tmp_path / "iv" / "crack.yml").read_text())
    assert (config["run"], config["build"]) == ("./your_program.sh", "./build.sh")


@pytest.mark.parametrize("language", LANGUAGES)
def test_start_writes_build_and_run_from_the_descriptor(tmp_path: Path, language: str) -> None:
    lang = load_language(language)
    repo = start_repo(tmp_path, language)
    config = yaml.safe_load((repo / "crack.yml").read_text())
    assert config["language"] == language
    assert config["run"] == lang.run
    assert config.get("build") == lang.build
    assert not (repo / "language.yaml").exists() and not (repo / "Dockerfile").exists()
    starter = (ROOT / "challenges" / "redis" / "starter" / language / MAIN_FILE[language]).read_text()
    assert (repo / MAIN_FILE[language]).read_text() == starter
    status = subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True)
    assert status.stdout == "", "crack start left files out of the first commit"


# --- the Redis starter and a stage-1 solution, in each language ------------------------------
@pytest.mark.parametrize("challenge", CHALLENGES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_starter_fails_bind_then_a_solution_passes(tmp_path: Path, challenge: str, language: str) -> None:
    lang = need_toolchain(language)
    repo = start_repo(tmp_path, language, challenge)

    result, report = grade(repo)
    assert result.exit_code == 1, result.output
    [bind] = report["stages"]
    assert bind["status"] == "failed"
    assert "your program exited with code 0 before it accepted connections on port" in bind["message"]
    assert "Logs from your program will appear here!" in bind["message"]
    assert "a server keeps running" in bind["message"]  # the hint
    if lang.build is not None:
        assert re.search(r"\[build\] Built in \d+\.\d\d s", result.output), result.output
        assert "warning" not in result.output.lower(), "the starter compiles with warnings"

    put_solution(language, repo, challenge)
    result, report = grade(repo)
    assert result.exit_code == 0, result.output
    assert [s["status"] for s in report["stages"]] == ["passed"]
    assert "[your_program] Logs from your program will appear here!" in report["stages"][0]["log"]


@pytest.mark.parametrize("challenge", STARTER_ONLY)
@pytest.mark.parametrize("language", LANGUAGES)
def test_starter_builds_runs_and_fails_stage_one_plainly(
    tmp_path: Path, challenge: str, language: str
) -> None:
    assert language in load_challenge(challenge).languages
    lang = need_toolchain(language)
    repo = start_repo(tmp_path, language, challenge)
    result, report = grade(repo)
    assert result.exit_code == 1, result.output
    [first] = report["stages"]
    assert first["status"] == "failed"
    assert "your program exited with code 0 before it" in first["message"], first["message"]
    assert "Logs from your program will appear here!" in first["message"]
    if lang.build is not None:
        assert re.search(r"\[build\] Built in \d+\.\d\d s", result.output), result.output
        assert "warning" not in result.output.lower(), "the starter compiles with warnings"


@pytest.mark.parametrize("challenge", LINE_PROTOCOL_STARTERS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_line_protocol_starter_answers_not_written_yet(tmp_path: Path, challenge: str, language: str) -> None:
    assert language in load_challenge(challenge).languages
    lang = need_toolchain(language)
    repo = start_repo(tmp_path, language, challenge)
    result, report = grade(repo)
    assert result.exit_code == 1, result.output
    [first] = report["stages"]
    assert first["status"] == "failed"
    assert "not written yet" in first["message"], first["message"]
    if language != "python":  # Python's starter is a driver around classes to fill in
        assert "Logs from your program will appear here!" in result.output
    if lang.build is not None:
        assert "warning" not in result.output.lower(), "the starter compiles with warnings"


ONE_SHOT_STARTERS = {
    "grep": "expected exit code 0",
    "git": "unknown command: 'init'",
    "sqlite": "not implemented yet: .dbinfo",
    "interpreter": "expected exit code 0 (success), got 1",
    "container-runtime": "expected exit code 0 (the command's own), got 1",
    "bittorrent": "exited with code 1",
}
"""Challenges whose program runs once per check, with what their starter's first failure says."""


@pytest.mark.parametrize("challenge", list(ONE_SHOT_STARTERS))
@pytest.mark.parametrize("language", LANGUAGES)
def test_one_shot_starter_fails_stage_one_plainly(tmp_path: Path, challenge: str, language: str) -> None:
    assert language in load_challenge(challenge).languages
    need_toolchain(language)
    repo = start_repo(tmp_path, language, challenge)
    result, report = grade(repo)
    assert result.exit_code == 1, result.output
    [first] = report["stages"]
    assert first["status"] == "failed"
    assert ONE_SHOT_STARTERS[challenge] in first["message"], first["message"]
    assert "Logs from your program will appear here!" in first["message"]
    assert "warning" not in result.output.lower(), "the starter compiles with warnings"


@pytest.mark.parametrize("language", COMPILED)
def test_a_build_error_fails_stage_one_with_the_compilers_message(tmp_path: Path, language: str) -> None:
    need_toolchain(language)
    repo = start_repo(tmp_path, language)
    put_solution(language, repo)
    with (repo / MAIN_FILE[language]).open("a") as handle:
        handle.write("\n" + BROKEN[language])

    result, report = grade(repo, "--until", "echo")
    assert result.exit_code == 1, result.output
    first, *rest = report["stages"]
    assert first["slug"] == "bind" and first["status"] == "failed"
    assert first["message"].startswith("your program failed to build: `./build.sh` exited with code ")
    assert "crack_undefined_name" in first["message"], first["message"]
    assert "Hint: fix what the compiler reports" in first["message"]
    assert [s["status"] for s in rest] == ["skipped"] * 4
    assert all(s["message"] == "not run: your program failed to build" for s in rest)
    # The text report shows the same (it is what the terminal printed).
    assert "✗ Stage 1 (bind) failed" in result.output
    assert "your program failed to build" in result.output and "crack_undefined_name" in result.output


def test_a_build_failure_reads_the_same_in_every_report_format(tmp_path: Path) -> None:
    need_toolchain("c")
    repo = start_repo(tmp_path, "c")
    (repo / "app" / "main.c").write_text("int main(void) { return crack_undefined_name; }\n")
    _, report = grade(repo, "--until", "ping")
    for fmt in FORMATS:
        if fmt == "text":
            continue
        rendered = document_renderer(fmt)(report)
        assert "failed to build" in rendered, fmt
        assert "crack_undefined_name" in rendered, fmt


def test_the_build_runs_in_the_repo_with_crack_yml_build(tmp_path: Path) -> None:
    """A learner may point ``build:`` at anything (make, a script...): it runs from the repo."""
    need_toolchain("c")
    repo = start_repo(tmp_path, "c")
    put_solution("c", repo)
    (repo / "build.sh").unlink()
    config = repo / "crack.yml"
    config.write_text(
        config.read_text().replace(
            "build: ./build.sh",
            "build: sh -c 'mkdir -p build && cc -o build/your_program app/main.c && echo compiled-ok'",
        )
    )
    result, _ = grade(repo)
    assert result.exit_code == 0, result.output
    assert "[build] compiled-ok" in result.output


# --- the build step itself ------------------------------------------------------------------
def _spec(tmp_path: Path, build: str) -> ProgramSpec:
    return ProgramSpec(("true",), tmp_path, build=build)


def test_build_output_keeps_its_end(tmp_path: Path) -> None:
    script = "i=0; while [ $i -lt 20000 ]; do echo line-$i; i=$((i+1)); done; echo the-last-line >&2; exit 4"
    result = run_build(_spec(tmp_path, f"sh -c '{script}'"))
    assert result.returncode == 4 and not result.ok
    assert result.total_bytes > BUILD_KEEP_BYTES
    assert len(result.output.encode()) <= BUILD_KEEP_BYTES
    assert result.output.rstrip().endswith("line-19999\nthe-last-line")
    assert "line-0\n" not in result.output

    from crack.build import failure_message

    message, hint = failure_message(result)
    assert "exited with code 4" in message and "The end of its output:" in message
    assert message.rstrip().endswith("the-last-line")
    assert "line-19000" not in message  # capped at the last lines
    assert "to see all of its output" in hint


def test_a_hanging_build_is_stopped_at_its_own_limit(tmp_path: Path, no_leftovers: None) -> None:
    started = time.monotonic()
    result = run_build(_spec(tmp_path, "sh -c 'echo compiling; sleep 30 & wait'"), timeout=1.0)
    assert time.monotonic() - started < 5
    assert result.timed_out and result.returncode is None
    assert "compiling" in result.output

    from crack.build import failure_message

    message, _ = failure_message(result)
    assert "was still running after 1 s and was stopped" in message


@pytest.mark.parametrize(
    ("build", "why"),
    [
        ("./missing.sh", "/missing.sh was not found"),
        ("'unbalanced", "it cannot be parsed: No closing quotation"),
    ],
)
def test_a_build_that_cannot_start_says_why(tmp_path: Path, build: str, why: str) -> None:
    from crack.build import failure_message

    result = run_build(_spec(tmp_path, build))
    assert not result.ok
    message, _ = failure_message(result)
    assert message.startswith("your program failed to build: the build command")
    assert why in message, message


ONE_SHOT_TESTER = """
from crack.harness.failure import StageFailure
from crack.tester import Tester
tester = Tester("fake")

@tester.stage("built")
def built(h):
    result = h.run([])
    if b"built" not in result.stdout:
        raise StageFailure(f"expected 'built', got {result.stdout!r}")
"""


def test_build_time_is_not_counted_in_the_stage_timeout(
    fake_challenges: Callable[..., Path], tmp_path: Path
) -> None:
    fake_challenges("fake", [{"slug": "built", "timeout": 1}], ONE_SHOT_TESTER)
    program = tmp_path / "program"
    program.mkdir()
    out = tmp_path / "report.json"
    args = [
        "test",
        "--challenge",
        "fake",
        "--run",
        "cat built.txt",
        "--build",
        "sh -c 'sleep 1.5; echo built > built.txt'",
        "--format",
        "json",
        "--output",
        str(out),
    ]
    result = run_cli(args, cwd=program)
    assert result.exit_code == 0, result.output
    stage = json.loads(out.read_text())["stages"][0]
    assert stage["status"] == "passed" and stage["duration_s"] < 1


# --- watch mode -----------------------------------------------------------------------------
def test_watch_ignores_what_crack_and_builds_write(tmp_path: Path) -> None:
    outputs = ["build", "target"]
    for rel in [
        "build/your_program",
        "target/release/x",
        ".git/index",
        ".crack/progress.json",
        "crack.yml",
        ".crack.yml.abc.tmp",
        "app/.main.c.swp",
        "app/__pycache__/m.pyc",
    ]:
        assert ignored(tmp_path / rel, tmp_path, outputs), rel
    for rel in ["app/main.c", "src/build.rs", "Cargo.toml", "app/build/notes.c"]:
        assert not ignored(tmp_path / rel, tmp_path, outputs), rel


def _crack_cli(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "crack", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "120"},
        start_new_session=True,
    )


def _read_until(process: subprocess.Popen[str], marker: str, timeout: float = 60) -> str:
    assert process.stdout is not None
    seen = ""
    deadline = time.monotonic() + timeout
    while marker not in seen:
        assert time.monotonic() < deadline, f"no {marker!r} within {timeout} s:\n{seen}"
        line = process.stdout.readline()
        assert line, f"crack ended before {marker!r}:\n{seen}"
        seen += line
    return seen


def test_watch_rebuilds_and_grades_again_on_save(tmp_path: Path) -> None:
    need_toolchain("c")
    repo = start_repo(tmp_path, "c")
    process = _crack_cli("test", "--watch", "--watch-runs", "2", cwd=repo)
    try:
        first = _read_until(process, "Watching")
        assert "run 1" in first and "✗ Stage 1 (bind) failed" in first
        assert "▶ current" in first  # the stage map
        shutil.copy(SOLUTIONS / "redis" / "c" / "app" / "main.c", repo / "app" / "main.c")
        rest, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 0, rest
    assert "run 2" in rest and "changed: app/main.c" in rest
    assert "[build] Built in" in rest
    assert "✓ Stage 1 (bind) passed" in rest
    assert "1 of 13 stages passed." in rest


def test_watch_ends_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    repo = start_repo(tmp_path, "python")
    process = _crack_cli("test", "--watch", cwd=repo)
    try:
        _read_until(process, "Watching")
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 130
    assert "Stopped watching." in rest


# --- grading many submissions ---------------------------------------------------------------
def test_batch_grading_builds_each_submission_from_its_crack_yml(tmp_path: Path) -> None:
    """``crack grade`` runs each submission's own build, as ``crack test`` does in its repo."""
    from crack.batch.worker import GradeJob, grade_submission

    need_toolchain("c")
    good = start_repo(tmp_path / "good", "c")
    put_solution("c", good)
    broken = start_repo(tmp_path / "broken", "c")
    with (broken / "app" / "main.c").open("a") as handle:
        handle.write("\n" + BROKEN["c"])
    entries = {
        name: grade_submission(
            GradeJob(source=str(repo), name=name, challenge="redis", stages=("bind", "ping"), seed=1)
        )
        for name, repo in (("good", good), ("broken", broken))
    }
    assert entries["good"]["error"] is None
    assert entries["good"]["stages"][0]["status"] == "passed"
    first, second = entries["broken"]["stages"]
    assert first["status"] == "failed" and "your program failed to build" in first["message"]
    assert "crack_undefined_name" in first["message"]
    assert second["status"] == "skipped"


def test_ctrl_c_during_the_build_ends_it_and_exits_130(
    fake_challenges: Callable[..., Path], tmp_path: Path
) -> None:
    fake_challenges("fake", [{"slug": "built", "timeout": 1}], ONE_SHOT_TESTER)
    pidfile = tmp_path / "build.pid"
    build = f"sh -c 'echo $$ > {pidfile}; echo compiling; exec sleep 60'"
    process = _crack_cli(
        "test", "--challenge", "fake", "--run", "cat built.txt", "--build", build, cwd=tmp_path
    )
    try:
        _read_until(process, "Building your program")
        deadline = time.monotonic() + 20
        while not (pidfile.is_file() and pidfile.read_text().strip()):
            assert time.monotonic() < deadline, "the build never started"
            time.sleep(0.05)
        build_pid = int(pidfile.read_text())
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 130, rest
    assert "Summary: 1 skipped" in rest and "Interrupted: your program was stopped." in rest
    assert not _running(build_pid), "the build outlived its interrupted grading"


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
