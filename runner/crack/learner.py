"""A learner's repository: ``crack.yml`` (what to grade) and ``.crack/progress.json``.

``crack.yml`` is the learner's to edit: the challenge, the current stage and the command
that runs their program. The progress file records what crack has seen: the furthest stage
unlocked, when each stage first passed, how many hints were revealed. Both are written
atomically; a file that cannot be read is reported with its field and never overwritten,
so nothing is lost. ``crack.yml`` is edited in place, key by key (ruamel.yaml's round trip),
so the learner's comments, key order and blank lines survive ``crack next``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, ValidationError

from crack.challenge.loader import load_challenge, read_yaml, validation_to_config_error
from crack.challenge.model import SLUG_PATTERN, Challenge
from crack.errors import ConfigError, CrackUsageError
from crack.fileio import atomic_write_texts

CONFIG_NAME = "crack.yml"
PROGRESS_PATH = Path(".crack") / "progress.json"
PROGRESS_VERSION = 1
DEFAULT_RUN = "./your_program.sh"


class RepoConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    challenge: str = Field(pattern=SLUG_PATTERN)
    stage: str = Field(pattern=SLUG_PATTERN)
    run: str = Field(default=DEFAULT_RUN, min_length=1)
    language: str = "python"
    build: str | None = Field(default=None, min_length=1)
    """Run once before grading, in the repository (compiled languages); see crack.build."""
    isolation: Literal["none", "namespace", "docker"] = "none"
    """How `crack test` contains the program when --isolation is not given."""


class Progress(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    version: int = PROGRESS_VERSION
    unlocked: str = Field(pattern=SLUG_PATTERN)
    passed: dict[str, datetime] = Field(default_factory=dict)
    hints_revealed: dict[str, NonNegativeInt] = Field(default_factory=dict)


_CONFIG_HEADER = """\
# crack learner repository.
#   challenge: the system you are building (see `crack list`)
#   stage:     the stage `crack test` grades first (advanced by `crack next`)
#   run:       the command that starts your program; the tester appends its arguments
#   build:     the command that compiles your program, run once before grading
#   isolation: none | namespace | docker, how `crack test` contains your program
"""


@dataclass
class LearnerRepo:
    root: Path
    config: RepoConfig
    progress: Progress
    challenge: Challenge
    _saved_config: RepoConfig = field(init=False, repr=False)
    """The config as crack.yml holds it: save() edits only the fields that differ."""

    def __post_init__(self) -> None:
        self._saved_config = self.config.model_copy()

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def progress_path(self) -> Path:
        return self.root / PROGRESS_PATH

    # --- reading -------------------------------------------------------------------------
    @staticmethod
    def find_root(start: Path) -> Path | None:
        for directory in [start, *start.parents]:
            if (directory / CONFIG_NAME).is_file():
                return directory
        return None

    @classmethod
    def load(cls, root: Path) -> LearnerRepo:
        config_path = root / CONFIG_NAME
        data = read_yaml(config_path)
        if not isinstance(data, dict):
            raise ConfigError(config_path, "expected a mapping with challenge, stage and run")
        try:
            config = RepoConfig.model_validate(data)
        except ValidationError as exc:
            raise validation_to_config_error(config_path, exc, data) from None
        _check_language(config_path, config.language)
        try:
            challenge = load_challenge(config.challenge)
        except CrackUsageError as exc:
            raise ConfigError(config_path, exc.message, "challenge") from None
        progress = cls._load_progress(root / PROGRESS_PATH, challenge, config)
        repo = cls(root, config, progress, challenge)
        repo._check_stage_names()
        return repo

    @staticmethod
    def _load_progress(path: Path, challenge: Challenge, config: RepoConfig) -> Progress:
        keep = " (crack left it untouched: fix it, or delete it to start your progress over)"
        if path.parent.exists() and not path.parent.is_dir():
            raise ConfigError(
                path.parent,
                "is a file, but crack keeps your progress in a folder of that name: "
                "move the file away (crack left it untouched)",
            )
        if not path.exists():
            return Progress(unlocked=config.stage)
        try:
            data: Any = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ConfigError(
                path, f"not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}{keep}"
            ) from None
        except RecursionError:
            raise ConfigError(path, f"nested too deeply to be a progress file{keep}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(path, f"cannot be read: {_os_reason(exc)}{keep}") from None
        if not isinstance(data, dict):
            raise ConfigError(path, f"expected a JSON object{keep}")
        try:
            progress = Progress.model_validate(data)
        except ValidationError as exc:
            error = validation_to_config_error(path, exc, data)
            raise ConfigError(path, f"{exc.errors()[0]['msg']}{keep}", error.field) from None
        if progress.version != PROGRESS_VERSION:
            raise ConfigError(path, f"version {progress.version} is not supported{keep}", "version")
        slugs = challenge.stage_slugs
        if progress.unlocked not in slugs:
            raise ConfigError(
                path, f"'{progress.unlocked}' is not a stage of {challenge.slug}{keep}", "unlocked"
            )
        for name, stages in (("passed", progress.passed), ("hints_revealed", progress.hints_revealed)):
            unknown = [slug for slug in stages if slug not in slugs]
            if unknown:
                raise ConfigError(
                    path, f"'{unknown[0]}' is not a stage of {challenge.slug}{keep}", f"{name}.{unknown[0]}"
                )
        return progress

    def _check_stage_names(self) -> None:
        slugs = self.challenge.stage_slugs
        if self.config.stage not in slugs:
            raise ConfigError(
                self.config_path,
                f"'{self.config.stage}' is not a stage of {self.challenge.slug} (stages: {', '.join(slugs)})",
                "stage",
            )
        if self.challenge.index_of(self.config.stage) > self.challenge.index_of(self.progress.unlocked):
            raise ConfigError(
                self.config_path,
                f"stage '{self.config.stage}' is still locked; the furthest unlocked stage is "
                f"'{self.progress.unlocked}' (pass it, then run `crack next`)",
                "stage",
            )

    # --- questions -----------------------------------------------------------------------
    @property
    def current_index(self) -> int:
        return self.challenge.index_of(self.config.stage)

    def has_passed(self, slug: str) -> bool:
        return slug in self.progress.passed

    def is_unlocked(self, slug: str) -> bool:
        return self.challenge.index_of(slug) <= self.challenge.index_of(self.progress.unlocked)

    # --- writing -------------------------------------------------------------------------
    def save(self) -> None:
        """Write progress and the fields of the config that changed (the stage, after
        `crack next`) together: if either cannot be written, neither changes. A config
        nothing changed is not rewritten at all."""
        files = [(self.progress_path, self.progress.model_dump_json(indent=2) + "\n")]
        if not self.config_path.exists():
            import yaml

            body = yaml.safe_dump(
                self.config.model_dump(exclude_none=True), sort_keys=False, allow_unicode=True
            )
            files.append((self.config_path, _CONFIG_HEADER + body))
        else:
            changed = {
                key: value
                for key, value in self.config.model_dump().items()
                if value != getattr(self._saved_config, key)
            }
            if changed:
                files.append((self.config_path, _edited_config(self.config_path, changed)))
        _write(files)
        self._saved_config = self.config.model_copy()

    def record_passes(self, slugs: list[str]) -> None:
        now = datetime.now(UTC)
        for slug in slugs:
            self.progress.passed.setdefault(slug, now)

    def advance(self) -> str | None:
        """Unlock the stage after the current one and make it current. None at the end."""
        nxt = self.current_index + 1
        if nxt >= len(self.challenge.stages):
            return None
        slug = self.challenge.stages[nxt].slug
        if self.challenge.index_of(self.progress.unlocked) < nxt:
            self.progress.unlocked = slug
        self.config.stage = slug
        return slug

    @classmethod
    def create(
        cls,
        root: Path,
        challenge: Challenge,
        language: str,
        *,
        run: str = DEFAULT_RUN,
        build: str | None = None,
    ) -> LearnerRepo:
        first = challenge.stages[0].slug
        repo = cls(
            root,
            RepoConfig(challenge=challenge.slug, stage=first, language=language, run=run, build=build),
            Progress(unlocked=first),
            challenge,
        )
        repo.save()
        return repo


def _check_language(config_path: Path, language: str) -> None:
    from crack.languages import language_slugs

    known = language_slugs()
    if known and language not in known:
        raise ConfigError(
            config_path, f"unknown language '{language}' (crack knows: {', '.join(known)})", "language"
        )


def _os_reason(exc: BaseException) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)


def _write(files: list[tuple[Path, str]]) -> None:
    """Write the repository's files, all or none; a file system that refuses names the file."""
    try:
        atomic_write_texts(files)
    except OSError as exc:
        culprit = Path(exc.filename) if exc.filename else None
        path = next(
            (
                target
                for target, _ in files
                if culprit in (target, target.parent) or (culprit and culprit.parent == target.parent)
            ),
            files[0][0],
        )
        if path.parent.exists() and not path.parent.is_dir():
            raise ConfigError(
                path.parent,
                "is a file, but crack keeps your progress in a folder of that name: "
                "move the file away (nothing was changed)",
            ) from None
        raise ConfigError(
            path,
            f"cannot be written ({_os_reason(exc)}): crack needs to write in {path.parent}; "
            "nothing was changed",
        ) from None


