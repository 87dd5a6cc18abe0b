"""The rest-api challenge's tester: one function per stage slug of challenge.yaml.

The program is started as ``--port N --data-dir D --jwt-secret S`` and driven through its
JSON API with httpx (the first request of all over a plain socket, cut into pieces). No
packaged server implements this API: the oracle is a reference built on FastAPI
(``oracle/app.py``), and the last stage runs schemathesis with crack's OpenAPI document
(``openapi.yaml``, published on that stage's page).

- ``api``: the httpx client, each exchange logged, transport problems in plain words.
- ``common``: the ``Tester``, starting the program, the checks of a task and of an error.
- the stages, in order: ``crud`` (create-read, update-delete, validation, methods),
  ``paging`` (pagination, filter-sort), ``auth`` (login, tokens, ownership),
  ``conditional`` (ETags), ``fuzz`` (property-based).
"""

from __future__ import annotations

# Importing the stage modules registers their functions on ``tester``.
from .auth import login_stage, ownership, tokens
from .common import tester
from .conditional import conditional_requests
from .crud import create_read, methods, update_delete, validation
from .fuzz import property_based
from .paging import filter_sort, pagination

__all__ = [
    "conditional_requests",
    "create_read",
    "filter_sort",
    "login_stage",
    "methods",
    "ownership",
    "pagination",
    "property_based",
    "tester",
    "tokens",
    "update_delete",
    "validation",
]
