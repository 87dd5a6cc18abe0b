"""What the program sees of the stage's scratch folder does not depend on who runs crack.

As root, crack runs the program as an unprivileged user and must let it write what the
tester prepared; it does so by ownership, so the modes stay what the tester set (a program
that copies st_mode into its output would otherwise answer differently as root).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from conftest import grade_json, statuses

TESTER = """
import os, stat
from crack.tester import Tester
tester = Tester("fake")

@tester.stage("modes")
def modes(h):
    folder = h.scratch / "repo" / "src"
    folder.mkdir(parents=True)
    os.chmod(h.scratch / "repo", 0o755)
    os.chmod(folder, 0o755)
    for name, mode in (("plain.txt", 0o644), ("tool.sh", 0o755)):
        (folder / name).write_text(name)
        os.chmod(folder / name, mode)
    result = h.run([str(h.scratch / "repo")])
    seen = result.stdout.decode()
    expected = "src 755\\nsrc/plain.txt 644\\nsrc/tool.sh 755\\nwrote\\n"
    if seen != expected:
        h.fail(f"expected {expected!r}, got {seen!r} (stderr {result.stderr!r})")
    made = folder / "made.txt"
    if made.read_text() != "by the program" or (made.stat().st_mode & 0o777) != 0o644:
        h.fail(f"the program's own file: {oct(made.stat().st_mode)}")
"""

PROGRAM = """
import os, stat, sys
root = sys.argv[1]
for path in ("src", "src/plain.txt", "src/tool.sh"):
    print(path, format(stat.S_IMODE(os.stat(os.path.join(root, path)).st_mode), "o"))
os.umask(0o022)
with open(os.path.join(root, "src", "made.txt"), "w") as handle:  # the tester's folder is writable
    handle.write("by the program")
with open(os.path.join(root, "src", "plain.txt"), "a") as handle:  # and so are its files
    handle.write("!")
print("wrote")
"""


def test_program_sees_the_modes_the_tester_set_and_can_write(
    fake_challenges: Callable[..., Path], tmp_path: Path
) -> None:
    fake_challenges("fake", [{"slug": "modes"}], TESTER)
    program = tmp_path / "program.py"
    program.write_text(PROGRAM)
    os.chmod(tmp_path, 0o755)
    code, report = grade_json(tmp_path, challenge="fake", run=f"{sys.executable} {program}")
    assert statuses(report) == {"modes": "passed"}, report
    assert code == 0
