import argparse
import socket


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    print("Logs from your program will appear here!")

    server = socket.create_server(("127.0.0.1", args.port), reuse_port=True)
    while True:
        connection, _ = server.accept()
        connection.close()


if __name__ == "__main__":
    main()
