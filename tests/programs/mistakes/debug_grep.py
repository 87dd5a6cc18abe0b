"""A grep for the first stage (a literal character) that is right, but prints its
debugging on standard output along with the lines it selects."""

import sys

pattern = sys.argv[sys.argv.index("-E") + 1]
print(f"DEBUG: pattern={pattern!r}")
selected = 0
for line in sys.stdin:
    print(f"[debug] line={line!r}")
    if pattern in line:
        sys.stdout.write(line)
        selected += 1
sys.exit(0 if selected else 1)
