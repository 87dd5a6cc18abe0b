import argparse
import json  # noqa: F401
import socket  # noqa: F401


def main() -> None:
    # crack starts each node as: --id n1 --peers n1,n2,n3 --port N --data-dir DIR
    parser = argparse.ArgumentParser()
    parser.add_argument("--id", required=True)
    parser.add_argument("--peers", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data-dir", required=True)
    args = parser.parse_args()  # noqa: F841

    # Debug output goes to the terminal under [your_program n1] while crack grades you.
    print("Logs from your program will appear here!")

    # Your code starts here: listen on 127.0.0.1, port --port, accept crack's network's
    # connection and answer the JSON messages that arrive on it, one per line.
    # `crack task` shows what to do.


if __name__ == "__main__":
    main()
