"""Stage 7: commit objects, byte for byte what real git writes for the same tree, parent,
message and identities."""

from __future__ import annotations

import shutil
from pathlib import Path

from crack.harness import Harness
from crack.harness.bytes_display import show

from .content import REPO_NAMES, sentence, text, word, write
from .objects import diagnose_loose
from .program import describe_difference, run_program
from .realgit import RealGit

PEOPLE = [
    ("Ada Lovelace", "ada@example.com"),
    ("Grace Hopper", "grace@example.org"),
    ("Alan Turing", "alan@example.net"),
    ("Barbara Liskov", "barbara@example.com"),
    ("Ken Thompson", "ken@example.org"),
    ("Margaret Hamilton", "margaret@example.net"),
]
TIMEZONES = ["+0000", "+0100", "+0530", "-0700", "-0330", "+0900"]


def identity(h: Harness) -> dict[str, str]:
    """GIT_AUTHOR_* and GIT_COMMITTER_*: two different people at two different times."""
    (author, author_email), (committer, committer_email) = h.random.sample(PEOPLE, 2)
    when = h.random.randint(1_500_000_000, 1_700_000_000)
    return {
        "GIT_AUTHOR_NAME": author,
        "GIT_AUTHOR_EMAIL": author_email,
        "GIT_AUTHOR_DATE": f"{when} {h.random.choice(TIMEZONES)}",
        "GIT_COMMITTER_NAME": committer,
        "GIT_COMMITTER_EMAIL": committer_email,
        "GIT_COMMITTER_DATE": f"{when + h.random.randint(60, 86_400)} {h.random.choice(TIMEZONES)}",
    }


def _commit_hint(expected: bytes, got: bytes) -> str | None:
    if got + b"\n" == expected:
        return 'git ends the message with a newline: -m "text" stores "text\\n" after the blank line'
    if b"\n\n" not in got:
        return "a blank line separates the header lines (tree, parent, author, committer) from the message"
    want, have = expected.split(b"\n"), got.split(b"\n")
    parents = sum(line.startswith(b"parent ") for line in want)
    if parents > 1 and sum(line.startswith(b"parent ") for line in have) < parents:
        return (
            f"this is a merge, given {parents} -p options: write one parent line for each, in the "
            "order they were given (keep every -p, not only the last)"
        )
    for a, b in zip(want, have, strict=False):
        if a == b:
            continue
        if a.startswith(b"parent") or b.startswith(b"parent"):
            return 'each -p <sha> adds a line "parent <sha>" right after the tree line'
        if a.startswith((b"author", b"committer")):
            field = a.split(b" ")[0].decode()
            return (
                f'the {field} line is "{field} <name> <<email>> <seconds> <timezone>": take the name, '
                f"email and date from GIT_{field.upper()}_NAME, _EMAIL and _DATE (the date is "
                "already in that form)"
            )
        break
    return None


def _content(git: RealGit, repo: Path, sha: str) -> bytes | None:
    shown = git.run(repo, "cat-file", "-p", sha)
    return shown.stdout if shown.ok else None


def commit_tree(h: Harness) -> None:
    git = RealGit(h)
    repo = git.init(h.scratch / h.random.choice(REPO_NAMES))
    write(repo / "README.md", text(h, 3))
    first_tree = git.tree_of_worktree(repo)
    write(repo / "src" / f"{word(h)}.txt", text(h, 2))
    second_tree = git.tree_of_worktree(repo)
    h.log(f"Real git made two trees of a working tree: {first_tree} and, after adding a file, {second_tree}.")

    parent: str | None = None
    for tree in (first_tree, second_tree):
        env = identity(h)
        message = sentence(h, 3, 6).capitalize()
        args = ["commit-tree", tree, *(["-p", parent] if parent else []), "-m", message]
        parent = _check_commit(h, git, repo, args, env)
    assert parent is not None
    _merge(h, git, repo, parent)


