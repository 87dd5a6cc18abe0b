import argparse
import socket  # noqa: F401


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=11300)
    parser.add_argument("--data-dir", default="data")
    args = parser.parse_args()  # noqa: F841

    # Debug output goes to the terminal under [your_program] while crack grades you.
    print("Logs from your program will appear here!")

    # Your code starts here: serve beanstalk's protocol on 127.0.0.1, port --port, and keep
    # your files under --data-dir. `crack task` shows what to do. Uncomment this to start:
    #
    # server = socket.create_server(("127.0.0.1", args.port))
    # while True:
    #     conn, _ = server.accept()


if __name__ == "__main__":
    main()
