"""Each hostile program under each isolation mode: time to verdict and what the learner read.

Uses the catalogue the tests assert (tests/hostile.py); prints a markdown table. Run as
root for the full picture (the unprivileged user, cgroups and namespaces need it).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from hostile import CASES, OutsideListener, grade, make_challenge, program_dir, run_command


def first_words(message: str) -> str:
    lines = [line for line in message.splitlines() if line.strip() and not line.startswith("Hint:")]
    text = " / ".join(lines[:2])
    return text if len(text) < 150 else text[:147] + "…"


def main() -> int:
    from crack.containment.docker_mode import DockerUnavailable, client, language_image

    modes = ["none", "namespace", "docker"]
    try:
        language_image(client(), "python")
    except DockerUnavailable as exc:
        print(f"docker: not measured ({exc})")
        modes.remove("docker")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        os.environ["CRACK_CHALLENGE_PATH"] = str(base / "challenges")
        make_challenge(base / "challenges")
        outside = base / "outside"
        outside.mkdir()
        print("| program | mode | verdict | time to verdict | the learner reads |")
        print("| --- | --- | --- | --- | --- |")
        for case in CASES:
            for mode in modes:
                listener = OutsideListener()
                folder = program_dir(base / mode, case)
                run = run_command(case, folder, outside, listener.port)
                outcome = grade(folder, run, mode, stage="serve")
                listener.close()
                first = outcome.first
                said = first_words(first["message"]) or first_words(
                    "\n".join(line for line in first["log"].splitlines() if "[your_program]" in line)
                )
                print(
                    f"| {case.program} | {mode} | {first['status']} | {outcome.seconds:.1f} s | "
                    f"{said.replace('|', '/')} |"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
