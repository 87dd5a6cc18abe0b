"""The raft challenge's oracle: one etcd member behind a node's interface.

Started like a learner's node (``--id n1 --peers n1,n2,n3 --port P --data-dir D``), it
listens on ``P`` for the network's connection and answers the clients' messages (get,
put, cas, status) by calling its etcd member's JSON API (the v3 gRPC gateway). etcd's
members talk to each other over their own protocol on their own ports, not through the
tester's network: the oracle takes part in the stages where the tester crashes and pauses
nodes, not in those where it plays a peer or partitions the network.

The members find each other through the folder that holds every node's data folder: each
writes the two ports it picked there (kept for its restarts) and waits for the others'.
etcd runs in the foreground as this process's child, so crack's process-tree teardown (and
a crash, SIGKILL of the whole tree) ends both.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

REQUEST_TIMEOUT_S = 10.0


def free_port() -> int:
    """A free port below the kernel's ephemeral range: the tester hands out the nodes'
    ports from that range (the kernel's picks), and a node not yet listening on its port
    must not find etcd there."""
    rng = random.Random()
    while True:
        port = rng.randrange(20000, 32000)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def unb64(text: str) -> str:
    return base64.b64decode(text).decode()


class Member:
    def __init__(self, node_id: str, peers: list[str], data_dir: Path) -> None:
        self.id = node_id
        self.peers = peers
        self.data_dir = data_dir
        self.rendezvous = data_dir.parent / ".etcd-ports"
        self.rendezvous.mkdir(exist_ok=True)
        mine = self.rendezvous / f"{node_id}.json"
        if not mine.exists():
            tmp = mine.with_suffix(".tmp")
            tmp.write_text(json.dumps({"peer": free_port(), "client": free_port()}))
            os.replace(tmp, mine)
        self.ports = json.loads(mine.read_text())
        self.client_url = f"http://127.0.0.1:{self.ports['client']}"
        self.ready = threading.Event()
        self.names: dict[str, str] = {}

    def start(self) -> None:
        everyone: dict[str, Any] = {}
        while len(everyone) < len(self.peers):
            for peer in self.peers:
                path = self.rendezvous / f"{peer}.json"
                if peer not in everyone and path.exists():
                    everyone[peer] = json.loads(path.read_text())
            time.sleep(0.02)
        cluster = ",".join(f"{p}=http://127.0.0.1:{everyone[p]['peer']}" for p in self.peers)
        peer_url = f"http://127.0.0.1:{self.ports['peer']}"
        subprocess.Popen(
            [
                "etcd",
                f"--name={self.id}",
                f"--data-dir={self.data_dir / 'etcd'}",
                f"--listen-client-urls={self.client_url}",
                f"--advertise-client-urls={self.client_url}",
                f"--listen-peer-urls={peer_url}",
                f"--initial-advertise-peer-urls={peer_url}",
                f"--initial-cluster={cluster}",
                "--initial-cluster-state=new",
                "--heartbeat-interval=50",
                "--election-timeout=500",
            ],
            stdout=subprocess.DEVNULL,
            stderr=(self.data_dir / "etcd.log").open("ab"),
        )
        while True:
            try:
                self.call("/v3/maintenance/status", {}, timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        self.ready.set()

    def call(self, path: str, body: dict[str, Any], timeout: float = REQUEST_TIMEOUT_S) -> dict[str, Any]:
        request = urllib.request.Request(
            self.client_url + path, data=json.dumps(body).encode(), method="POST"
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer: dict[str, Any] = json.loads(response.read())
            return answer

    def name_of(self, member_id: str) -> str | None:
        if member_id in ("", "0"):
            return None
        if member_id not in self.names:
            for member in self.call("/v3/cluster/member/list", {}, timeout=1).get("members", []):
                self.names[member["ID"]] = member.get("name", "")
        return self.names.get(member_id)

    def answer(self, body: dict[str, Any]) -> dict[str, Any]:
        self.ready.wait()
        kind = body.get("type")
        if kind == "put":
            self.call("/v3/kv/put", {"key": b64(body["key"]), "value": b64(body["value"])})
            return {"type": "put_ok"}
        if kind == "get":
            kvs = self.call("/v3/kv/range", {"key": b64(body["key"])}).get("kvs", [])
            return {"type": "get_ok", "value": unb64(kvs[0].get("value", "")) if kvs else None}
        if kind == "cas":
            key, new = b64(body["key"]), b64(body["to"])
            compare = {"key": key, "result": "EQUAL", "target": "VALUE", "value": b64(body["from"])}
            txn = {"compare": [compare], "success": [{"requestPut": {"key": key, "value": new}}]}
            if self.call("/v3/kv/txn", txn).get("succeeded"):
                return {"type": "cas_ok"}
            return {"type": "error", "code": "precondition_failed", "text": "the value is not 'from'"}
        if kind == "status":
            return self.status()
        return {"type": "error", "code": "unsupported", "text": f"the oracle does not handle {kind!r}"}

    def status(self) -> dict[str, Any]:
        """Role, term and leader from etcd's status. Just after an election, etcd may name
        itself leader while its status still shows the previous term; a member that says it
        leads is asked for a linearizable read first (which only a confirmed leader answers),
        and its term read again after it."""
        status = self.call("/v3/maintenance/status", {}, timeout=2)
        me, leader = status["header"]["member_id"], status.get("leader", "0")
        term = int(status.get("raftTerm", 0))
        if leader == me:
            try:
                read = self.call("/v3/kv/range", {"key": b64("status")}, timeout=1)
                again = self.call("/v3/maintenance/status", {}, timeout=1)
            except OSError:
                return {"type": "status_ok", "role": "follower", "term": term, "leader": None}
            if again.get("leader") != me:
                return {"type": "status_ok", "role": "follower", "term": term, "leader": None}
            term = max(term, int(read["header"].get("raft_term", 0)), int(again.get("raftTerm", 0)))
        return {
            "type": "status_ok",
            "role": "leader" if leader == me else "follower",
            "term": term,
            "leader": self.name_of(leader),
        }


def serve(member: Member, port: int) -> None:
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen()
    while True:
        conn, _ = listener.accept()
        lock = threading.Lock()

        def reply(message: dict[str, Any], conn: socket.socket = conn, lock: threading.Lock = lock) -> None:
            body = message["body"]
            try:
                answer = member.answer(body)
            except (OSError, ValueError, KeyError) as exc:
                answer = {"type": "error", "code": "unavailable", "text": str(exc)}
            answer["in_reply_to"] = body.get("msg_id")
            line = json.dumps({"src": member.id, "dest": message["src"], "body": answer}) + "\n"
            with lock:
                try:
                    conn.sendall(line.encode())
                except OSError:
                    pass

        for line in conn.makefile("r"):
            if line.strip():
                threading.Thread(target=reply, args=(json.loads(line),), daemon=True).start()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--id", required=True)
    parser.add_argument("--peers", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data-dir", required=True)
    args = parser.parse_args()
    member = Member(args.id, args.peers.split(","), Path(args.data_dir))
    threading.Thread(target=member.start, daemon=True).start()
    try:
        serve(member, args.port)
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
