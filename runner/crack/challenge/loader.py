"""Finding and loading challenges, with errors that name the file and the field."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from crack.challenge import cache
from crack.challenge.model import Challenge
from crack.errors import ConfigError, CrackUsageError
from crack.paths import challenge_dirs

if TYPE_CHECKING:
    from pydantic import ValidationError


def read_yaml(path: Path) -> Any:
    """Parse a YAML file; a syntax error names the file, line and column."""
    return parse_yaml(path, read_config_bytes(path))


def read_config_bytes(path: Path) -> bytes:
    """The bytes of a file crack reads as configuration; an error names the file."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(path, "file not found") from None
    except OSError as exc:
        raise ConfigError(path, f"cannot be read: {exc}") from None
    return raw


def parse_yaml(path: Path, raw: bytes) -> Any:
    """Parse ``raw``, the bytes of ``path``; errors name the file, line and column."""
    import yaml  # only when a file is parsed: a cached challenge needs none of it

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ~10× faster
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(path, f"cannot be read: {exc}") from None
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(path, f"invalid YAML{where}: {problem}") from None


def field_path(loc: tuple[int | str, ...], data: Any) -> str:
    """Render a pydantic error location, naming list items by their slug when they have one.

    ``('stages', 3, 'timeout')`` becomes ``stages[3] (expiry).timeout``.
    """
    out = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("slug"), str):
                out += f" ({node['slug']})"
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out or "(top level)"


def validation_to_config_error(path: Path, exc: ValidationError, data: Any) -> ConfigError:
    first = exc.errors()[0]
    more = len(exc.errors()) - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return ConfigError(path, first["msg"] + suffix, field=field_path(first["loc"], data))


def load_challenge_file(path: Path) -> Challenge:
    """The challenge of ``path``, validated (or as an earlier run validated these very
    bytes: see :mod:`crack.challenge.cache`)."""
    raw = read_config_bytes(path)
    kept = cache.entry(path, raw)
    challenge = cache.load(kept) if kept is not None else None
    if challenge is None:
        challenge = _validate(path, raw)
        if kept is not None:
            cache.store(kept, challenge)
    elif challenge.directory != path.parent:  # the same file reached by another path
        challenge = challenge.model_copy(update={"directory": path.parent})
    _check_instructions(path, challenge)
    return challenge


def _validate(path: Path, raw: bytes) -> Challenge:
    from pydantic import ValidationError

    data = parse_yaml(path, raw)
    if not isinstance(data, dict):
        raise ConfigError(path, "expected a mapping at the top level")
    try:
        challenge = Challenge.model_validate(data)
    except ValidationError as exc:
        raise validation_to_config_error(path, exc, data) from None
    directory = path.parent
    if directory.name != challenge.slug:
        raise ConfigError(path, f"slug '{challenge.slug}' differs from its folder '{directory.name}'", "slug")
    return challenge.model_copy(update={"directory": directory})


def _check_instructions(path: Path, challenge: Challenge) -> None:
    """Every stage's instructions file exists: checked at every load, since files may go
    while challenge.yaml stays the same."""
    directory = path.parent
    for i, stage in enumerate(challenge.stages):
        if not (directory / stage.instructions_path).is_file():
            raise ConfigError(
                path,
                f"instructions file {stage.instructions_path} is missing",
                f"stages[{i}] ({stage.slug}).instructions_file",
            )


def find_challenge(slug: str) -> Path:
    """The folder of challenge ``slug``; an unknown slug lists the known ones."""
    for root in challenge_dirs():
        candidate = root / slug / "challenge.yaml"
        if candidate.is_file():
            return candidate.parent
    known = ", ".join(sorted(p.parent.name for p in _all_challenge_files())) or "none"
    raise CrackUsageError(f"no challenge named '{slug}' (known: {known})")


def load_challenge(slug: str) -> Challenge:
    return load_challenge_file(find_challenge(slug) / "challenge.yaml")


def _all_challenge_files() -> list[Path]:
    seen: dict[str, Path] = {}
    for root in challenge_dirs():
        if root.is_dir():
            for path in sorted(root.glob("*/challenge.yaml")):
                seen.setdefault(path.parent.name, path)
    return list(seen.values())


def list_challenges() -> list[Challenge]:
    return [load_challenge_file(path) for path in _all_challenge_files()]
