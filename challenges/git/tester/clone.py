"""Stages 8-9: clone a repository over git's smart HTTP protocol from a loopback server.

The repository is made by real git (several commits, nested folders, an executable, a
second branch and a tag) and served by ``git http-backend``; the clone is judged by real
git (HEAD, ``git log``, ``git fsck``) and by comparing the checked-out files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crack.harness import Harness

from .content import REPO_NAMES, files_under, is_executable, sentence, text, word, write
from .httpserver import SmartHttpServer
from .program import describe_difference, run_program, where
from .realgit import TESTER_IDENTITY, RealGit


@dataclass(frozen=True)
class Upstream:
    name: str
    work: Path  # the working tree of HEAD's last commit
    bare: Path  # what the server serves
    head: str
    log: str
    deltas: int
    max_depth: int


def _edit(h: Harness, path: Path, lines: int) -> None:
    """Change a few lines of a text file in place (a small, delta-friendly edit)."""
    content = path.read_text().splitlines(keepends=True)
    for _ in range(lines):
        content[h.random.randrange(len(content))] = sentence(h) + "\n"
    content.insert(h.random.randrange(len(content)), sentence(h) + "\n")
    path.write_text("".join(content))


def build_upstream(h: Harness, git: RealGit, *, deltas: bool) -> Upstream:
    """A repository of five commits whose pack holds deltas (or none, with ``deltas=False``)."""
    name = h.random.choice(REPO_NAMES)
    work = git.init(h.scratch / "upstream" / name)
    package = word(h)
    guide = work / "docs" / "guide.txt"
    steps: list[tuple[str, list[tuple[Path, str, bool]]]] = [
        (
            "Start the project",
            [
                (work / "README.md", f"# {name}\n\n" + text(h, 4), False),
                (guide, text(h, 140), False),
                (work / "scripts" / "build.sh", f"#!/bin/sh\nset -e\necho building {name}\n", True),
                (work / "src" / package / "core.txt", text(h, 60), False),
            ],
        ),
        ("Add an appendix", [(work / "docs" / "appendix.txt", "", False)]),
        (
            "Add nested notes",
            [(work / "src" / package / "deep" / "notes.txt", text(h, 30), False)],
        ),
        ("Revise the guide", []),
        ("Polish the wording", []),
    ]
    for number, (message, files) in enumerate(steps):
        for path, content, executable in files:
            if path.name == "appendix.txt":
                content = guide.read_text()  # a near-copy: deltas across files too
            write(path, content, executable)
        if number > 0:
            _edit(h, guide, 3)
            _edit(h, work / "src" / package / "core.txt", 2)
        if number == 4:
            _edit(h, work / "docs" / "appendix.txt", 2)
        git.must(work, "add", "-A")
        when = f"{1_700_000_000 + 3600 * number} +0000"
        git.must(
            work,
            "commit",
            "--quiet",
            "-m",
            message,
            env={**TESTER_IDENTITY, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when},
        )
        if number == 2:
            git.must(work, "tag", "-a", "v0.1", "-m", "First preview", env=TESTER_IDENTITY)
    git.must(work, "branch", "experiment", "HEAD~1")
    bare = h.scratch / "served" / f"{name}.git"
    git.must(h.scratch, "clone", "--quiet", "--bare", "--no-local", str(work), str(bare))
    window = "50" if deltas else "0"
    git.must(bare, "config", "pack.window", window)
    git.must(bare, "repack", "-a", "-d", "-f", "-q", "--threads=1", f"--window={window}", "--depth=50")
    count, depth = _pack_deltas(git, bare)
    if deltas and (count == 0 or depth < 2):
        raise RuntimeError(f"the served pack has {count} deltas (max depth {depth}): the set-up is wrong")
    if not deltas and count:
        raise RuntimeError(f"the served pack has {count} deltas, and this stage wants none")
    head = git.must(bare, "rev-parse", "HEAD").out.strip()
    log = git.must(bare, "log", "--format=%H %s", "HEAD").out
    return Upstream(name, work, bare, head, log, count, depth)


def _pack_deltas(git: RealGit, bare: Path) -> tuple[int, int]:
    """(deltified objects, longest chain) in the served pack, from `git verify-pack -v`."""
    count = depth = 0
    for idx in sorted((bare / "objects" / "pack").glob("*.idx")):
        for line in git.must(bare, "verify-pack", "-v", str(idx)).out.splitlines():
            fields = line.split()
            if len(fields) == 7 and len(fields[0]) == 40:
                count += 1
                depth = max(depth, int(fields[5]))
    return count, depth


def serve(h: Harness, root: Path, git: RealGit) -> SmartHttpServer:
    """The smart HTTP server on a port the harness hands out (so reports can hide it)."""
    for attempt in range(5):
        try:
            server = SmartHttpServer(root, env=git.base_env, port=h.free_port())
        except OSError:  # taken between the harness's check and our bind
            if attempt == 4:
                raise
            continue
        h.defer(server.close)
        return server
    raise AssertionError("unreachable")


def clone_stage(h: Harness, *, deltas: bool) -> None:
    git = RealGit(h)
    upstream = build_upstream(h, git, deltas=deltas)
    server = serve(h, upstream.bare.parent, git)
    url = server.url(upstream.bare.name)
    workspace = h.scratch / "workspace"
    workspace.mkdir()
    target_name = f"{upstream.name}-{word(h)}"
    target = workspace / target_name
    pack_note = (
        f"its pack holds {upstream.deltas} deltified objects (chains up to {upstream.max_depth} deep)"
        if deltas
        else "its pack holds no deltas"
    )
    h.log(
        f"Serving {url} over smart HTTP (git http-backend): {len(upstream.log.splitlines())} commits "
        f"on main, a branch and a tag; {pack_note}."
    )
    hints = (
        [
            (
                "No such file or directory: '.git/objects",
                "an object your program looked for was never stored. If it is the result of a "
                "delta, the delta came out wrong and the result was stored under another SHA-1: "
                "check how copy instructions read their offset and size bytes",
            ),
            (
                "",
                "the pack holds deltified objects: type 7 (REF_DELTA: the base's 20-byte SHA-1 "
                "follows the header) and type 6 (OFS_DELTA: a negative offset to the base in the "
                "same pack) when you ask for ofs-delta; a delta is a list of copy/insert "
                "instructions applied to the base",
            ),
        ]
        if deltas
        else []
    )
    try:
        ran = run_program(h, git, ["clone", url, target_name], workspace, hints=hints)
    finally:
        for exchange in server.exchanges:
            h.log(f"[server] {exchange.describe()}")
    if not (target / ".git").is_dir():
        h.fail(
            f"after `{ran.command}` (in {where(h, workspace)}), there is no repository "
            f"{target_name}/.git" + ("" if target.is_dir() else f": the folder {target_name} does not exist"),
            hint=(
                "clone <url> <dir> creates <dir>, initialises <dir>/.git and checks the files out into <dir>"
            ),
        )
    _check_history(h, git, upstream, target, ran.command)
    _check_files(h, upstream, target, ran.command)
    h.log(
        f"Your clone's HEAD is {upstream.head[:7]}, git log and git fsck agree, and the "
        f"{len(files_under(upstream.work))} files match."
    )


def _check_history(h: Harness, git: RealGit, upstream: Upstream, target: Path, command: str) -> None:
    head_file = target / ".git" / "HEAD"
    head_text = head_file.read_text(errors="replace").strip() if head_file.is_file() else "(no such file)"
    resolved = git.run(target, "rev-parse", "--verify", "HEAD^{commit}")
    if not resolved.ok or resolved.out.strip() != upstream.head:
        said = resolved.said() if not resolved.ok else f"  {resolved.out.strip()}"
        h.fail(
            f"after `{command}`, HEAD of the clone must be the server's HEAD commit {upstream.head}.\n"
            f"$ git rev-parse --verify HEAD  (in the clone)\n{said}\n"
            f".git/HEAD holds {head_text!r}",
            hint=(
                "write the commit's SHA-1 to .git/refs/heads/<branch> and make .git/HEAD say "
                '"ref: refs/heads/<branch>"; the first line of the server\'s ref list names '
                "HEAD (and its symref=HEAD:refs/heads/… capability names the branch)"
            ),
        )
    fsck = git.fsck(target)
    if fsck.errors():
        said = fsck.problems()
        hint = None
        if "missing" in said:
            hint = (
                "every object of the history must be stored: unpack each object of the pack to "
                ".git/objects (or keep the pack with its .idx in .git/objects/pack/)"
            )
        if "hash-path mismatch" in said or "corrupt" in said:
            hint = (
                "an object was stored under a name that is not the SHA-1 of its content: hash "
                '"<type> <size>\\0" + the content, after any delta has been applied'
            )
        h.fail(
            f"after `{command}`, `git fsck --full --strict` in the clone finds problems:\n{said}", hint=hint
        )
    log = git.run(target, "log", "--format=%H %s", "HEAD")
    if log.out != upstream.log:
        h.fail(
            f"after `{command}`, the clone's history differs from the server's.\n"
            + describe_difference(
                upstream.log.encode(),
                log.stdout,
                "git log on the server",
                "git log in the clone",
                show_bytes=False,
            )
        )


def _check_files(h: Harness, upstream: Upstream, target: Path, command: str) -> None:
    want, have = files_under(upstream.work), files_under(target)
    missing = sorted(set(want) - set(have))
    extra = sorted(set(have) - set(want))
    if missing or extra:
        h.fail(
            f"after `{command}`, the files of the clone are not those of the HEAD commit.\n"
            + (f"missing: {', '.join(missing)}\n" if missing else "")
            + (f"not in the commit: {', '.join(extra)}\n" if extra else "")
            + f"expected: {', '.join(sorted(want))}",
            hint="check out HEAD's tree into the folder: every blob to its path, every subtree to a folder",
        )
    for path in sorted(want):
        expected, got = want[path].read_bytes(), have[path].read_bytes()
        if expected != got:
            h.fail(
                f"after `{command}`, the clone's {path} is not the file of the HEAD commit.\n"
                + describe_difference(expected, got, f"{path} in the commit", f"{path} in your clone"),
                hint=(
                    "if a deltified object came out wrong: a copy instruction's offset and size "
                    "bytes are present only where their bits are set in the first byte, and a "
                    "size of 0 means 0x10000"
                ),
            )
        if is_executable(want[path]) and not is_executable(have[path]):
            h.fail(
                f"after `{command}`, {path} in the clone is not executable, but its mode in the "
                "commit is 100755",
                hint="set the executable bits (chmod 755) on files whose tree entry has the mode 100755",
            )
