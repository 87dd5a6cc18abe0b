import argparse
import socket
import threading


def serve(connection: socket.socket) -> None:
    with connection, connection.makefile("rwb") as stream:
        for line in stream:
            stream.write(b"hello " + line.rstrip(b"\n") + b"\n")
            stream.flush()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    print("Logs from your program will appear here!")

    server = socket.create_server(("127.0.0.1", args.port), reuse_port=True)
    while True:
        connection, _ = server.accept()
        threading.Thread(target=serve, args=(connection,), daemon=True).start()


if __name__ == "__main__":
    main()
