import argparse
import socket  # noqa: F401


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()  # noqa: F841
    print("Logs from your program will appear here!")

    # Your code starts here: `crack task` shows what to do.


if __name__ == "__main__":
    main()
