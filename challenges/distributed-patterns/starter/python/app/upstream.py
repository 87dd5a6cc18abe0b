"""The upstream service of the retry and circuit-breaker stages: one request per connection.

You do not need to edit this file. `request` connects to the upstream on 127.0.0.1, sends
one line and reads one line back, and returns (True, body) for a reply "OK <body>", or
(False, error) for anything else: "503", "400" … for a reply "ERROR <code>", or
"refused", "reset", "closed" (no reply) or "timeout" when the connection fails.
"""

from __future__ import annotations

import socket

TIMEOUT_S = 2.0


def request(port: int) -> tuple[bool, str]:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_S) as conn:
            conn.sendall(b"REQUEST\n")
            data = b""
            while not data.endswith(b"\n"):
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
    except ConnectionRefusedError:
        return False, "refused"
    except ConnectionResetError:
        return False, "reset"
    except TimeoutError:
        return False, "timeout"
    line = data.decode("utf-8", errors="replace").strip()
    if not data.endswith(b"\n"):
        return False, "closed"
    word, _, rest = line.partition(" ")
    if word == "OK":
        return True, rest
    if word == "ERROR" and rest:
        return False, rest
    return False, f"bad reply {line[:40]!r}"
