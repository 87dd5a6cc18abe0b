"""Submissions: what ``crack grade`` is given, and how each becomes a folder to grade.

A submission is named on the command line as one of:

- a folder (graded as its files stand, uncommitted changes included);
- an archive: ``.zip``, ``.tar.gz``/``.tgz``, ``.tar.bz2``, ``.tar.xz``, ``.tar`` (a single
  top-level folder inside, as GitHub's downloads have, is stepped into);
- a git repository: a URL (``https://…``, ``ssh://…``, ``file://…``, ``git@host:path``), or
  a folder with ``@REF`` after it;

each optionally followed by ``@REF`` (a branch, tag or commit) for git. Parsing never
fails: a spec that cannot be used is found out when the submission is prepared, and becomes
that submission's error, never the batch's.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import stat
import subprocess
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar", ".zip")
GIT_TIMEOUT_S = 300.0
COPY_IGNORED = shutil.ignore_patterns(".git", "__pycache__", "*.pyc", ".crack", ".venv", "node_modules")

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_SCP = re.compile(r"^[^/:@]+@[^/:]+:")  # git@host:owner/repo.git
_REF = re.compile(r"^[A-Za-z0-9._/~^{}-]+$")

Kind = Literal["directory", "archive", "git"]


class SubmissionError(Exception):
    """A submission that cannot be graded: its message is what the report says."""


@dataclass(frozen=True)
class SubmissionSource:
    spec: str
    """As given on the command line."""
    location: str
    """The path or URL, without ``@REF``."""
    ref: str | None
    kind: Kind
    name: str


def is_url(text: str) -> bool:
    return bool(_URL.match(text) or _SCP.match(text))


def _plausible_location(text: str) -> bool:
    if Path(text).exists():
        return True
    if _URL.match(text):
        return "/" in text.split("://", 1)[1]  # https://user@host: the '@' is the user's
    return bool(_SCP.match(text))


def split_ref(spec: str) -> tuple[str, str | None]:
    """``place@ref`` → (place, ref); the '@' of ``git@host:`` or ``https://user@`` is kept."""
    if Path(spec).exists():
        return spec, None
    at = spec.rfind("@")
    if at > 0:
        location, ref = spec[:at], spec[at + 1 :]
        if ref and _REF.match(ref) and _plausible_location(location):
            return location, ref
    return spec, None


def archive_suffix(path: str) -> str | None:
    lower = path.lower()
    return next((suffix for suffix in ARCHIVE_SUFFIXES if lower.endswith(suffix)), None)


def _base_name(location: str) -> str:
    trimmed = location.rstrip("/\\")
    if is_url(trimmed):
        trimmed = re.split(r"[/:]", trimmed)[-1]
    name = PurePosixPath(trimmed.replace("\\", "/")).name or "submission"
    suffix = archive_suffix(name)
    if suffix:
        name = name[: -len(suffix)]
    elif name.endswith(".git"):
        name = name[:-4]
    return name or "submission"


def parse_source(spec: str) -> SubmissionSource:
    location, ref = split_ref(spec)
    kind: Kind
    if is_url(location) or (ref is not None and not archive_suffix(location)):
        kind = "git"
    elif archive_suffix(location):
        kind = "archive"
    else:
        kind = "directory"
    name = _base_name(location) + (f"@{ref}" if ref else "")
    return SubmissionSource(spec, location, ref, kind, re.sub(r"[^\w.@+-]+", "_", name))


def unique_names(sources: list[SubmissionSource]) -> list[str]:
    """Each source's name, with -2, -3… added where two would be the same."""
    seen: dict[str, int] = {}
    names = []
    for source in sources:
        count = seen.get(source.name, 0) + 1
        seen[source.name] = count
        names.append(source.name if count == 1 else f"{source.name}-{count}")
    return names


# --- preparing ------------------------------------------------------------------------------
def prepare(source: SubmissionSource, dest: Path) -> Path:
    """Write the submission's files under ``dest`` (new) and return its program folder."""
    if source.kind == "directory":
        folder = Path(source.location)
        if not folder.exists():
            raise SubmissionError(f"{source.location}: no such folder")
        if not folder.is_dir():
            raise SubmissionError(f"{source.location}: not a folder, an archive (.zip, .tar.gz) or a git URL")
        shutil.copytree(folder, dest, ignore=COPY_IGNORED, symlinks=True)
        return dest
    if source.kind == "archive":
        return _extract(Path(source.location), dest)
    return _clone(source, dest)


