import sys


def main() -> None:
    # crack runs: ./your_program.sh run [OPTIONS] ROOTFS CMD ARGS...
    # (as root: containers need it). stdout belongs to the command, so log to stderr.
    print("Logs from your program will appear here!", file=sys.stderr)

    # Your code starts here: `crack task` shows what to do.
    sys.exit(1)


if __name__ == "__main__":
    main()
