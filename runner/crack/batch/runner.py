"""Running a batch: many :func:`grade_submission` calls, on local threads or a Dask cluster.

Either way the same function grades each submission (in a child process of whichever
machine runs it) and the entries come back as JSON data, in the order the submissions were
given. A thread per job is enough locally: each only waits on its child process.
"""

from __future__ import annotations

import importlib
import random
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

from crack.batch.sources import SubmissionSource, parse_source, unique_names
from crack.batch.worker import GRACE_S, GradeJob, grade_submission, not_graded, stop_all
from crack.challenge.model import Challenge, Stage
from crack.errors import CrackUsageError

BATCH_VERSION = 1

Entry = dict[str, Any]
OnDone = Callable[[Entry], None]


@dataclass(frozen=True)
class BatchPlan:
    challenge: Challenge
    stages: Sequence[Stage]
    sources: Sequence[SubmissionSource]
    seed: int
    run: str | None = None
    isolation: str = "none"
    jobs: int = 1
    dask: str | None = None

    @property
    def executor(self) -> str:
        return f"dask {self.dask}" if self.dask else f"local ({self.jobs} job{'s' if self.jobs != 1 else ''})"


def make_plan(
    challenge: Challenge,
    stages: Sequence[Stage],
    specs: Sequence[str],
    *,
    seed: int | None = None,
    run: str | None = None,
    isolation: str = "none",
    jobs: int = 1,
    dask: str | None = None,
) -> BatchPlan:
    if not specs:
        raise CrackUsageError("name at least one submission (a folder, an archive or a git URL)")
    from pathlib import Path

    sources = []
    for spec in specs:
        source = parse_source(spec)
        if Path(source.location).exists():
            # Workers may run elsewhere (Dask) or from another folder: absolute paths only.
            location = str(Path(source.location).resolve())
            source = SubmissionSource(spec, location, source.ref, source.kind, source.name)
        sources.append(source)
    return BatchPlan(
        challenge,
        list(stages),
        sources,
        seed if seed is not None else random.SystemRandom().randrange(1, 2**31),
        run,
        isolation,
        jobs,
        dask,
    )


def make_jobs(plan: BatchPlan) -> list[GradeJob]:
    slugs = tuple(stage.slug for stage in plan.stages)
    timeout = sum(stage.timeout for stage in plan.stages) * 1.5 + GRACE_S
    points = tuple((stage.slug, stage.worth) for stage in plan.stages)
    names = tuple((stage.slug, stage.name) for stage in plan.stages)
    return [
        GradeJob(
            source=source.location + (f"@{source.ref}" if source.ref else ""),
            name=name,
            challenge=plan.challenge.slug,
            stages=slugs,
            seed=plan.seed,
            run=plan.run,
            isolation=plan.isolation,
            timeout_s=timeout,
            points=points,
            names=names,
        )
        for source, name in zip(plan.sources, unique_names(list(plan.sources)), strict=True)
    ]


def _local(jobs: list[GradeJob], workers: int, on_done: OnDone) -> list[Entry]:
    results: list[Entry | None] = [None] * len(jobs)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="crack-grade")
    try:
        futures = {pool.submit(grade_submission, job): index for index, job in enumerate(jobs)}
        for future in as_completed(futures):
            index = futures[future]
            try:
                entry = future.result()
            except Exception as exc:  # a bug of ours in one grading must not lose the others
                entry = not_graded(jobs[index], f"internal error in crack: {type(exc).__name__}: {exc}")
            results[index] = entry
            on_done(entry)
    except KeyboardInterrupt:
        # Ctrl-C: drop the gradings not started, end the running ones, then let it propagate.
        pool.shutdown(wait=False, cancel_futures=True)
        stop_all()
        raise
    pool.shutdown()
    return [entry for entry in results if entry is not None]


def _dask(jobs: list[GradeJob], address: str, on_done: OnDone) -> list[Entry]:
    try:
        # distributed's API is untyped: hold the module as Any rather than sprinkle ignores.
        distributed: Any = importlib.import_module("distributed")
    except ImportError:
        raise CrackUsageError(
            "--dask needs Dask's distributed package: pip install 'crack[dask]' (or distributed)"
        ) from None
    try:
        client = distributed.Client(address, timeout=10, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise CrackUsageError(f"--dask: cannot reach the Dask scheduler at {address}: {exc}") from None
    results: list[Entry | None] = [None] * len(jobs)
    try:
        # pure=False: two identical jobs are two gradings, never one cached result.
        batch_id = uuid.uuid4().hex[:12]  # keys unique even when two batches share a cluster
        futures = client.map(
            grade_submission, jobs, pure=False, key=[f"crack-grade-{job.name}-{batch_id}" for job in jobs]
        )
        index_of = {future.key: index for index, future in enumerate(futures)}
        for future in distributed.as_completed(futures, loop=client.loop):
            index = index_of[future.key]
            try:
                entry: Entry = future.result()
            except Exception as exc:  # a worker died or the task failed: this submission only
                entry = not_graded(jobs[index], f"the Dask task failed: {type(exc).__name__}: {exc}")
            results[index] = entry
            on_done(entry)
    finally:
        client.close()
    return [entry for entry in results if entry is not None]


def run_batch(plan: BatchPlan, on_done: OnDone | None = None) -> dict[str, Any]:
    """Grade every submission of ``plan``; the batch report (crack/schemas/batch.schema.json)."""
    jobs = make_jobs(plan)
    started = time.monotonic()
    callback = on_done or (lambda entry: None)
    entries = _dask(jobs, plan.dask, callback) if plan.dask else _local(jobs, plan.jobs, callback)
    return {
        "version": BATCH_VERSION,
        "challenge": plan.challenge.slug,
        "stages": [stage.slug for stage in plan.stages],
        "seed": plan.seed,
        "isolation": plan.isolation,
        "executor": plan.executor,
        "duration_s": round(time.monotonic() - started, 3),
        "submissions": entries,
    }
