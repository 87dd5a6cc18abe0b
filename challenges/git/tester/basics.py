"""Stages 1-3: a repository real git recognises, reading blobs, writing blobs."""

from __future__ import annotations

import hashlib
import zlib
from pathlib import Path

from crack.harness import Harness
from crack.harness.bytes_display import show

from .content import REPO_NAMES, sentence, text, word, write
from .objects import diagnose_loose
from .program import describe_difference, run_program, where
from .realgit import TESTER_IDENTITY, RealGit

HEAD_HINT = (
    "init creates .git/ with the folders objects/ and refs/ and the file HEAD, which holds the "
    'text "ref: refs/heads/main" and a newline (or master instead of main)'
)


def listing(path: Path) -> str:
    names = sorted(p.name + ("/" if p.is_dir() else "") for p in path.iterdir()) if path.is_dir() else []
    return ", ".join(names) if names else "nothing"


def init(h: Harness) -> None:
    git = RealGit(h)
    repo = h.scratch / h.random.choice(REPO_NAMES)
    repo.mkdir()
    ran = run_program(h, git, ["init"], repo)
    dot_git = repo / ".git"
    if not dot_git.is_dir():
        probe = git.run(repo, "rev-parse", "--git-dir")
        h.fail(
            f"after `{ran.command}` in the empty folder {where(h, repo)}, there is no folder "
            f"{where(h, repo)}.git (the folder holds: {listing(repo)}).\n"
            f"Real git finds no repository there either: `git rev-parse --git-dir` says:\n{probe.said()}",
            hint=HEAD_HINT + "; create them in the current working directory",
        )
    probe = git.run(repo, "rev-parse", "--git-dir")
    head = dot_git / "HEAD"
    head_text = show(head.read_bytes()) if head.is_file() else "(no such file)"
    if not probe.ok or probe.out.strip() != ".git":
        missing = [
            name
            for name, present in (
                ("objects/", (dot_git / "objects").is_dir()),
                ("refs/", (dot_git / "refs").is_dir()),
                ("HEAD", head.is_file()),
            )
            if not present
        ]
        h.fail(
            f"real git does not recognise {where(h, repo)}.git as a repository: "
            f"`git rev-parse --git-dir` (in {where(h, repo)}) says:\n{probe.said()}\n"
            f".git holds: {listing(dot_git)}"
            + (f"; missing: {', '.join(missing)}" if missing else "")
            + f"\n.git/HEAD holds: {head_text}",
            hint=HEAD_HINT,
        )
    h.log(f"$ git rev-parse --git-dir → {probe.out.strip()}")
    status = git.run(repo, "status")
    if not status.ok:
        h.fail(f"`git status` fails in the repository your program made:\n{status.said()}", hint=HEAD_HINT)
    branch = git.run(repo, "symbolic-ref", "HEAD")
    if not branch.ok or not branch.out.startswith("refs/heads/"):
        h.fail(
            f".git/HEAD holds {head_text}, but it must name a branch: "
            f"`git symbolic-ref HEAD` says:\n{branch.said()}",
            hint=HEAD_HINT,
        )
    h.log(f"$ git status → {status.out.splitlines()[0] if status.out else '(no output)'}")
    commit = git.run(repo, "commit", "--allow-empty", "--quiet", "-m", "first", env=TESTER_IDENTITY)
    log = git.run(repo, "log", "--format=%s")
    if not commit.ok or log.out.strip() != "first":
        h.fail(
            "real git cannot commit into the repository your program made: "
            f"`git commit --allow-empty -m first` says:\n{commit.said()}\n`git log` says:\n{log.said()}",
            hint=HEAD_HINT,
        )
    h.log(f"Real git committed into it on branch {branch.out.strip().removeprefix('refs/heads/')}.")


# --- cat-file ----------------------------------------------------------------------------


def _blob_hint(expected: bytes, got: bytes) -> str | None:
    if got == expected + b"\n" or got == expected + b"\r\n":
        return (
            "your output ends with a line break the blob does not have: write the content "
            "exactly, as bytes, with no newline added"
        )
    if got.startswith(b"blob "):
        return (
            "you printed the object's header too: everything up to and including the first NUL "
            'byte ("blob <size>\\0") is the header, and only what follows is the content'
        )
    if got[:2] in (b"x\x01", b"x\x5e", b"x\x9c", b"x\xda"):
        return "you printed the file's compressed bytes: decompress them with zlib first"
    if got and expected.startswith(got) and expected[len(got) : len(got) + 1] == b"\0":
        return (
            "your output stops at a NUL byte inside the content: split the object at the first "
            "NUL only (the one that ends the header); the content may hold more"
        )
    if got.strip() == expected.strip():
        return "only white space differs: print the content byte for byte"
    return None


