"""Writing files so a crash or a full disk never leaves half a file behind."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write_text(path: Path, text: str) -> None:
    """Write to a temporary file beside ``path``, fsync it, then rename it over ``path``."""
    atomic_write_texts([(path, text)])


def atomic_write_texts(files: list[tuple[Path, str]]) -> None:
    """Write several files so that a refusal (a read-only folder, a full disk) changes none of
    them: every temporary file is written and fsynced first, and renamed over its target, in
    order, only once all of them are."""
    written: list[tuple[str, Path]] = []
    try:
        for path, text in files:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            written.append((tmp, path))
            os.fchmod(fd, _file_mode(path))
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
        while written:
            tmp, path = written[0]
            os.replace(tmp, path)
            written.pop(0)
    except BaseException:
        for tmp, _ in written:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        raise


def _file_mode(path: Path) -> int:
    """The mode the file would get from a plain open(): its old one, else 0666 less umask
    (mkstemp's 0600 would make reports unreadable to the group)."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
