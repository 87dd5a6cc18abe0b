import sys


def main() -> None:
    # crack runs: ./your_program.sh tokenize|parse|evaluate|run FILE
    # stdout is compared with the reference's, so write logs to stderr.
    print("Logs from your program will appear here!", file=sys.stderr)

    # Your code starts here: `crack task` shows what to do.
    sys.exit(1)


if __name__ == "__main__":
    main()
