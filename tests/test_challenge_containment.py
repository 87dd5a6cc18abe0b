"""A challenge's own containment setting (``containment: run_as: root``): the program keeps
crack's user, and every other bound of crack's containment still holds."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import grade_json

from crack.challenge.loader import load_challenge_file
from crack.containment.sandbox import Containment, for_challenge
from crack.errors import ConfigError, CrackUsageError

TESTER = """
from crack.harness.failure import StageFailure
from crack.tester import Tester

tester = Tester("{slug}")


@tester.stage("who")
def who(h):
    result = h.run([])
    raise StageFailure("seen: " + result.stdout.decode())
"""

PROGRAM = """#!/bin/sh
echo "uid=$(id -u)"
echo "cgroup=$(grep -E ':(memory|pids):' /proc/self/cgroup | tr '\\n' ' ')"
"""

ROOT_SETTING = "containment:\n  run_as: root\n  reason: it makes namespaces and cgroups\n"

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="running a program as root needs crack to be root")


def _seen(make: Callable[..., Path], tmp_path: Path, yaml_extra: str) -> dict[str, str]:
    make("fake-rt", [{"slug": "who"}], TESTER.format(slug="fake-rt"), yaml_extra)
    program = tmp_path / "program"
    program.mkdir()
    script = program / "your_program.sh"
    script.write_text(PROGRAM)
    script.chmod(0o755)
    _, report = grade_json(program, "--all", challenge="fake-rt")
    message = report["stages"][0]["message"]
    assert "seen: " in message, message
    lines = message.split("seen: ", 1)[1].splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line)


@needs_root
def test_run_as_root_keeps_root_and_the_cgroup(fake_challenges: Callable[..., Path], tmp_path: Path) -> None:
    seen = _seen(fake_challenges, tmp_path, ROOT_SETTING)
    assert seen["uid"] == "0"
    # Still in a group of crack's own, so its memory and processes are bounded and it is
    # killed as a tree (where the machine has cgroups at all).
    from crack.containment import cgroups

    if cgroups.detect() is not None:
        assert "crack-" in seen["cgroup"], seen


@needs_root
def test_default_still_runs_as_the_unprivileged_user(
    fake_challenges: Callable[..., Path], tmp_path: Path
) -> None:
    from crack.containment.sandbox import default_user

    if default_user() is None:
        pytest.skip("no unprivileged user on this machine")
    seen = _seen(fake_challenges, tmp_path, "")
    assert seen["uid"] != "0"


def test_root_without_crack_being_root_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(CrackUsageError, match=r"it mounts things.*not running as root"):
        for_challenge(Containment(user="nobody"), "root", "it mounts things")
    assert for_challenge(Containment(user="nobody"), "sandbox").user == "nobody"


def test_run_as_root_must_say_why(fake_challenges: Callable[..., Path]) -> None:
    folder = fake_challenges(
        "fake-why", [{"slug": "who"}], TESTER.format(slug="fake-why"), "containment:\n  run_as: root\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_challenge_file(folder / "challenge.yaml")
    assert "containment" in str(caught.value.message) and "reason" in str(caught.value.message)


def test_unknown_run_as_names_the_field(fake_challenges: Callable[..., Path]) -> None:
    folder = fake_challenges(
        "fake-bad", [{"slug": "who"}], TESTER.format(slug="fake-bad"), "containment:\n  run_as: admin\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_challenge_file(folder / "challenge.yaml")
    assert "containment.run_as" in str(caught.value)
