"""The shape of ``challenges/<slug>/challenge.yaml``.

Every model forbids unknown keys, so a typo in a field name is an error naming the field
rather than a setting silently ignored.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from crack.variants import LANGUAGES, Variant, for_language, missing_languages, pick

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_SLUG_RE = re.compile(SLUG_PATTERN)


class Difficulty(StrEnum):
    VERY_EASY = "very-easy"
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"

    @property
    def weight(self) -> int:
        """Points a stage of this difficulty is worth by default."""
        return {"very-easy": 1, "easy": 2, "medium": 3, "hard": 5}[self.value]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True)


class Rubric(StrEnum):
    """The interview rubric dimension a stage gives evidence for (see `crack interview`)."""

    CORRECTNESS = "correctness"
    COMPLEXITY = "complexity"
    EDGE_CASES = "edge-cases"


_NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Text = _NonEmpty | dict[str, _NonEmpty]
"""Learner-facing text in the YAML: one string, or one per language (see crack.variants)."""


class Concepts(_Strict):
    """What a stage teaches, in the three questions every stage answers."""

    pattern: Text = Field(description="What the system does at this step.")
    data_structure: Text = Field(description="What must be fast, and with what.")
    algorithm: Text = Field(description="The core logic of the step.")

    def for_language(self, language: str) -> Concepts:
        """The three answers as a learner of ``language`` reads them."""
        return Concepts(
            pattern=pick(self.pattern, language),
            data_structure=pick(self.data_structure, language),
            algorithm=pick(self.algorithm, language),
        )


class Stage(_Strict):
    slug: str = Field(pattern=SLUG_PATTERN)
    name: str = Field(min_length=1)
    difficulty: Difficulty
    timeout: float = Field(default=15.0, gt=0, le=600, description="Seconds for the stage.")
    concepts: Concepts
    hints: list[Text] = Field(min_length=1, description="Revealed one layer at a time.")
    interview: list[Text] = Field(min_length=1, description="What an interviewer asks.")
    instructions_file: str | None = Field(
        default=None, description="Markdown beside the YAML; default stages/<slug>.md."
    )
    points: int | None = Field(
        default=None, ge=0, le=1000, description="What the stage is worth; default: its difficulty's weight."
    )
    rubric: Rubric = Field(
        default=Rubric.CORRECTNESS,
        description="What passing it shows an interviewer: correctness, complexity or edge cases.",
    )

    def hints_for(self, language: str) -> list[str]:
        return [pick(hint, language) for hint in self.hints]

    def interview_for(self, language: str) -> list[str]:
        return [pick(question, language) for question in self.interview]

    def texts(self) -> dict[str, Variant]:
        """Every piece of learner-facing text of the stage, by the field it comes from."""
        out: dict[str, Variant] = {}
        for name in ("pattern", "data_structure", "algorithm"):
            out[f"concepts.{name}"] = getattr(self.concepts, name)
        for field in ("hints", "interview"):
            for index, value in enumerate(getattr(self, field)):
                out[f"{field}[{index}]"] = value
        return out

    @property
    def instructions_path(self) -> str:
        return self.instructions_file or f"stages/{self.slug}.md"

    @property
    def worth(self) -> int:
        """Points for passing the stage, as reports (JSON, Gradescope, HTML) count them."""
        return self.points if self.points is not None else self.difficulty.weight


class Oracle(_Strict):
    """The real implementation that must pass every stage: the tester checks reality.

    ``command`` is run like a learner's program, with the tester's arguments appended;
    ``{challenge_dir}`` in it stands for the challenge's folder, so an adapter script there
    can map the tester's arguments onto the real system (a generated config, say), and
    ``{python}`` for the interpreter running crack, for an oracle that is a Python library
    (cachetools, limits) installed beside crack.
    """

    command: str = Field(min_length=1)
    requires: list[str] = Field(default_factory=list, description="Executables it needs on PATH.")
    install: str = Field(min_length=1, description="How to install what it requires.")
    stages: list[str] | None = Field(
        default=None,
        description="The stages the real system can take part in (default: every stage). A "
        "stage it cannot take part in (its nodes speak their own protocol, so the tester cannot "
        "route their messages) is proven by the reference and the scenarios alone.",
    )

    def takes_part_in(self, stage: str) -> bool:
        return self.stages is None or stage in self.stages

    def command_for(self, challenge_dir: Path) -> str:
        import shlex
        import sys

        return self.command.replace("{challenge_dir}", str(challenge_dir)).replace(
            "{python}", shlex.quote(sys.executable)
        )

    def missing(self) -> list[str]:
        import shutil

        return [name for name in self.requires if shutil.which(name) is None]


class RunAs(StrEnum):
    SANDBOX = "sandbox"
    ROOT = "root"


class ProgramContainment(_Strict):
    """How a challenge needs its learners' programs contained, when the default does not fit.

    A container runtime must be root to make namespaces, mount filesystems and write
    cgroups, so its challenge says ``run_as: root``: the program keeps crack's user (root)
    instead of the unprivileged one, and stays in every other bound (its cgroup, limits,
    reduced environment, the tree killed after each stage). ``reason`` is what a learner
    reads when the grading cannot give it that (crack not running as root).
    """

    run_as: RunAs = Field(default=RunAs.SANDBOX, description="sandbox (the default user) or root.")
    reason: str | None = Field(default=None, description="Why the program needs what it asks for.")

    @model_validator(mode="after")
    def _root_says_why(self) -> ProgramContainment:
        if self.run_as is RunAs.ROOT and not self.reason:
            raise ValueError("run_as: root needs a reason, which learners read when crack is not root")
        return self


class Challenge(_Strict):
    slug: str = Field(pattern=SLUG_PATTERN)
    name: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    difficulty: Difficulty
    languages: list[str] = Field(default_factory=lambda: ["python"], min_length=1)
    reference_language: str = Field(
        default="",
        description="The language every stage has a reference in: shown to learners whose own "
        "language has none yet, and the default language of scenarios built on the reference. "
        "By default Python, or the first of `languages` for a challenge not taken in Python.",
    )
    starter_variants: dict[str, str] = Field(
        default_factory=dict,
        description="Starters in another form of one of languages, by name: the language each is "
        "run as. `crack start --lang typescript` gives starter/typescript/, and the repository is "
        "built and run as the named language (its descriptor, its pages).",
    )
    oracle: Oracle | None = None
    containment: ProgramContainment = Field(default_factory=ProgramContainment)
    stages: list[Stage] = Field(min_length=1)

    # Set by the loader, not by the YAML.
    directory: Path = Field(default=Path("."), exclude=True)

    @field_validator("languages")
    @classmethod
    def _languages_are_slugs(cls, value: list[str]) -> list[str]:
        bad = [lang for lang in value if not _SLUG_RE.match(lang)]
        if bad:
            raise ValueError(f"not a language name: {', '.join(bad)}")
        return value

    @model_validator(mode="after")
    def _reference_language_is_taught(self) -> Challenge:
        if not self.reference_language:
            default = "python" if "python" in self.languages else self.languages[0]
            object.__setattr__(self, "reference_language", default)  # frozen: set once, here
        elif self.reference_language not in self.languages:
            raise ValueError(
                f"reference_language '{self.reference_language}' is not one of languages "
                f"({', '.join(self.languages)})"
            )
        return self

    @model_validator(mode="after")
    def _starter_variants_are_of_its_languages(self) -> Challenge:
        for variant, language in self.starter_variants.items():
            if not _SLUG_RE.match(variant):
                raise ValueError(f"starter_variants: '{variant}' is not a name for a starter")
            if variant in self.languages:
                raise ValueError(f"starter_variants: '{variant}' is one of languages already")
            if language not in self.languages:
                raise ValueError(
                    f"starter_variants: {variant} is run as '{language}', which is not one of "
                    f"languages ({', '.join(self.languages)})"
                )
        return self

    def language_of(self, starter: str) -> str:
        """The language a starter is run as: itself, or the language of a starter variant."""
        return self.starter_variants.get(starter, starter)

    @model_validator(mode="after")
    def _variants_cover_languages(self) -> Challenge:
        """A text given per language must be given for every language of the challenge."""
        for stage in self.stages:
            for field, value in stage.texts().items():
                if isinstance(value, str):
                    continue
                unknown = [lang for lang in value if lang not in LANGUAGES]
                if unknown:
                    raise ValueError(
                        f"stage '{stage.slug}', {field}: {', '.join(unknown)} is not a language "
                        f"(known: {', '.join(LANGUAGES)})"
                    )
                missing = missing_languages(value, self.languages)
                if missing:
                    raise ValueError(
                        f"stage '{stage.slug}', {field}: no text for {', '.join(missing)} "
                        "(a text given per language needs every language of the challenge)"
                    )
        return self

    @model_validator(mode="after")
    def _oracle_stages_exist(self) -> Challenge:
        if self.oracle is not None and self.oracle.stages is not None:
            unknown = [slug for slug in self.oracle.stages if slug not in self.stage_slugs]
            if unknown:
                raise ValueError(f"oracle.stages: {', '.join(unknown)} is not a stage of this challenge")
        return self

    @model_validator(mode="after")
    def _stage_slugs_unique(self) -> Challenge:
        seen: set[str] = set()
        for stage in self.stages:
            if stage.slug in seen:
                raise ValueError(f"stage slug '{stage.slug}' appears twice")
            seen.add(stage.slug)
        return self

    @property
    def stage_slugs(self) -> list[str]:
        return [s.slug for s in self.stages]

    def stage(self, slug: str) -> Stage:
        for stage in self.stages:
            if stage.slug == slug:
                return stage
        raise KeyError(slug)

    def index_of(self, slug: str) -> int:
        return self.stage_slugs.index(slug)

    def stage_number(self, slug: str) -> int:
        """1-based position, as learners count stages."""
        return self.index_of(slug) + 1

    def instructions(self, stage: Stage, language: str | None = None) -> str:
        """The stage's page; with ``language``, as a learner of it reads it (only their
        language's variants, see crack.variants)."""
        text = (self.directory / stage.instructions_path).read_text(encoding="utf-8")
        return text if language is None else for_language(text, language)
