"""Looking inside the object files a learner wrote, to say *why* real git rejects one.

Real git's errors ("incorrect header check", "hash-path mismatch") are exact but terse;
these functions read the same file and name the usual mistake behind them.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from pathlib import Path

from crack.harness.bytes_display import show

HEADER = re.compile(rb"^(blob|tree|commit|tag) (\d+)$")


def loose_path(repo: Path, sha: str) -> Path:
    return repo / ".git" / "objects" / sha[:2] / sha[2:]


def object_bytes(kind: str, body: bytes) -> bytes:
    """The object as git hashes it: ``<kind> <size>\\0<body>``."""
    return kind.encode() + b" " + str(len(body)).encode() + b"\0" + body


def sha_of(kind: str, body: bytes) -> str:
    return hashlib.sha1(object_bytes(kind, body)).hexdigest()


def diagnose_loose(repo: Path, sha: str) -> tuple[str, str | None]:
    """What is wrong with the loose object file of ``sha``: (finding, hint).

    The finding is "" when the file looks right (the problem is elsewhere).
    """
    path = loose_path(repo, sha)
    shown = f".git/objects/{sha[:2]}/{sha[2:]}"
    if not path.is_file():
        others = sorted(p.name for p in path.parent.iterdir()) if path.parent.is_dir() else []
        finding = f"there is no file {shown}"
        if others:
            finding += f" (the folder .git/objects/{sha[:2]}/ holds: {', '.join(others[:5])})"
        return finding, (
            "an object lives at .git/objects/<first 2 hex digits>/<other 38 hex digits> "
            "of its SHA-1, in lowercase hex"
        )
    raw = path.read_bytes()
    if HEADER.match(raw.split(b"\0", 1)[0]) or raw.startswith((b"blob", b"tree", b"commit")):
        return (
            f"{shown} is not compressed: it starts with {show(raw[:40])}",
            "git stores every object zlib-compressed: write header + content compressed with zlib, "
            'not the raw bytes (a zlib stream starts with the byte 0x78, shown as "x")',
        )
    try:
        data = zlib.decompress(raw)
    except zlib.error as exc:
        return (
            f"{shown} is not a zlib stream ({exc}); its first bytes are {show(raw[:24])}",
            "compress with zlib (a zlib header, deflate data and a checksum), not raw deflate "
            "nor gzip: zlib's compress (deflate with a zlib header), as git does",
        )
    head, nul, body = data.partition(b"\0")
    match = HEADER.match(head)
    if not nul or match is None:
        return (
            f"{shown} decompresses to {show(data[:48])}, which does not start with a header "
            f'such as "blob {len(data)}\\0"',
            'every object starts with the header "<type> <size in bytes>" and a NUL byte, '
            "before the content; the SHA-1 is computed over header and content together",
        )
    if int(match.group(2)) != len(body):
        return (
            f"{shown} has the header {show(head + nul)} but {len(body)} bytes of content after it",
            "the size in the header is the length in bytes of the content that follows the NUL "
            "(bytes, not characters)",
        )
    actual = hashlib.sha1(data).hexdigest()
    if actual != sha:
        return (
            f"{shown} holds an object whose SHA-1 is {actual}, not {sha}",
            "the file name must be the SHA-1 of the uncompressed object, header included",
        )
    return "", None
