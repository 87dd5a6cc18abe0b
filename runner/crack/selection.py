"""Which program to grade, and which stages, from the command line and the learner repo."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from pathlib import Path

from crack.challenge.loader import load_challenge
from crack.challenge.model import Challenge, Stage
from crack.errors import CrackUsageError
from crack.harness.process import ProgramSpec
from crack.learner import DEFAULT_RUN, LearnerRepo, locate
from crack.stage_names import find_stage


@dataclass
class Selection:
    challenge: Challenge
    program: ProgramSpec
    stages: list[Stage]
    repo: LearnerRepo | None
    seed: int


def choose_stages(
    challenge: Challenge, *, all_stages: bool, until: str | None, only: str | None, current: str | None
) -> list[Stage]:
    picked = sum(bool(x) for x in (all_stages, until, only))
    if picked > 1:
        raise CrackUsageError("choose one of --all, --until and --stage")
    if only:
        return [find_stage(challenge, only, "--stage")]
    if until:
        index = challenge.index_of(find_stage(challenge, until, "--until").slug)
        return list(challenge.stages[: index + 1])
    if all_stages or current is None:
        return list(challenge.stages)
    # A learner's default: the current stage first (the news), then every earlier one.
    index = challenge.index_of(current)
    return [challenge.stages[index], *challenge.stages[:index]]


def resolve(
    *,
    challenge_slug: str | None,
    run: str | None,
    all_stages: bool,
    until: str | None,
    only: str | None,
    seed: int | None,
    cwd: Path | None = None,
    build: str | None = None,
) -> Selection:
    cwd = (cwd or Path.cwd()).resolve()
    repo = None if challenge_slug else locate(cwd)
    if repo is not None:
        challenge = repo.challenge
        program = ProgramSpec.parse(run or repo.config.run, repo.root)
        build = build or repo.config.build
        current: str | None = repo.config.stage
    elif challenge_slug:
        challenge = load_challenge(challenge_slug)
        program = ProgramSpec.parse(run or DEFAULT_RUN, cwd)
        current = None
    else:
        raise CrackUsageError(
            "nothing to grade here: run this inside a learner repository (crack.yml), "
            "or name a challenge and a program: crack test --challenge redis --run CMD"
        )
    if not program.command:
        raise CrackUsageError("--run: the command is empty")
    if build:
        program = replace(program, build=build)
    stages = choose_stages(challenge, all_stages=all_stages, until=until, only=only, current=current)
    return Selection(
        challenge,
        program,
        stages,
        repo,
        seed if seed is not None else random.SystemRandom().randrange(1, 2**31),
    )
