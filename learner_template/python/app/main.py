import sys


def main() -> None:
    print("Logs from your program will appear here!", file=sys.stderr)
    # Your code starts here: read the task with `crack task`.


if __name__ == "__main__":
    main()
