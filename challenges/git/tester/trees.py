"""Stages 4-6: reading tree objects real git made, and writing trees real git accepts."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from crack.harness import Harness
from crack.harness.bytes_display import show

from .content import REPO_NAMES, blob_sha, text, text_with_nul_in_sha, word, write
from .objects import diagnose_loose
from .program import describe_difference, run_program
from .realgit import RealGit

TREE_ENTRY_HINT = (
    'a tree is a list of entries "<mode> <name>\\0" each followed by the 20 raw bytes of a '
    "SHA-1; those bytes can be anything, NUL included: take exactly 20 bytes after the name's "
    "NUL instead of splitting the object on NUL bytes"
)


def distinct_words(h: Harness, n: int) -> list[str]:
    return h.random.sample([w for w in REPO_NAMES], n)


def make_tree_repo(h: Harness, git: RealGit) -> tuple[Path, str, str, str]:
    """A repository whose working tree real git turned into trees.

    Returns (repo, root tree, the subtree of ``docs``-like folder, the name of the entry
    whose SHA-1 holds a NUL byte).
    """
    repo = git.init(h.scratch / h.random.choice(REPO_NAMES))
    folder, other, tricky = distinct_words(h, 3)
    write(repo / "README.md", f"# {folder}\n\n" + text(h, 2))
    write(repo / f"{folder}" / f"{word(h)}.txt", text(h, 3))
    write(repo / f"{folder}" / "deeper" / f"{word(h)}.txt", text(h, 2))
    write(repo / f"{folder}.md", text(h, 2))
    write(repo / f"{other}.sh", "#!/bin/sh\necho " + word(h) + "\n", executable=True)
    write(repo / f"{tricky}.txt", text_with_nul_in_sha(h, 3))
    os.symlink("README.md", repo / "latest")
    root = git.tree_of_worktree(repo)
    subtree = git.must(repo, "rev-parse", f"{root}:{folder}").out.strip()
    return repo, root, subtree, f"{tricky}.txt"


def _nul_sha_hint(repo: Path, expected: bytes, got: bytes, tricky: str) -> str | None:
    """The hint for a parser that splits trees on NUL, when the output goes wrong at (or
    just after) the entry whose SHA-1 holds a NUL byte."""
    sha = blob_sha((repo / tricky).read_bytes())
    expected_lines, got_lines = expected.split(b"\n"), got.split(b"\n")
    names = [line.split(b"\t")[-1] for line in expected_lines]
    if 0 not in sha or tricky.encode() not in names:
        return None
    at = next(
        (i for i, line in enumerate(expected_lines) if i >= len(got_lines) or got_lines[i] != line),
        len(expected_lines),
    )
    if names.index(tricky.encode()) <= at <= names.index(tricky.encode()) + 1:
        return f"the entry {tricky} has a SHA-1 with a NUL byte in it ({sha.hex()}): " + TREE_ENTRY_HINT
    return None


def _crash_hints(repo: Path, tricky: str) -> list[tuple[str, str]]:
    sha = blob_sha((repo / tricky).read_bytes()).hex()
    return [
        (
            "UnicodeDecodeError",
            "a tree object is binary (each SHA-1 is 20 raw bytes): parse it as bytes and decode "
            "only the names",
        ),
        (
            "",
            f"if your parser splits the tree on NUL bytes: the entry {tricky} has a SHA-1 with a NUL "
            f"byte in it ({sha}). " + TREE_ENTRY_HINT[0].upper() + TREE_ENTRY_HINT[1:],
        ),
    ]


def _log_tree(h: Harness, git: RealGit, repo: Path, tree: str) -> None:
    listing = git.must(repo, "ls-tree", tree).out.rstrip("\n")
    h.log(f"Real git made the tree {tree}:\n{listing}")


def ls_tree_names(h: Harness) -> None:
    git = RealGit(h)
    repo, root, _, tricky = make_tree_repo(h, git)
    _log_tree(h, git, repo, root)
    ran = run_program(h, git, ["ls-tree", "--name-only", root], repo, hints=_crash_hints(repo, tricky))
    expected = git.must(repo, "ls-tree", "--name-only", root).stdout
    if ran.stdout != expected:
        got_lines = ran.stdout.decode("utf-8", errors="replace").splitlines()
        hint = _nul_sha_hint(repo, expected, ran.stdout, tricky)
        if any("\t" in line or " blob " in line for line in got_lines):
            hint = "with --name-only, print only each entry's name, one per line"
        elif sorted(got_lines) == sorted(expected.decode().splitlines()):
            hint = "print the entries in the order they are stored in the tree: git keeps them sorted"
        h.fail(
            f"`{ran.command}` printed the wrong names.\n"
            + describe_difference(expected, ran.stdout, f"what `git ls-tree --name-only {root[:7]}` prints"),
            hint=hint,
        )


def _full_hint(expected: bytes, got: bytes) -> str | None:
    got_text = got.decode("utf-8", errors="replace")
    if "\n40000 tree" in "\n" + got_text:
        return (
            "git ls-tree pads the mode to six digits, so a folder shows as 040000 (the tree "
            "object itself stores 40000, without the zero)"
        )
    if all("\t" not in line for line in got_text.splitlines()) and got_text.strip():
        return 'a tab, not a space, separates the SHA-1 from the name: "<mode> <type> <sha>\\t<name>"'
    if any(f"{mode} tree" in got_text for mode in ("100644", "100755", "120000")):
        return "the type is tree only for the mode 40000; every other mode (files, symlinks) is a blob"
    if not any(len(part) == 40 for line in got_text.splitlines() for part in line.split()):
        return "print each SHA-1 as 40 lowercase hex digits (the tree holds it as 20 raw bytes)"
    return None


def ls_tree(h: Harness) -> None:
    git = RealGit(h)
    repo, root, subtree, tricky = make_tree_repo(h, git)
    _log_tree(h, git, repo, root)
    for tree in (root, subtree):
        ran = run_program(h, git, ["ls-tree", tree], repo, hints=_crash_hints(repo, tricky))
        expected = git.must(repo, "ls-tree", tree).stdout
        if ran.stdout != expected:
            h.fail(
                f"`{ran.command}` printed the wrong listing.\n"
                + describe_difference(expected, ran.stdout, f"what `git ls-tree {tree[:7]}` prints"),
                hint=_full_hint(expected, ran.stdout) or _nul_sha_hint(repo, expected, ran.stdout, tricky),
            )


# --- write-tree --------------------------------------------------------------------------


def make_worktree(h: Harness, repo: Path) -> None:
    """Files to snapshot: nested folders, executables, an empty file, and a folder and a
    file whose names sort differently once the folder is read as "name/"."""
    folder, nested, deep, tool = distinct_words(h, 4)
    write(repo / "README.md", f"# {folder}\n\n" + text(h, 3))
    write(repo / f"{word(h)}.txt", text(h, 2))
    write(repo / f"{folder}.md", text(h, 2))
    write(repo / f"{folder}-{word(h)}.txt", text(h, 1))
    write(repo / folder / f"{word(h)}.txt", text(h, 4))
    write(repo / folder / "empty.txt", "")
    write(repo / folder / nested / f"{word(h)}.py", f"print({word(h)!r})\n")
    write(repo / folder / nested / deep / f"{word(h)}.txt", text(h, 2))
    write(repo / f"{tool}.sh", f"#!/bin/sh\necho {word(h)}\n", executable=True)
    write(repo / "bin" / tool, f"#!/bin/sh\nexec ../{tool}.sh\n", executable=True)


def _tree_hint(fsck_text: str, expected: str, got: str) -> str | None:
    if "treeNotSorted" in fsck_text:
        return (
            "entries are sorted by name as bytes, where a folder's name counts as if it ended "
            'in "/": so "docs.md" comes before the folder "docs" ("." < "/")'
        )
    if "zeroPaddedFilemode" in fsck_text:
        return 'a folder\'s mode is written "40000" in the tree object, without a leading zero'
    if "\t.git/" in got or "\t.git\n" in got:
        return "leave the .git folder out of the tree: it is the repository, not a file of the project"
    expected_exec = {line.split("\t")[1] for line in expected.splitlines() if line.startswith("100755")}
    got_exec = {line.split("\t")[1] for line in got.splitlines() if line.startswith("100755")}
    if expected_exec != got_exec:
        return "a file with its executable bit set has the mode 100755; other files 100644"
    return None


def write_tree(h: Harness) -> None:
    git = RealGit(h)
    repo = git.init(h.scratch / h.random.choice(REPO_NAMES))
    make_worktree(h, repo)
    twin = h.scratch / "twin"
    shutil.copytree(repo, twin, symlinks=True)
    expected = git.tree_of_worktree(twin)
    expected_listing = git.must(twin, "ls-tree", "-r", "-t", expected).out
    h.log(
        "The working tree (real git makes the tree "
        + expected
        + " of it):\n"
        + git.must(twin, "ls-tree", "-r", expected).out.rstrip("\n")
    )
    ran = run_program(h, git, ["write-tree"], repo)
    printed = ran.stdout.decode("utf-8", errors="replace").strip()
    if len(printed) != 40 or any(c not in "0123456789abcdef" for c in printed):
        h.fail(
            f"`{ran.command}` must print the tree's SHA-1 (40 hex digits); it printed {show(ran.stdout)}",
            hint="print only the SHA-1 and a newline on stdout; send log lines to stderr",
        )
    if printed != expected:
        _explain_wrong_tree(h, git, repo, ran.command, printed, expected, expected_listing)
    missing = git.run(repo, "rev-list", "--objects", "--missing=print", expected)
    lost = [line[1:] for line in missing.out.splitlines() if line.startswith("?")]
    if not missing.ok or lost:
        paths = {line.split()[2]: line.split("\t")[1] for line in expected_listing.splitlines()}
        shown = [f"{sha} ({paths.get(sha, '?')})" for sha in lost[:8]]
        h.fail(
            f"`{ran.command}` printed the right tree, {expected}, but objects it refers to are "
            "not in .git/objects:\n" + ("\n".join(f"  {line}" for line in shown) or missing.said()),
            hint="write-tree stores every blob and every subtree it hashes, not only the top tree",
        )
    fsck = git.fsck(repo)
    if fsck.errors():
        h.fail(f"after `{ran.command}`, `git fsck --full --strict` finds problems:\n{fsck.problems()}")
    h.log(f"Your tree is {printed}, the same as real git's; every object is there and git fsck is clean.")


def _explain_wrong_tree(
    h: Harness, git: RealGit, repo: Path, command: str, printed: str, expected: str, expected_listing: str
) -> None:
    head = f"`{command}` printed {printed}; real git makes the tree {expected} of the same files."
    kind = git.run(repo, "cat-file", "-t", printed)
    if not kind.ok:
        finding, hint = diagnose_loose(repo, printed)
        h.fail(
            f"{head}\nReal git cannot read your tree: `git cat-file -t {printed}` says:\n{kind.said()}"
            + (f"\nLooking at the file: {finding}" if finding else ""),
            hint=hint,
        )
    if kind.out.strip() != "tree":
        h.fail(f"{head}\nYour object {printed} is a {kind.out.strip()}, not a tree.")
    listing = git.run(repo, "ls-tree", "-r", "-t", printed)
    fsck = git.fsck(repo)
    fsck_text = "\n".join(fsck.errors())
    message = head
    if listing.ok and listing.out != expected_listing:
        message += "\n" + describe_difference(
            expected_listing.encode(),
            listing.stdout,
            f"`git ls-tree -r -t {expected[:7]}`, real git's tree",
            f"`git ls-tree -r -t {printed[:7]}`, your tree",
            show_bytes=False,
        )
    elif listing.ok:
        message += (
            "\nBoth list the same entries (`git ls-tree -r -t`), so the tree objects differ in their bytes."
        )
    else:
        message += f"\n`git ls-tree -r -t {printed}` says:\n{listing.said()}"
    if fsck_text:
        message += f"\n`git fsck --full --strict` says:\n{fsck.problems()}"
    h.fail(message, hint=_tree_hint(fsck_text, expected_listing, listing.out))
