"""The http-server challenge's tester: one function per stage slug of challenge.yaml.

The program is started as ``--port N --directory D``; D is a folder in the stage's scratch
space that the tester fills (and reads back after uploads). The checks are what HTTP/1.1
requires (RFC 9110/9112), not what one server happens to send: header order, extra headers,
and a body framed by Content-Length or by chunked transfer coding are all accepted. nginx
passes every stage (the test suite runs it through the adapter in ``oracle/run.sh``).

- ``wire``: requests as exact bytes, responses read line by line off a raw socket.
- ``realclient``: httpx, a real client, for what an ordinary client library must manage.
- ``common``: the ``Tester``, starting the program, and the checks stages share.
- the stage functions, in order: ``basics`` (bind … user-agent), ``files`` (concurrency,
  serving and uploading files), ``connections`` (keep-alive, pipelining, Connection: close),
  ``encoding`` (Accept-Encoding and gzip).
"""

from __future__ import annotations

# Importing the stage modules registers their functions on ``tester``.
from .basics import bind, concurrent_clients, echo, routing, status_line, user_agent
from .common import tester
from .connections import persistent_connections
from .encoding import content_encoding, gzip_stage
from .files import serve_files, upload_files

__all__ = [
    "bind",
    "concurrent_clients",
    "content_encoding",
    "echo",
    "gzip_stage",
    "persistent_connections",
    "routing",
    "serve_files",
    "status_line",
    "tester",
    "upload_files",
    "user_agent",
]
