"""Stage 11: schemathesis checks the whole API against crack's OpenAPI document.

schemathesis generates requests from ``openapi.yaml`` (the document the stage page
publishes): valid ones, invalid ones that must be refused, and sequences that follow the
document's links (create, then read, change and delete what was created). Its run is
seeded from the grading's seed, one worker, so ``--seed`` replays the same requests.
The tester registers a user and signs a token for it, which schemathesis sends as the
bearer credentials (and leaves out or spoils for its ``ignored_auth`` check).
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from crack.harness import Harness

from .auth import mint, register
from .common import start, tester

OPENAPI = Path(__file__).resolve().parent.parent / "openapi.yaml"
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
    "unsupported_method",
    "ignored_auth",
    "use_after_free",
)
"""What a response must pass: no 5xx, a documented status, content type, headers and body
schema, invalid data refused, 405 for undocumented methods, 401 without the credentials,
404 for what was deleted."""
EXAMPLES_PER_OPERATION = 10
SHOWN_CHARS = 2500
_DROPPED = re.compile(r"^\s*(\d+\. )?Test Case ID: \S+$|^\s*st replay \S+$")


def _failures(output: str) -> str:
    """The FAILURES section of schemathesis's report, without its replay ids (they name a
    local database the learner does not have)."""
    lines = output.splitlines()
    start_at = next(
        (i for i, line in enumerate(lines) if re.fullmatch(r"=+ FAILURES =+", line.strip())), None
    )
    end_at = next(
        (i for i, line in enumerate(lines) if re.fullmatch(r"=+ (SUMMARY|WARNINGS) =+", line.strip())), None
    )
    chosen = lines[start_at + 1 : end_at] if start_at is not None else lines[-40:]
    kept = [line.rstrip() for line in chosen if not _DROPPED.match(line)]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    if len(text) > SHOWN_CHARS:
        text = text[:SHOWN_CHARS] + "\n… (cut)"
    return text


@tester.stage("property-based")
def property_based(h: Harness) -> None:
    if importlib.util.find_spec("schemathesis") is None:
        # crack's own installation is incomplete: not the learner's failure
        raise RuntimeError("schemathesis is not installed beside crack: pip install 'schemathesis>=4'")
    server = start(h)
    user = register(h, server.api, set())
    now = int(time.time())
    token = mint(
        server, {"sub": user.name, "iat": now, "exp": now + 3600}, f"{user.name}, signed by the tester"
    )
    seed = h.random.randrange(2**31)
    report_dir = h.scratch / "schemathesis"
    argv = [
        sys.executable,
        "-c",
        "from schemathesis.cli import schemathesis; schemathesis()",
        "run",
        str(OPENAPI),
        "--url",
        server.api.base,
        "--seed",
        str(seed),
        "--max-examples",
        str(EXAMPLES_PER_OPERATION),
        "--workers",
        "1",
        "--checks",
        ",".join(CHECKS),
        "--max-failures",
        "1",
        "--header",
        f"Authorization: Bearer {token}",
        "--request-timeout",
        "5",
        "--report-dir",
        str(report_dir),
        "--warnings",
        "off",
    ]
    h.log(
        f"Running schemathesis against your server with crack's OpenAPI document: seed {seed}, "
        f"{EXAMPLES_PER_OPERATION} examples per operation, then stateful sequences, "
        f"checks: {', '.join(CHECKS)}…"
    )
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", "SCHEMATHESIS_HOOKS": ""}
    try:
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            cwd=h.scratch,
            env=env,
            timeout=max(h.remaining() - 1.0, 1.0),
            check=False,
        )
    except subprocess.TimeoutExpired:
        h.fail(
            "schemathesis did not finish before the stage's time ran out",
            "a request must not hang: answer every one, errors included, with a status and a body "
            "length (Content-Length)",
        )
    if done.returncode == 0:
        h.log("schemathesis found no failure: every response matched the document.")
        return
    report = _failures(done.stdout + done.stderr)
    h.fail(
        f"schemathesis found a response that breaks crack's OpenAPI document (seed {seed}):\n\n{report}",
        "each failure shows the request (as a curl command) and what was wrong with the answer; the "
        "document is on this stage's page (crack task)",
    )
