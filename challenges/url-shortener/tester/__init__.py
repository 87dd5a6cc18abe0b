"""The url-shortener challenge's tester: one function per stage slug of challenge.yaml.

The program is started as ``--port N --data-dir D`` and driven through its JSON API with
httpx, redirects off. No packaged shortener implements this API, so there is no oracle:
the checks are HTTP's semantics (RFC 9110: 201 Created with Location, 302 Found, 404,
409, 410 Gone, 422) and the API the stage pages define, and the reference solution must
pass them all. Time-based checks run on a logical clock sent as ``X-Now-Ms``.

- ``api``: the httpx client, each exchange logged, transport problems in plain words.
- ``common``: the ``Tester``, starting and SIGKILLing the program, the shared checks.
- the stages, in order: ``basics`` (create, redirect, validation), ``links`` (idempotency,
  custom-alias), ``durability`` (persistence, concurrency), ``expiry``, ``stats``.
"""

from __future__ import annotations

# Importing the stage modules registers their functions on ``tester``.
from .basics import create, redirect, validation
from .common import tester
from .durability import concurrency, persistence
from .expiry import expiry
from .links import custom_alias, idempotency
from .stats import click_counts

__all__ = [
    "click_counts",
    "concurrency",
    "create",
    "custom_alias",
    "expiry",
    "idempotency",
    "persistence",
    "redirect",
    "tester",
    "validation",
]
