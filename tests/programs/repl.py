"""An interactive prompt: echoes lines back until 'quit'; with argv, a one-shot tool."""

import sys

if sys.argv[1:] == ["sleep"]:
    import time

    time.sleep(60)
if len(sys.argv) > 1:
    data = sys.stdin.read()
    sys.stdout.write(data[::-1])
    sys.exit(int(sys.argv[1]))
while True:
    line = input("> ")
    if line == "quit":
        break
    print(f"you said {line}")
