"""Write runner/crack/help_text.py: ``crack --help`` as click renders it at full width, with
the fingerprint of the sources it was rendered from (see crack.quick).

Run it after changing a command's name or docstring: `python scripts/render_help.py`.
Until then crack still prints the right help, only through click (slower).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import crack
from crack.quick import HELP_WIDTH, sources_fingerprint

TARGET = Path(crack.__file__).with_name("help_text.py")


def render() -> str:
    """The help exactly as the full command line prints it (click's test runner formats
    help at another width)."""
    code = "import sys; sys.argv = ['crack', '--help']; from crack.cli import main; main()"
    env = {**os.environ, "COLUMNS": str(HELP_WIDTH)}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return result.stdout


def main() -> None:
    text = render()
    assert '"""' not in text and "\\" not in text
    TARGET.write_text(
        '"""``crack --help`` as click renders it at full width (written by scripts/render_help.py;\n'
        'see crack.quick). Generated: edit the commands, then run that script."""\n\n'
        f'FINGERPRINT = "{sources_fingerprint()}"\n'
        f'TEXT = """\\\n{text}"""\n'
    )
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
