import sys


def main() -> None:
    # stdout is what the tester checks (file contents, SHA-1s): print logs to stderr.
    print("Logs from your program will appear here!", file=sys.stderr)

    command = sys.argv[1] if len(sys.argv) > 1 else ""
    # Your code starts here: `crack task` shows what to do.
    print(f"unknown command: {command!r}", file=sys.stderr)
    sys.exit(1)


if __name__ == "__main__":
    main()
