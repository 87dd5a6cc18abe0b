"""Stage 9: the limiter behind HTTP.

crack runs `./your_program.sh --http --port N --config 'fixed-window limit=3 window=10000'`
and sends ordinary HTTP requests carrying `X-Now-Ms` (the current time) and
`X-Client-Id` (who is asking). Answer 200 or 429 with the X-RateLimit-* headers
(`crack task` has their exact meaning). Python's http.server is enough.
"""

from __future__ import annotations

from limiters import Limiter


def serve(port: int, limiter: Limiter) -> None:
    """Listen on 127.0.0.1:port and answer every request through ``limiter``, forever."""
    raise NotImplementedError("serve (app/http_front.py): stage 9")
