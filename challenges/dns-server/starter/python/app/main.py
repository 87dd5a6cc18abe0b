import argparse
import socket  # noqa: F401
import struct  # noqa: F401


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--zone", required=True, help="the zone file to serve")
    parser.add_argument("--resolver", help="HOST:PORT of the upstream resolver (a later stage)")
    args = parser.parse_args()  # noqa: F841
    print("Logs from your program will appear here!")

    # Your code starts here: `crack task` shows what to do.


if __name__ == "__main__":
    main()
