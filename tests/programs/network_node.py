"""A node for the cluster and router tests: listens on --port, serves the router's one
connection at a time, and keeps a start count in its data folder (to see a restart keep it).

Messages: echo -> echo_ok; relay {to, text} -> sends relayed {text, reply_to} to ``to``;
relayed -> sends got {text} to reply_to; starts -> starts_ok {starts}; garble -> writes a
line that is not JSON. It also starts a child process, to prove a crash ends the whole tree.
"""

import argparse
import json
import socket
import subprocess
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("--id", required=True)
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--data-dir", required=True)
args = parser.parse_args()

counter = Path(args.data_dir) / "starts"
starts = int(counter.read_text()) + 1 if counter.exists() else 1
counter.write_text(str(starts))
child = subprocess.Popen(["sleep", "600"])
Path(args.data_dir, "child.pid").write_text(str(child.pid))

listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", args.port))
listener.listen()
while True:
    conn, _ = listener.accept()
    out = conn.makefile("w")

    def send(dest: str, body: dict, out=out) -> None:  # type: ignore[no-untyped-def]
        out.write(json.dumps({"src": args.id, "dest": dest, "body": body}) + "\n")
        out.flush()

    for line in conn.makefile("r"):
        message = json.loads(line)
        body, src = message["body"], message["src"]
        kind = body["type"]
        if kind == "echo":
            send(src, {"type": "echo_ok", "in_reply_to": body["msg_id"], "text": body["text"]})
        elif kind == "relay":
            send(body["to"], {"type": "relayed", "text": body["text"], "reply_to": src})
        elif kind == "relayed":
            send(body["reply_to"], {"type": "got", "text": body["text"], "via": src})
        elif kind == "starts":
            send(src, {"type": "starts_ok", "in_reply_to": body["msg_id"], "starts": starts})
        elif kind == "garble":
            out.write("this is not json\n")
            out.flush()
