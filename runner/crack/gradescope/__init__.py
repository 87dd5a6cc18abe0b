"""Gradescope autograders: ``crack gradescope build <challenge> -o autograder.zip``.

The zip is what Gradescope's "Configure Autograder" page takes: ``setup.sh`` (run once, when
Gradescope builds the image: a virtual environment with crack's dependencies) and
``run_autograder`` (run per submission: grades ``/autograder/submission`` and writes
``/autograder/results/results.json``). crack itself travels inside the zip (``crack_src/``,
with only this challenge's data), so the autograder needs no package index for crack and
grades with exactly the crack that built it.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from crack.challenge.model import Challenge, Stage
from crack.errors import CrackUsageError

CONFIG_NAME = "crack-autograder.json"
ROOT_ENV = "CRACK_AUTOGRADER_ROOT"
"""Where the /autograder tree is; tests point it at a temporary folder."""

_PACKAGE_DIR = Path(__file__).resolve().parents[1]
_SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "_data", "scenarios", ".mypy_cache")

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, in /autograder/source, when it builds the autograder image.
# It leaves ./python, which starts the interpreter run_autograder grades with. By default a
# virtual environment with crack's dependencies, on a Python >= 3.11 the image has (or
# python3.11, installed, on Ubuntu 22.04). CRACK_AUTOGRADER_PYTHON names an interpreter that already has
# them (a custom image; the tests) and is used as it is.
set -euo pipefail
cd "$(dirname "$0")"
find_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  return 1
}
if [ -n "${CRACK_AUTOGRADER_PYTHON:-}" ]; then
  PYTHON="$CRACK_AUTOGRADER_PYTHON"
else
  if ! BASE=$(find_python); then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq python3.11 python3.11-venv git >/dev/null
    BASE=$(find_python)
  fi
  # --system-site-packages: what the image already has is reused rather than downloaded.
  "$BASE" -m venv --system-site-packages venv
  PYTHON="$PWD/venv/bin/python"
fi
"$PYTHON" -m pip install -q -r requirements.txt
# ./python starts that interpreter by its own path. Not a symlink: Python looks for a virtual
# environment's pyvenv.cfg beside the path it was started by, so a symlink to venv/bin/python
# would start the bare base interpreter, without crack's dependencies.
rm -f python
printf '#!/usr/bin/env bash\\nexec %q "$@"\\n' "$PYTHON" >python
chmod 755 python
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "crack needs Python >= 3.11; $PYTHON is older" >&2; exit 1; }
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for each submission: crack grades /autograder/submission and writes
# /autograder/results/results.json. CRACK_AUTOGRADER_ROOT moves the whole tree (for tests).
set -uo pipefail
ROOT="${CRACK_AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
PYTHON="$SOURCE/python"
[ -x "$PYTHON" ] || PYTHON=python3
export PYTHONPATH="$SOURCE/crack_src${PYTHONPATH:+:$PYTHONPATH}"
RESULTS="$ROOT/results/results.json"
rm -f "$RESULTS"
"$PYTHON" -m crack.gradescope.autograder --root "$ROOT" --config "$SOURCE/crack-autograder.json"
code=$?
if [ ! -s "$RESULTS" ]; then
  # crack did not even start (an interpreter without its dependencies, a damaged image).
  # Without a results.json the student sees only "The autograder failed to execute
  # correctly"; this one says whose fault it is. The cause is in this script's output.
  mkdir -p "$ROOT/results"
  why="internal error in crack's autograder (not your fault; tell your instructor)"
  why="$why: it stopped with status $code before grading"
  printf '{"score": 0, "output": "%s", "visibility": "visible", "tests": []}\\n' "$why" >"$RESULTS"
  [ "$code" -ne 0 ] || code=3
fi
exit "$code"
"""


def requirements() -> list[str]:
    """crack's own runtime dependencies, as its installed metadata lists them (no extras)."""
    try:
        listed = metadata.requires("crack") or []
    except metadata.PackageNotFoundError:
        raise CrackUsageError("crack's package metadata is missing: install crack with pip first") from None
    return [req for req in listed if "extra ==" not in req]


def build_autograder(
    challenge: Challenge, stages: Sequence[Stage], output: Path, run: str | None = None
) -> Path:
    """Write the autograder zip for ``challenge`` (graded on ``stages``) to ``output``."""
    if output.suffix != ".zip":
        raise CrackUsageError(f"-o {output}: Gradescope takes a .zip file")
    config = {
        "challenge": challenge.slug,
        "stages": [stage.slug for stage in stages],
        "run": run,
    }
    with tempfile.TemporaryDirectory(prefix="crack-gradescope-") as tmp:
        tree = Path(tmp)
        package = tree / "crack_src" / "crack"
        shutil.copytree(_PACKAGE_DIR, package, ignore=_SKIP)
        shutil.copytree(challenge.directory, package / "_data" / "challenges" / challenge.slug, ignore=_SKIP)
        (tree / "requirements.txt").write_text("\n".join(requirements()) + "\n", encoding="utf-8")
        (tree / CONFIG_NAME).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        (tree / "setup.sh").write_text(SETUP_SH, encoding="utf-8")
        (tree / "run_autograder").write_text(RUN_AUTOGRADER, encoding="utf-8")
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(f".{output.name}.partial")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as bundle:
            for path in sorted(tree.rglob("*")):
                if path.is_dir():
                    continue
                info = zipfile.ZipInfo.from_file(path, path.relative_to(tree).as_posix())
                executable = path.name in ("setup.sh", "run_autograder")
                info.external_attr = (0o755 if executable else 0o644) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                bundle.writestr(info, path.read_bytes())
        partial.replace(output)
    return output