def _git(args: list[str], what: str) -> None:
    if shutil.which("git") is None:
        raise SubmissionError("git is needed to fetch this submission: install git")
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true"}
    try:
        result = subprocess.run(
            ["git", *args], capture_output=True, text=True, timeout=GIT_TIMEOUT_S, env=env, check=False
        )
    except subprocess.TimeoutExpired:
        raise SubmissionError(f"{what}: git did not finish in {GIT_TIMEOUT_S:g} s") from None
    if result.returncode != 0:
        detail = (result.stderr.strip() or result.stdout.strip()).splitlines()
        raise SubmissionError(f"{what}: {detail[-1] if detail else f'git exited with {result.returncode}'}")


def _clone(source: SubmissionSource, dest: Path) -> Path:
    location = source.location
    if not is_url(location):
        if not Path(location).is_dir():
            raise SubmissionError(f"{location}: no such git repository")
        location = str(Path(location).resolve())
    _git(["clone", "--quiet", location, str(dest)], f"cloning {source.location}")
    if source.ref:
        _git(
            ["-C", str(dest), "-c", "advice.detachedHead=false", "checkout", "--quiet", source.ref, "--"],
            f"checking out '{source.ref}' in {source.location}",
        )
    shutil.rmtree(dest / ".git", ignore_errors=True)
    return dest


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name.replace("\\", "/"))
    return not path.is_absolute() and ".." not in path.parts


def _extract(archive: Path, dest: Path) -> Path:
    if not archive.is_file():
        raise SubmissionError(f"{archive}: no such archive")
    dest.mkdir(parents=True)
    try:
        if archive_suffix(archive.name) == ".zip":
            _extract_zip(archive, dest)
        else:
            with tarfile.open(archive, "r:*") as tar:
                _extract_tar(tar, archive, dest)
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise SubmissionError(f"{archive}: corrupt or unreadable archive ({exc})") from None
    entries = [entry for entry in dest.iterdir() if entry.name not in ("__MACOSX",)]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    if not entries:
        raise SubmissionError(f"{archive}: the archive is empty")
    return dest


def _extract_tar(tar: tarfile.TarFile, archive: Path, dest: Path) -> None:
    """Extract with the "data" filter: it refuses absolute paths, links out of ``dest`` and
    device files, drops setuid bits and the archive's owners. Pythons before 3.11.4 (Debian
    12 ships 3.11.2) have no filters: the same checks are made here, member by member."""
    if hasattr(tarfile, "data_filter"):
        tar.extractall(dest, filter="data")
        return
    members = tar.getmembers()
    for member in members:
        if not _safe_member(member.name):
            raise SubmissionError(f"{archive}: refuses the entry '{member.name}' (outside the archive)")
        if not (member.isfile() or member.isdir() or member.issym() or member.islnk()):
            raise SubmissionError(f"{archive}: refuses the entry '{member.name}' (a device or pipe)")
        if member.issym() or member.islnk():
            # A symlink's target is relative to its own folder, a hard link's to the archive's root.
            base = PurePosixPath(member.name).parent if member.issym() else PurePosixPath(".")
            target = posixpath.normpath(posixpath.join(str(base), member.linkname))
            if posixpath.isabs(member.linkname) or target == ".." or target.startswith("../"):
                link = f"'{member.name}' -> '{member.linkname}'"
                raise SubmissionError(f"{archive}: refuses the link {link} (outside the archive)")
        member.mode &= 0o755  # no setuid, setgid or sticky bit, nothing writable by others
        member.uid, member.gid, member.uname, member.gname = os.getuid(), os.getgid(), "", ""
    tar.extractall(dest, members=members)


def _extract_zip(archive: Path, dest: Path) -> None:
    with zipfile.ZipFile(archive) as bundle:
        bad = bundle.testzip()
        if bad is not None:
            raise zipfile.BadZipFile(f"bad CRC for {bad}")
        for info in bundle.infolist():
            if not _safe_member(info.filename):
                raise SubmissionError(f"{archive}: refuses the entry '{info.filename}' (outside the archive)")
            target = Path(bundle.extract(info, dest))
            # zipfile drops Unix permissions: restore them, or ./your_program.sh cannot run.
            mode = (info.external_attr >> 16) & 0o777
            if mode and not info.is_dir():
                target.chmod(mode | stat.S_IRUSR)
