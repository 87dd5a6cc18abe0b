"""Real programs under the learner's allocator: ls, sort, python3 and git must do exactly
what they do under the C library's malloc (same output, same exit code)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from crack.harness import Harness


def _programs(h: Harness, work: Path) -> list[tuple[str, list[str], bytes]]:
    words = [
        f"{h.random.choice(['kiwi', 'fig', 'plum', 'lime'])}-{h.random.randrange(10**6)}"
        for _ in range(20000)
    ]
    workload = work.parent / "workload.py"
    workload.write_text(
        "import json, re, collections\n"
        "data = [{'k': i, 'v': 'x' * (i % 300)} for i in range(20000)]\n"
        "text = json.dumps(data)\n"
        "counts = collections.Counter(re.findall(r'x+', text))\n"
        "print(len(text), len(counts), sum(len(d['v']) for d in json.loads(text)))\n"
    )
    return [
        ("ls", ["ls", "-la", "--time-style=+", "/usr/lib/x86_64-linux-gnu"], b""),
        ("sort", ["sort", "-S", "8M"], "\n".join(words).encode() + b"\n"),
        ("python3", ["python3", str(workload)], b""),
        ("git", ["git", "-C", str(work), "log", "--stat", "--format=%s"], b""),
    ]


def _repository(h: Harness) -> Path:
    work = h.scratch / "repo"
    work.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@x",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@x",
        "GIT_AUTHOR_DATE": "2020-01-01T00:00:00Z",
        "GIT_COMMITTER_DATE": "2020-01-01T00:00:00Z",
    }
    subprocess.run(["git", "init", "-q", str(work)], check=True, env=env)
    for commit in range(5):
        (work / f"file{commit}.txt").write_text("".join(f"line {n} of {commit}\n" for n in range(300)))
        subprocess.run(["git", "-C", str(work), "add", "-A"], check=True, env=env)
        subprocess.run(
            ["git", "-C", str(work), "commit", "-q", "-m", f"commit {commit}"], check=True, env=env
        )
    return work


def check_programs(h: Harness) -> None:
    work = _repository(h)
    for name, argv, stdin in _programs(h, work):
        if shutil.which(argv[0]) is None:
            h.log(f"{name}: not installed here, skipped")
            continue
        # The same program, the same user and folder, with the C library's malloc: your
        # wrapper starts `env`, which drops LD_PRELOAD before it runs the program.
        expected = h.run(["env", "-u", "LD_PRELOAD", *argv], stdin=stdin, quiet=True)
        got = h.run(argv, stdin=stdin)
        if got.timed_out:
            h.fail(f"{' '.join(argv)} under your allocator did not finish in time")
        if got.returncode != expected.returncode or got.stdout != expected.stdout:
            shown = got.stderr.decode(errors="replace").strip()[-800:]
            h.fail(
                f"{' '.join(argv[:3])}… under your allocator: exit code {got.returncode}, "
                f"{len(got.stdout)} bytes of output; under the C library's malloc: exit code "
                f"{expected.returncode}, {len(expected.stdout)} bytes"
                + (f"\nstderr:\n{shown}" if shown else ""),
                hint="a real program calls every function of the family, from several places "
                "in the C library too: each must work with blocks from all the others",
            )
        h.log(f"{name}: same output ({len(got.stdout)} bytes) and exit code as with the C library's malloc")