def _merge(h: Harness, git: RealGit, repo: Path, main_tip: str) -> None:
    """A merge: a commit with two parents, by an author whose name is not ASCII (the
    object's size counts bytes, not characters)."""
    root = git.must(repo, "rev-list", "--max-parents=0", main_tip).out.strip()
    write(repo / f"{word(h)}-notes.txt", text(h, 2))
    merged_tree = git.tree_of_worktree(repo)
    root_tree = git.must(repo, "rev-parse", f"{root}^{{tree}}").out.strip()
    side = git.commit_tree(repo, root_tree, f"Side branch: {sentence(h, 2, 4)}", parents=[root])
    h.log(
        f"Real git made a side branch {side} off {root[:7]} and a tree {merged_tree} that joins it "
        f"with {main_tip[:7]}: now a merge commit, with two parents."
    )
    env = identity(h)
    env["GIT_AUTHOR_NAME"] = f"{h.data.non_ascii_word()} {env['GIT_AUTHOR_NAME'].split()[-1]}"
    message = f"Merge {word(h)} into {word(h)} ({h.data.non_ascii_word()})"
    args = ["commit-tree", merged_tree, "-p", main_tip, "-p", side, "-m", message]
    _check_commit(h, git, repo, args, env)


def _check_commit(h: Harness, git: RealGit, repo: Path, args: list[str], env: dict[str, str]) -> str:
    """Run ``commit-tree`` with ``args`` and check it makes real git's commit; return it."""
    h.log("With " + " ".join(f"{k}={v!r}" for k, v in env.items()))
    twin = h.scratch / "twin"
    shutil.rmtree(twin, ignore_errors=True)
    shutil.copytree(repo, twin, symlinks=True)
    expected = git.must(twin, *args, env=env).out.strip()
    expected_body = git.must(twin, "cat-file", "-p", expected).stdout
    ran = run_program(h, git, args, repo, env=env)
    printed = ran.stdout.decode("utf-8", errors="replace").strip()
    if printed != expected:
        _explain_wrong_commit(h, git, repo, ran.command, printed, expected, expected_body, ran.stdout)
    kind = git.run(repo, "cat-file", "-t", expected)
    if kind.out.strip() != "commit":
        finding, hint = diagnose_loose(repo, expected)
        h.fail(
            f"`{ran.command}` printed the right SHA-1, {expected}, but real git cannot read the "
            f"commit: `git cat-file -t {expected}` says:\n{kind.said()}"
            + (f"\nLooking at the file: {finding}" if finding else ""),
            hint=hint or "write the commit object to .git/objects, like hash-object -w does for blobs",
        )
    fsck = git.fsck(repo)
    if fsck.errors():
        h.fail(f"after `{ran.command}`, `git fsck --full --strict` finds problems:\n{fsck.problems()}")
    log = git.must(repo, "log", "--format=%h %an / %cn: %s", expected).out.rstrip("\n")
    h.log(f"Your commit is {printed}, the same as real git's. $ git log {expected[:7]}\n{log}")
    return expected


def _explain_wrong_commit(
    h: Harness,
    git: RealGit,
    repo: Path,
    command: str,
    printed: str,
    expected: str,
    expected_body: bytes,
    stdout: bytes,
) -> None:
    head = (
        f"`{command}` printed {show(stdout)}; real git makes the commit {expected} with the same "
        "arguments and environment."
    )
    if len(printed) != 40 or any(c not in "0123456789abcdef" for c in printed):
        h.fail(head, hint="print only the commit's SHA-1 and a newline on stdout; send log lines to stderr")
    body = _content(git, repo, printed)
    if body is None:
        finding, hint = diagnose_loose(repo, printed)
        shown = git.run(repo, "cat-file", "-p", printed)
        h.fail(
            f"{head}\nReal git cannot read your commit: `git cat-file -p {printed}` says:\n{shown.said()}"
            + (f"\nLooking at the file: {finding}" if finding else ""),
            hint=hint,
        )
    fsck = git.fsck(repo)
    message = (
        head
        + "\n"
        + describe_difference(
            expected_body,
            body,
            f"`git cat-file -p {expected[:7]}`, real git's commit",
            f"your commit {printed[:7]}",
        )
    )
    if fsck.errors():
        message += f"\n`git fsck --full --strict` says:\n{fsck.problems()}"
    h.fail(message, hint=_commit_hint(expected_body, body))
