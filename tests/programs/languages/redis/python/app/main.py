import argparse
import socket


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=6379)
    args = parser.parse_args()

    # Debug output goes to the terminal under [your_program] while crack grades you.
    print("Logs from your program will appear here!")

    # Stage 1: bind, listen, accept.
    server = socket.create_server(("127.0.0.1", args.port), reuse_port=True)
    server.accept()  # wait for the first client


if __name__ == "__main__":
    main()
