"""Every language under ``--isolation docker``: the image of its template builds, and the
verdicts are the ones the machine itself gives (the starter fails stage 1 with the same
message, the stage-1 solution passes it).

Needs a Docker engine and the base image (``scripts/docker-setup.sh``, run by ``make
test``); skips with the reason otherwise. Each language's image is built once (apt inside
the build); the build of the learner's program runs in the container, with the toolchain
of the image, not the machine's.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import docker_problem
from test_languages import LANGUAGES, grade, put_solution, start_repo


def _same_words(message: str) -> str:
    """A verdict with its port numbers and timings blanked: what must match across modes."""
    return re.sub(r"\d+(\.\d+)?", "N", message.split("\nHint:")[0])


@pytest.mark.parametrize("language", LANGUAGES)
def test_docker_gives_the_same_verdicts(language: str, tmp_path: Path) -> None:
    if (problem := docker_problem(language)) is not None:
        pytest.skip(f"no docker image for {language}: {problem}")
    repo = start_repo(tmp_path, language)
    _, here = grade(repo, "--stage", "bind")
    result, inside = grade(repo, "--stage", "bind", "--isolation", "docker")
    assert inside["isolation"] == "docker"
    first_here, first_inside = here["stages"][0], inside["stages"][0]
    assert first_inside["status"] == first_here["status"] == "failed", result.output
    assert _same_words(first_inside["message"]) == _same_words(first_here["message"])

    put_solution(language, repo)
    result, inside = grade(repo, "--stage", "bind", "--isolation", "docker")
    assert inside["stages"][0]["status"] == "passed", result.output
