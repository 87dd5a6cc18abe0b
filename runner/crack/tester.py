"""The static side of a challenge's tests: stage slug → stage function.

A challenge's ``tester/__init__.py`` creates one :class:`Tester` and registers a function
per stage slug::

    tester = Tester("redis")

    @tester.stage("ping")
    def ping(h: Harness) -> None:
        ...

The slug is the join between YAML and code; :func:`check_slugs` guards it both ways.
"""

from __future__ import annotations

import importlib.util
import sys
import types
from collections.abc import Callable
from pathlib import Path

from crack.challenge.model import Challenge
from crack.errors import ConfigError
from crack.harness.harness import Harness

StageFunction = Callable[[Harness], None]


class Tester:
    def __init__(
        self, challenge_slug: str, *, warm_imports: tuple[str, ...] = (), overlap_stages: bool = False
    ) -> None:
        """``warm_imports``: heavy modules later stages import (a client library, say).

        The grading loop imports them in a background thread while the first stages run,
        which mostly wait on the learner's program, so no stage pays for the import.

        ``overlap_stages``: every stage runs its program through ``Harness.run_cases`` only,
        and shares nothing with another stage (a one-shot challenge). The next stage may
        then start on the cores the last cases of a stage leave idle; reports and logs are
        still those of one stage after the other (see :mod:`crack.stage_overlap`).
        """
        self.challenge_slug = challenge_slug
        self.stages: dict[str, StageFunction] = {}
        self.warm_imports = warm_imports
        self.overlap_stages = overlap_stages

    def stage(self, slug: str) -> Callable[[StageFunction], StageFunction]:
        def register(function: StageFunction) -> StageFunction:
            if slug in self.stages:
                raise ValueError(f"stage '{slug}' is registered twice")
            self.stages[slug] = function
            return function

        return register


def load_tester(challenge: Challenge) -> Tester:
    """Import ``<challenge dir>/tester`` as a package and return its ``tester`` object."""
    package_dir = challenge.directory / "tester"
    init = package_dir / "__init__.py"
    if not init.is_file():
        raise ConfigError(init, "the challenge has no tester module")
    parent = f"crack_challenges.{challenge.slug.replace('-', '_')}"
    module_name = f"{parent}.tester"
    # The parent packages exist only so the tester's relative imports resolve.
    for name in ("crack_challenges", parent):
        sys.modules.setdefault(name, types.ModuleType(name))
    module = sys.modules.get(module_name)
    if module is None or Path(getattr(module, "__file__", "")) != init:
        spec = importlib.util.spec_from_file_location(
            module_name, init, submodule_search_locations=[str(package_dir)]
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except Exception:
            del sys.modules[module_name]
            raise
    tester = getattr(module, "tester", None)
    if not isinstance(tester, Tester):
        raise ConfigError(init, "must define `tester = Tester(...)`", "tester")
    return tester


def check_slugs(challenge: Challenge, tester: Tester) -> list[str]:
    """Problems with the YAML ↔ tester join; empty when both name the same stages."""
    in_yaml = set(challenge.stage_slugs)
    in_code = set(tester.stages)
    problems = [
        f"stage '{s}' is in challenge.yaml but has no tester function" for s in sorted(in_yaml - in_code)
    ]
    problems += [
        f"tester function for '{s}' has no stage in challenge.yaml" for s in sorted(in_code - in_yaml)
    ]
    if tester.challenge_slug != challenge.slug:
        problems.append(f"tester is for '{tester.challenge_slug}', not '{challenge.slug}'")
    return problems
