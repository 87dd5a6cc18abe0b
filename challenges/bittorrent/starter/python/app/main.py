import sys


def main() -> None:
    # crack runs: ./your_program.sh COMMAND ARGUMENTS...
    # (decode VALUE, info FILE, peers FILE, handshake FILE IP:PORT,
    #  download_piece -o OUT FILE INDEX, download -o OUT FILE)
    # Write logs to stderr: the tester reads what your program prints on stdout.
    print("Logs from your program will appear here!", file=sys.stderr)

    # Your code starts here: `crack task` shows what to do.
    sys.exit(1)


if __name__ == "__main__":
    main()
