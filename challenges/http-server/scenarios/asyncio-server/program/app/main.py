"""An HTTP/1.1 server on asyncio streams: one coroutine per connection, no threads."""

import argparse
import asyncio
import gzip
from pathlib import Path

REASONS = {200: "OK", 201: "Created", 404: "Not Found"}


def reply(status: int, body: bytes = b"", content_type: str = "", coding: str = "") -> bytes:
    lines = [f"HTTP/1.1 {status} {REASONS[status]}"]
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    if coding == "gzip":
        body = gzip.compress(body, mtime=0)
        lines.append("Content-Encoding: gzip")
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Server:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except asyncio.IncompleteReadError:
                    break
                request_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
                method, target, _version = request_line.split(" ", 2)
                headers: dict[str, str] = {}
                for line in header_lines:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                writer.write(self.route(method, target, headers, body))
                await writer.drain()
                if "close" in [t.strip().lower() for t in headers.get("connection", "").split(",")]:
                    break
        finally:
            writer.close()

    def route(self, method: str, target: str, headers: dict[str, str], body: bytes) -> bytes:
        accepted = {c.split(";")[0].strip().lower() for c in headers.get("accept-encoding", "").split(",")}
        if target == "/":
            return reply(200)
        if target.startswith("/echo/"):
            coding = "gzip" if "gzip" in accepted else ""
            return reply(200, target[len("/echo/") :].encode(), "text/plain", coding)
        if target == "/user-agent":
            return reply(200, headers.get("user-agent", "").encode(), "text/plain")
        if target.startswith("/files/"):
            path = self.directory / target[len("/files/") :]
            if method == "POST":
                path.write_bytes(body)
                return reply(201)
            if path.is_file():
                return reply(200, path.read_bytes(), "application/octet-stream")
        return reply(404)


async def serve(port: int, directory: Path) -> None:
    server = await asyncio.start_server(Server(directory).handle, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=4221)
    parser.add_argument("--directory", default=".")
    args = parser.parse_args()
    asyncio.run(serve(args.port, Path(args.directory)))


if __name__ == "__main__":
    main()
