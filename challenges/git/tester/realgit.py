"""The real git, run by the tester: it makes every object the learner reads, and it is
the judge of every object the learner writes.

Every run is bounded by the stage's deadline and isolated from the machine's git
configuration (no system or global config, no repository above the stage's scratch
folder), so a learner's ``~/.gitconfig`` cannot change what the tester expects.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from crack.harness import Harness

GIT_TIMEOUT_S = 20.0

TESTER_IDENTITY = {
    "GIT_AUTHOR_NAME": "Crack Tester",
    "GIT_AUTHOR_EMAIL": "tester@crack.invalid",
    "GIT_AUTHOR_DATE": "1700000000 +0000",
    "GIT_COMMITTER_NAME": "Crack Tester",
    "GIT_COMMITTER_EMAIL": "tester@crack.invalid",
    "GIT_COMMITTER_DATE": "1700000000 +0000",
}
"""Who the tester's own commits are by: fixed, so every hash is reproducible."""


@dataclass(frozen=True)
class GitResult:
    """One finished run of real git."""

    args: tuple[str, ...]
    returncode: int
    stdout: bytes
    stderr: bytes

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def command(self) -> str:
        import shlex

        return shlex.join(["git", *self.args])

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8", errors="replace")

    def said(self, limit: int = 12) -> str:
        """What git printed (errors first), indented, at most ``limit`` lines."""
        text = (self.stderr + self.stdout).decode("utf-8", errors="replace")
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) > limit:
            lines = [*lines[:limit], f"… ({len(lines) - limit} more lines)"]
        return "\n".join(f"  {line}" for line in lines) or "  (nothing)"

    def problems(self) -> str:
        """The problem lines of git's output, indented (for fsck: no notices, no dangling)."""
        return "\n".join(f"  {line}" for line in self.errors()[:12]) or "  (nothing)"

    def errors(self) -> list[str]:
        """The lines of git's output that report a problem (not notices nor dangling objects)."""
        text = (self.stderr + self.stdout).decode("utf-8", errors="replace")
        return [
            line
            for line in text.splitlines()
            if line.strip() and not line.startswith(("notice:", "dangling ", "Checking ", "hint:"))
        ]


class RealGit:
    """Runs ``git`` for the tester, in an environment no local configuration leaks into."""

    def __init__(self, h: Harness) -> None:
        self.h = h
        # The learner's program may run as another user than the tester (crack drops root
        # for it): git must trust the repositories it made, or it refuses to read them.
        config = h.scratch / ".gitconfig-tester"
        config.write_text("[safe]\n\tdirectory = *\n")
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        self.isolation = {
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": str(config),
            "GIT_CEILING_DIRECTORIES": str(h.scratch),
            "GIT_TERMINAL_PROMPT": "0",
        }
        self.base_env = {**inherited, **self.isolation, "LC_ALL": "C"}

    def run(
        self,
        cwd: Path,
        *args: str,
        input: bytes = b"",
        env: Mapping[str, str] | None = None,
    ) -> GitResult:
        """Run ``git args`` in ``cwd``; a timeout counts as a failed run, never hangs the stage."""
        timeout = max(min(GIT_TIMEOUT_S, self.h.remaining()), 0.1)
        try:
            done = subprocess.run(
                ["git", *args],
                cwd=cwd,
                input=input,
                env={**self.base_env, **(env or {})},
                capture_output=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return GitResult(tuple(args), -1, b"", f"git did not finish within {timeout:.0f} s".encode())
        return GitResult(tuple(args), done.returncode, done.stdout, done.stderr)

    def must(
        self,
        cwd: Path,
        *args: str,
        input: bytes = b"",
        env: Mapping[str, str] | None = None,
    ) -> GitResult:
        """A step of the tester's own set-up: if real git fails here, the tester is wrong."""
        result = self.run(cwd, *args, input=input, env=env)
        if not result.ok:
            raise RuntimeError(f"set-up step `{result.command}` failed in {cwd}:\n{result.said()}")
        return result

    def init(self, path: Path, branch: str = "main") -> Path:
        path.mkdir(parents=True, exist_ok=True)
        self.must(path, "init", "--quiet", f"--initial-branch={branch}")
        return path

    def hash_object(self, repo: Path, path: Path, *, write: bool = True) -> str:
        args = ["hash-object", *(["-w"] if write else []), "--", str(path)]
        return self.must(repo, *args).out.strip()

    def tree_of_worktree(self, repo: Path) -> str:
        """``git add -A && git write-tree``: the tree real git makes of the working tree."""
        self.must(repo, "add", "-A")
        return self.must(repo, "write-tree").out.strip()

    def commit_tree(
        self,
        repo: Path,
        tree: str,
        message: str,
        parents: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
    ) -> str:
        args = ["commit-tree", tree]
        for parent in parents:
            args += ["-p", parent]
        args += ["-m", message]
        return self.must(repo, *args, env={**TESTER_IDENTITY, **(env or {})}).out.strip()

    def fsck(self, repo: Path) -> GitResult:
        return self.run(repo, "fsck", "--full", "--strict", "--no-dangling", "--no-progress")
