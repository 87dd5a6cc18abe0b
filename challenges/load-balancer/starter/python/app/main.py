import argparse
import socket  # noqa: F401


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--config", required=True)
    args = parser.parse_args()  # noqa: F841

    # Debug output goes to the terminal under [your_program] while crack grades you.
    print("Logs from your program will appear here!")

    # Your code starts here: read the config file named by --config, listen on --port,
    # and forward each request to a backend. `crack task` shows what to do.


if __name__ == "__main__":
    main()
