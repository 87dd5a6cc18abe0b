"""Which program to grade, and which stages, from the command line and the learner repo."""

from __future__ import annotations

import random
import shlex
from dataclasses import dataclass, replace
from pathlib import Path

from crack.challenge.loader import load_challenge
from crack.challenge.model import Challenge, Stage
from crack.errors import ConfigError, CrackError, CrackUsageError
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


def parse_command(command_line: str, cwd: Path, option: str, config: Path | None = None) -> ProgramSpec:
    """The program a command line names. Split as a shell would; a path with a space that was
    not quoted (``/tmp/my dir/prog.sh``: a ``/tmp/my`` that does not exist, and a
    ``/tmp/my dir/prog.sh`` that does) is answered with the command quoted, not with "not found"
    once the grading has started."""

    def fail(message: str) -> CrackError:
        if config is not None:
            return ConfigError(config, message, option)
        return CrackUsageError(f"{option}: {message}")

    try:
        program = ProgramSpec.parse(command_line, cwd)
    except ValueError as exc:  # shlex: an unbalanced quote
        raise fail(f"cannot split {command_line!r} into words: {str(exc).lower()}") from None
    if not program.command:
        raise fail("the command is empty")
    split = split_path(list(program.command), cwd)
    if split is not None:
        word, joined, fixed = split
        where = f'run: "{fixed}"' if config is not None else f'--run "{fixed}"'
        raise fail(
            f"'{word}' does not exist, but '{joined}' does: a path with spaces must be quoted "
            f"inside the command, as in {where}"
        )
    return program


def split_path(words: list[str], cwd: Path) -> tuple[str, str, str] | None:
    """A path that was cut at its spaces: (the missing first piece, the existing whole path,
    the command with that path quoted), or None."""
    for start, word in enumerate(words):
        if "/" not in word or (cwd / word).exists():
            continue
        for end in range(start + 2, len(words) + 1):
            joined = " ".join(words[start:end])
            if (cwd / joined).exists():
                return word, joined, shlex.join([*words[:start], joined, *words[end:]])
    return None


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
        if run:
            program = parse_command(run, repo.root, "--run")
        else:
            program = parse_command(repo.config.run, repo.root, "run", repo.config_path)
        build = build or repo.config.build
        program = replace(program, language=repo.config.language)
        current: str | None = repo.config.stage
    elif challenge_slug:
        challenge = load_challenge(challenge_slug)
        program = parse_command(run or DEFAULT_RUN, cwd, "--run")
        current = None
    else:
        raise CrackUsageError(
            "nothing to grade here: run this inside a learner repository (crack.yml), "
            "or name a challenge and a program: crack test --challenge redis --run CMD"
        )
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