def _edited_config(path: Path, changes: dict[str, Any]) -> str:
    """crack.yml with ``changes`` set, and everything else as the learner wrote it.

    A value that replaces a one-line scalar (the stage, after `crack next`) is written over
    that scalar alone, in its quoting: every other byte stays (comments, spacing, line
    endings, ``---``). Anything else goes through ruamel.yaml's round trip, which keeps
    comments, key order and blank lines."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long `run:` line the learner kept on one
    try:
        text = path.read_bytes().decode("utf-8")  # bytes: "\r\n" endings are kept as they are
        root = yaml.compose(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, f"cannot be read: {_os_reason(exc)}") from None
    except YAMLError as exc:
        raise ConfigError(path, f"invalid YAML: {exc}") from None
    spans = _scalar_spans(root, changes)
    if spans is not None:
        for begin, end, replacement in sorted(spans, reverse=True):
            text = text[:begin] + replacement + text[end:]
        return text
    return _round_trip(yaml, text, changes, path)


_PLAIN_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")
"""Values written in place: the same in any quoting (a stage slug, say)."""


def _scalar_spans(root: Any, changes: dict[str, Any]) -> list[tuple[int, int, str]] | None:
    """Where each changed value sits in the text, with what replaces it; None when one of
    them cannot be replaced in place (a new key, a removal, a value spanning lines)."""
    from ruamel.yaml.nodes import MappingNode, ScalarNode

    if not isinstance(root, MappingNode):
        return None
    values = {key.value: value for key, value in root.value if isinstance(key, ScalarNode)}
    spans = []
    for key, new in changes.items():
        node = values.get(key)
        if not isinstance(new, str) or not _PLAIN_SAFE.fullmatch(new) or not isinstance(node, ScalarNode):
            return None
        if node.start_mark.line != node.end_mark.line or node.style not in (None, "'", '"'):
            return None
        quote = node.style or ""
        spans.append((node.start_mark.index, node.end_mark.index, f"{quote}{new}{quote}"))
    return spans


def _round_trip(yaml: Any, text: str, changes: dict[str, Any], path: Path) -> str:
    import io

    data = yaml.load(text)
    if not isinstance(data, dict):
        raise ConfigError(path, "expected a mapping with challenge, stage and run")
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def locate(start: Path | None = None) -> LearnerRepo | None:
    root = LearnerRepo.find_root((start or Path.cwd()).resolve())
    return LearnerRepo.load(root) if root else None


def require(start: Path | None = None) -> LearnerRepo:
    repo = locate(start)
    if repo is None:
        raise CrackUsageError(
            "this is not a crack learner repository (no crack.yml here or above). "
            "Start one with `crack start <challenge> <dir>`."
        )
    return repo
