"""Batch grading: ``crack grade SUBMISSION... --challenge X``.

- :mod:`crack.batch.sources` — what a submission is (folder, archive, git) and getting its files;
- :mod:`crack.batch.worker` — grading one submission in a child process (the Dask task);
- :mod:`crack.batch.runner` — running them all, on local threads or a Dask cluster;
- :mod:`crack.batch.summary` — the terminal table and CSV; HTML and JUnit live in
  :mod:`crack.reporters`, beside the single-run formats.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

BATCH_FORMATS = ("text", "csv", "json", "junit", "html")


def batch_renderer(fmt: str) -> Callable[[Mapping[str, Any]], str]:
    """The function turning a batch report into ``fmt``."""
    from crack.batch.summary import render_csv, render_text
    from crack.errors import CrackUsageError
    from crack.reporters.html import render_html
    from crack.reporters.junit import render_junit_batch

    renderers: dict[str, Callable[[Mapping[str, Any]], str]] = {
        "text": render_text,
        "csv": render_csv,
        "json": lambda batch: json.dumps(batch, indent=2, ensure_ascii=False) + "\n",
        "junit": render_junit_batch,
        "html": render_html,
    }
    if fmt not in renderers:
        raise CrackUsageError(f"unknown batch format '{fmt}' (choose from {', '.join(renderers)})")
    return renderers[fmt]
