"""The images the tester gives the runtime: a busybox root filesystem and an OCI image.

The root filesystem is Debian's statically linked busybox (``busybox-static``) copied into
a folder with one symlink per applet, the folders a container expects (/proc, /dev with
null and zero, /sys, /tmp), a file only the image holds (``/etc/crack-image``, a random token) and the probe.
The OCI image is the same folder as an image layout tarball of two layers, the second of
which adds a file and deletes one with a whiteout, as ``docker save``'s layers do.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import stat
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

BUSYBOX = "/bin/busybox"
IMAGE_MARKER = "etc/crack-image"
PROBE_PATH = "/probe"

PROBE = r"""#!/bin/sh
# The tester's probe: what a process in the container sees, one "key: value" per line.
# $1: a file of the host's, which the container must not be able to read.
secret="$1"
echo "pid: $$"
echo "cwd: $(pwd)"
echo "hostname: $(hostname)"
echo "image: $(cat /etc/crack-image 2>/dev/null || echo missing)"
if [ -r /proc/self/stat ]; then echo "proc: mounted"; else echo "proc: missing"; fi
for ns in mnt uts pid net; do
    echo "ns.$ns: $(readlink /proc/self/ns/$ns 2>/dev/null || echo unknown)"
done
set -- /proc/[0-9]*
echo "processes: $#"
echo "interfaces: $(tail -n +3 /proc/net/dev 2>/dev/null | cut -d: -f1 | tr -d ' ' | sort | tr '\n' ' ')"
echo "lo: $(ip -o link show lo 2>/dev/null | cut -d' ' -f3)"
echo "mounts: $(cut -d' ' -f5 /proc/self/mountinfo 2>/dev/null | sort -u | tr '\n' ' ')"
if [ -n "$secret" ]; then
    echo "host-file: $(cat "$secret" 2>/dev/null || echo unreadable)"
    # Back into the mount namespace's own root: out of a chroot, not out of a pivot_root.
    echo "escape: $(nsenter --mount=/proc/self/ns/mnt /bin/busybox cat "$secret" 2>/dev/null || echo failed)"
fi
"""


@dataclass
class Image:
    rootfs: Path
    marker: str
    """The token in /etc/crack-image, which only the image holds."""


def applets() -> list[str]:
    out = subprocess.run([BUSYBOX, "--list"], capture_output=True, text=True, check=True).stdout
    return [name for name in out.split() if "/" not in name]


def build_rootfs(folder: Path, marker: str) -> Image:
    """A busybox root filesystem in ``folder`` (which must not exist)."""
    for sub in ("bin", "proc", "dev", "sys", "tmp", "etc", "root"):
        (folder / sub).mkdir(parents=True)
    os.chmod(folder / "tmp", 0o1777)
    shutil.copy2(BUSYBOX, folder / "bin" / "busybox")
    for name in applets():
        if name != "busybox":
            os.symlink("busybox", folder / "bin" / name)
    for name, minor in (("null", 3), ("zero", 5)):
        # The devices a shell's redirections and dd need; runc mounts its own /dev over them.
        os.mknod(folder / "dev" / name, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
        os.chmod(folder / "dev" / name, 0o666)
    (folder / IMAGE_MARKER).write_text(marker + "\n")
    (folder / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
    (folder / "etc" / "group").write_text("root:x:0:\n")
    probe = folder / PROBE_PATH.lstrip("/")
    probe.write_text(PROBE)
    probe.chmod(0o755)
    return Image(folder, marker)


def snapshot(folder: Path) -> dict[str, str]:
    """Every path under ``folder`` with what it is: a file's hash, a link's target."""
    out: dict[str, str] = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root) / name
            rel = str(path.relative_to(folder))
            if path.is_symlink():
                out[rel] = "-> " + os.readlink(path)
            elif path.is_dir():
                out[rel] = "dir"
            elif path.is_file():
                out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
            else:  # a device, a FIFO: never read
                out[rel] = oct(path.lstat().st_mode)
    return out


def _layer(files: list[tuple[str, bytes | None]], base: Path | None) -> bytes:
    """A gzip-compressed layer: ``base``'s tree, then (name, bytes) files; None is a whiteout."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as archive:
        if base is not None:
            for path in sorted(base.rglob("*")):
                archive.add(path, arcname=str(path.relative_to(base)), recursive=False)
        for name, data in files:
            if data is None:
                parent, _, leaf = name.rpartition("/")
                name, data = f"{parent}/.wh.{leaf}", b""
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            archive.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), mtime=0)


def build_oci_image(rootfs: Path, tarball: Path, added: tuple[str, bytes], removed: str) -> None:
    """An OCI image layout tarball: layer 1 is ``rootfs``, layer 2 adds ``added`` and
    deletes ``removed`` with a whiteout."""
    blobs: dict[str, bytes] = {}

    def put(data: bytes) -> dict[str, object]:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        blobs[digest] = data
        return {"digest": digest, "size": len(data)}

    layers = [_layer([], rootfs), _layer([added, (removed, None)], None)]
    diff_ids = ["sha256:" + hashlib.sha256(gzip.decompress(layer)).hexdigest() for layer in layers]
    config = {
        "architecture": "amd64",
        "os": "linux",
        "config": {"Env": ["PATH=/bin", "CRACK_FROM_IMAGE=yes"], "Cmd": ["/bin/sh"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            **put(json.dumps(config).encode()),
        },
        "layers": [
            {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", **put(layer)} for layer in layers
        ],
    }
    index = {
        "schemaVersion": 2,
        "manifests": [
            {"mediaType": "application/vnd.oci.image.manifest.v1+json", **put(json.dumps(manifest).encode())}
        ],
    }
    with tarfile.open(tarball, "w") as archive:
        entries = {
            "oci-layout": json.dumps({"imageLayoutVersion": "1.0.0"}).encode(),
            "index.json": json.dumps(index).encode(),
        }
        for digest, data in blobs.items():
            entries["blobs/sha256/" + digest.split(":", 1)[1]] = data
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
