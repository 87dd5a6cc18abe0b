import argparse
import json  # noqa: F401
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # noqa: F401


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--data-dir", default="data")
    parser.add_argument("--jwt-secret", default="change-me")
    args = parser.parse_args()  # noqa: F841

    # Debug output goes to the terminal under [your_program] while crack grades you.
    print("Logs from your program will appear here!")

    # Your code starts here: serve the JSON API on 127.0.0.1, port --port. `crack task`
    # shows what to do. Uncomment this to start:
    #
    # server = ThreadingHTTPServer(("127.0.0.1", args.port), BaseHTTPRequestHandler)
    # server.serve_forever()


if __name__ == "__main__":
    main()
