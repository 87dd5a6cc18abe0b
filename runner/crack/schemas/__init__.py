"""JSON Schemas of crack's machine reports, shipped in the wheel.

``report.schema.json`` describes ``crack test --format json``; ``batch.schema.json``
describes ``crack grade --format json`` and refers to the first for each submission.
Validating needs ``jsonschema`` (a dev dependency); reading the schemas does not.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

SCHEMAS = ("report", "batch")


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The parsed schema ``<name>.schema.json`` (``report`` or ``batch``)."""
    if name not in SCHEMAS:
        raise ValueError(f"no schema named {name!r} (known: {', '.join(SCHEMAS)})")
    text = resources.files(__package__).joinpath(f"{name}.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def schema_errors(document: Any, name: str = "report") -> list[str]:
    """Every way ``document`` breaks schema ``name``, as "path: message" lines (empty: valid).

    Raises ImportError when jsonschema is not installed.
    """
    import jsonschema
    from referencing import Registry, Resource

    registry: Registry[Any] = Registry().with_resources(
        (load_schema(n)["$id"], Resource.from_contents(load_schema(n))) for n in SCHEMAS
    )
    validator = jsonschema.Draft202012Validator(load_schema(name), registry=registry)
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(top)'}: {error.message}"
        for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    ]
