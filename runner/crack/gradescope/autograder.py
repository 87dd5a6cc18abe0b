"""What ``run_autograder`` runs inside Gradescope's container, for one submission.

It grades ``ROOT/submission`` with the same function ``crack grade`` uses (a copy of the
submission, a child ``crack test``), then writes ``ROOT/results/results.json`` in
Gradescope's format. Whatever happens — a submission with no run script, a grading that
hangs, a bug of ours — a results.json is written saying so, because without one Gradescope
shows the student only "The autograder failed to execute correctly".
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import traceback
from pathlib import Path
from typing import Any

from crack.fileio import atomic_write_text


def _fallback(message: str) -> dict[str, Any]:
    return {"score": 0, "output": message, "visibility": "visible", "tests": []}


def _program_folder(submission: Path) -> Path:
    """The submission, or the one folder inside it when a student uploaded their folder whole."""
    if not submission.is_dir() or any(
        (submission / name).exists() for name in ("crack.yml", "your_program.sh")
    ):
        return submission
    entries = [entry for entry in submission.iterdir() if not entry.name.startswith(".")]
    return entries[0] if len(entries) == 1 and entries[0].is_dir() else submission


def grade(root: Path, config: dict[str, Any]) -> dict[str, Any]:
    from crack.batch.worker import GRACE_S, GradeJob, grade_submission
    from crack.challenge import load_challenge
    from crack.reporters.gradescope import gradescope_results

    challenge = load_challenge(config["challenge"])
    stages = [challenge.stage(slug) for slug in config["stages"]]
    job = GradeJob(
        source=str(_program_folder(root / "submission")),
        name="submission",
        challenge=challenge.slug,
        stages=tuple(stage.slug for stage in stages),
        seed=int(config.get("seed") or random.SystemRandom().randrange(1, 2**31)),
        run=config.get("run"),
        timeout_s=sum(stage.timeout for stage in stages) * 1.5 + GRACE_S,
        points=tuple((stage.slug, stage.worth) for stage in stages),
        names=tuple((stage.slug, stage.name) for stage in stages),
    )
    entry = grade_submission(job)
    results = gradescope_results(entry)
    if entry["error"]:
        results["output"] = f"crack could not grade your submission: {entry['error']}"
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="run_autograder", description=__doc__)
    parser.add_argument("--root", type=Path, default=Path("/autograder"))
    parser.add_argument("--config", type=Path, required=True)
    args = parser.parse_args(argv)
    results_path = args.root / "results" / "results.json"
    code = 0
    try:
        config = json.loads(args.config.read_text(encoding="utf-8"))
        results = grade(args.root, config)
    except Exception as exc:
        detail = traceback.format_exc()
        print(detail, file=sys.stderr)
        results = _fallback(
            f"internal error in crack's autograder (not your fault; tell your instructor): "
            f"{type(exc).__name__}: {exc}"
        )
        code = 3
    atomic_write_text(results_path, json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return code


if __name__ == "__main__":
    sys.exit(main())
