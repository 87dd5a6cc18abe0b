import sys


def main() -> None:
    # crack runs you as: ./your_program.sh DATABASE COMMAND
    # for example:       ./your_program.sh sample.db .dbinfo
    database_path, command = sys.argv[1], sys.argv[2]

    # Debug output goes to stderr: crack compares only what you print on stdout.
    print("Logs from your program will appear here!", file=sys.stderr)

    if command == ".dbinfo":
        # Your code starts here: `crack task` shows what to do. A first step:
        #
        # with open(database_path, "rb") as database_file:
        #     header = database_file.read(100)
        #     page_size = int.from_bytes(header[16:18], byteorder="big")
        #     print(f"database page size: {page_size}")
        print(f"not implemented yet: {command} on {database_path}", file=sys.stderr)
        sys.exit(1)
    else:
        print(f"unknown command: {command}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
