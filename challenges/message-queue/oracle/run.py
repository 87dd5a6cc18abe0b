"""The message-queue challenge's oracle: beanstalkd itself, on crack's arguments.

crack appends ``--port N --data-dir D``; beanstalkd takes ``-p N`` and ``-b D`` (its binlog,
the write-ahead log it replays at start). This adapter translates the two flags and
``exec``s beanstalkd in the foreground, so every byte the tester reads comes from the real
server and crack's process-tree teardown ends it. ``-l 127.0.0.1`` keeps it off other
interfaces, as every program crack grades.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", required=True)
    parser.add_argument("--data-dir", required=True)
    args = parser.parse_args()
    binary = shutil.which("beanstalkd")
    if binary is None:
        print("beanstalkd is not installed: apt-get install beanstalkd", file=sys.stderr)
        raise SystemExit(1)
    os.execv(binary, [binary, "-l", "127.0.0.1", "-p", args.port, "-b", args.data_dir])


if __name__ == "__main__":
    main()