def cat_file(h: Harness) -> None:
    git = RealGit(h)
    repo = git.init(h.scratch / h.random.choice(REPO_NAMES))
    binary = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + h.random.randbytes(24) + b"\x00" + h.random.randbytes(8)
    blobs: list[tuple[str, bytes]] = [
        (f"{word(h)}.txt", text(h, h.random.randint(2, 4)).encode()),
        (f"{word(h)}-notes.md", f"# {sentence(h, 2, 3)}\n\n{sentence(h)} — ünïcödé, no newline".encode()),
        (f"{word(h)}.png", binary),
    ]
    for name, data in blobs:
        path = write(repo / name, data)
        sha = git.hash_object(repo, path)
        path.unlink()
        h.log(f"$ git hash-object -w {name} → {sha} ({len(data)} bytes; the file is then deleted)")
        ran = run_program(h, git, ["cat-file", "-p", sha], repo)
        expected = git.must(repo, "cat-file", "-p", sha).stdout
        if ran.stdout != expected:
            h.fail(
                f"`{ran.command}` printed the wrong content for the blob {sha}.\n"
                + describe_difference(expected, ran.stdout, f"what `git cat-file -p {sha[:7]}` prints"),
                hint=_blob_hint(expected, ran.stdout),
            )


# --- hash-object -------------------------------------------------------------------------


def _sha_hint(printed: str, data: bytes) -> str | None:
    if printed == hashlib.sha1(data).hexdigest():
        return (
            'that is the SHA-1 of the content alone: git hashes the header "blob <size>\\0" '
            "followed by the content"
        )
    header = b"blob %d\0" % len(data)
    if printed == hashlib.sha1(zlib.compress(header + data)).hexdigest():
        return "that is the SHA-1 of the compressed bytes: hash the object before compressing it"
    if printed in (
        hashlib.sha1(b"blob %d " % len(data) + data).hexdigest(),
        hashlib.sha1(b"blob %d\n" % len(data) + data).hexdigest(),
    ):
        return 'the header ends with a NUL byte ("\\0"), not a space or a newline'
    if len(printed) != 40 or any(c not in "0123456789abcdef" for c in printed):
        return (
            "print only the 40 lowercase hex digits of the SHA-1 and a newline on stdout; "
            "send any log lines to stderr"
        )
    return None


def hash_object(h: Harness) -> None:
    git = RealGit(h)
    repo = git.init(h.scratch / h.random.choice(REPO_NAMES))
    files = [
        (f"{word(h)}.txt", text(h, h.random.randint(3, 6)).encode()),
        (
            f"docs/{word(h)}-{word(h)}.md",
            (f"# {sentence(h, 2, 3)}\n\n" + text(h, 2) + "ünïcödé, no newline").encode(),
        ),
    ]
    for name, data in files:
        path = write(repo / name, data)
        expected = git.hash_object(repo, path, write=False)
        h.log(f"Wrote {name} ({len(data)} bytes); `git hash-object {name}` says {expected}.")
        ran = run_program(h, git, ["hash-object", "-w", name], repo)
        printed = ran.stdout.decode("utf-8", errors="replace").strip()
        if printed != expected:
            h.fail(
                f"`{ran.command}` printed the wrong SHA-1.\n"
                f"expected (what `git hash-object {name}` prints): {expected}\n"
                f"     got: {show(ran.stdout)}",
                hint=_sha_hint(printed, data),
            )
        check = git.run(repo, "cat-file", "-p", expected)
        if not check.ok or check.stdout != data:
            finding, hint = diagnose_loose(repo, expected)
            said = (
                check.said()
                if not check.ok
                else "  (it prints other content)\n" + describe_difference(data, check.stdout, name)
            )
            fsck = git.fsck(repo)
            h.fail(
                f"`{ran.command}` printed the right SHA-1, {expected}, but real git cannot read "
                f"the object it wrote.\n$ git cat-file -p {expected}\n{said}\n"
                f"$ git fsck --full --strict\n{fsck.problems()}\n"
                + (f"Looking at the file: {finding}" if finding else ""),
                hint=hint,
            )
        fsck = git.fsck(repo)
        if fsck.errors():
            finding, hint = diagnose_loose(repo, expected)
            h.fail(
                f"after `{ran.command}`, `git fsck --full --strict` finds problems:\n{fsck.problems()}"
                + (f"\nLooking at the file: {finding}" if finding else ""),
                hint=hint,
            )
        h.log(f"$ git cat-file -p {expected[:7]} → the {len(data)} bytes of {name}; git fsck is clean.")
