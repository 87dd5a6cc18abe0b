"""Submissions as tarballs, on a Python without tarfile's extraction filters.

Python 3.11.4 added ``extractall(filter=...)``; Debian 12 ships 3.11.2, which crack supports.
Here such a Python is simulated (``extractall`` without ``filter``, no ``data_filter``): a
tarball is still unpacked, and what the "data" filter refuses is still refused.
"""

from __future__ import annotations

import io
import os
import stat
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from crack.batch.sources import SubmissionError, parse_source, prepare

_REAL_EXTRACTALL = tarfile.TarFile.extractall
_FILTERS = {"filter": "fully_trusted"} if hasattr(tarfile, "data_filter") else {}
"""How the simulated old extractall calls the real one: on an old Python, as it is."""


@pytest.fixture
def old_tarfile(monkeypatch: pytest.MonkeyPatch) -> None:
    def extractall(
        self: tarfile.TarFile, path: Any = ".", members: Any = None, *, numeric_owner: bool = False
    ) -> None:
        _REAL_EXTRACTALL(self, path, members, numeric_owner=numeric_owner, **_FILTERS)

    monkeypatch.setattr(tarfile.TarFile, "extractall", extractall)
    monkeypatch.delattr(tarfile, "data_filter", raising=False)


def _tarball(path: Path, add: Callable[[tarfile.TarFile], None]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        add(tar)
    return path


def _file(tar: tarfile.TarFile, name: str, data: bytes = b"x", mode: int = 0o644) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.uid, info.gid = len(data), mode, 4242, 4242
    tar.addfile(info, io.BytesIO(data))


def _link(tar: tarfile.TarFile, name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> None:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    tar.addfile(info)


def _prepare(archive: Path, tmp_path: Path) -> Path:
    return prepare(parse_source(str(archive)), tmp_path / "out")


def test_a_tarball_unpacks_without_extraction_filters(old_tarfile: None, tmp_path: Path) -> None:
    def add(tar: tarfile.TarFile) -> None:
        _file(tar, "prog-1.0/your_program.sh", b"#!/bin/sh\n", 0o4755)
        _file(tar, "prog-1.0/app/main.py", b"print(1)\n")
        _link(tar, "prog-1.0/run.sh", "your_program.sh")
        _link(tar, "prog-1.0/app/again.py", "prog-1.0/app/main.py", tarfile.LNKTYPE)

    program = _prepare(_tarball(tmp_path / "prog.tar.gz", add), tmp_path)
    assert program.name == "prog-1.0"
    script = program / "your_program.sh"
    assert script.read_bytes() == b"#!/bin/sh\n"
    assert stat.S_IMODE(script.stat().st_mode) == 0o755  # executable, the setuid bit dropped
    assert script.stat().st_uid == os.getuid()  # not the archive's owner
    assert (program / "run.sh").resolve() == script.resolve()
    assert (program / "app" / "again.py").read_bytes() == b"print(1)\n"


@pytest.mark.parametrize(
    ("add", "why"),
    [
        (lambda tar: _file(tar, "../escaped.txt"), "'../escaped.txt' (outside the archive)"),
        (lambda tar: _file(tar, "/tmp/absolute.txt"), "'/tmp/absolute.txt' (outside the archive)"),
        (lambda tar: _link(tar, "prog/etc", "/etc"), "'prog/etc' -> '/etc' (outside the archive)"),
        (lambda tar: _link(tar, "prog/up", "../../x"), "'prog/up' -> '../../x' (outside the archive)"),
        (
            lambda tar: _link(tar, "prog/hard", "../x", tarfile.LNKTYPE),
            "'prog/hard' -> '../x' (outside the archive)",
        ),
        (lambda tar: _link(tar, "prog/fifo", "", tarfile.FIFOTYPE), "'prog/fifo' (a device or pipe)"),
    ],
    ids=["dot-dot", "absolute", "symlink-absolute", "symlink-up", "hardlink-up", "fifo"],
)
def test_what_the_data_filter_refuses_is_refused_without_it(
    old_tarfile: None, tmp_path: Path, add: Callable[[tarfile.TarFile], None], why: str
) -> None:
    archive = _tarball(tmp_path / "bad.tar.gz", add)
    with pytest.raises(SubmissionError) as raised:
        _prepare(archive, tmp_path)
    assert str(raised.value).endswith(why)
    assert not (tmp_path / "escaped.txt").exists() and not Path("/tmp/absolute.txt").exists()
