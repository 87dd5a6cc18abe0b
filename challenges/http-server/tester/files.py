"""Stages 7-8: files from --directory served at /files/{name}, and written by POST."""

from __future__ import annotations

from pathlib import Path

from crack.harness import Harness
from crack.harness.bytes_display import show

from .common import (
    BASE_HEADERS,
    check_status,
    connect,
    data_dir,
    hint_if_none,
    request,
    simple_get,
    start,
    tester,
    word,
)
from .realclient import RealClient
from .wire import Exchange, failure

OCTET = "application/octet-stream"
BINARY_HINT = (
    "this file is binary, not UTF-8 text: open it with 'rb', send its bytes unchanged, and "
    "set Content-Length to the number of bytes"
)


def binary_blob(h: Harness, low: int, high: int) -> bytes:
    """Random bytes that include the ones text handling breaks: NUL, CR LF, 0xff, invalid UTF-8."""
    return b"\x00\xff\r\n\x1f\x8b\xc3(" + h.random.randbytes(h.random.randint(low, high)) + b"\r\n\n\r\x00"


def file_name(h: Harness, suffix: str) -> str:
    return f"{word(h)}_{h.random.randint(100, 999)}{suffix}"


@tester.stage("serve-files")
def serve_files(h: Harness) -> None:
    directory = data_dir(h)
    text_name, binary_name = file_name(h, ".txt"), file_name(h, ".bin")
    text = f"Hello, {word(h)}! This is a {word(h)} file.\n".encode()
    binary = binary_blob(h, 20_000, 40_000)
    (directory / text_name).write_bytes(text)
    (directory / binary_name).write_bytes(binary)
    h.log(f"Created {text_name} ({len(text)} bytes) and {binary_name} ({len(binary)} bytes) in {directory}")
    server = start(h)

    simple_get(
        h,
        server,
        f"/files/{text_name}",
        status=200,
        content_type=OCTET,
        body=text,
        what=f"the content of {text_name}",
        hint=f"{text_name} exists in the folder given by --directory ({directory}): "
        "look for files there, not in the current folder",
    )
    with hint_if_none(BINARY_HINT):
        simple_get(
            h,
            server,
            f"/files/{binary_name}",
            status=200,
            content_type=OCTET,
            body=binary,
            what=f"the content of {binary_name}",
        )
    missing = file_name(h, ".txt")
    simple_get(
        h,
        server,
        f"/files/{missing}",
        status=404,
        hint=f"{missing} does not exist in the directory: answer 404 Not Found",
    )
    client = RealClient(h, server.port, keep_alive=False)
    got = client.get(f"/files/{binary_name}")
    if got.status_code != 200 or got.content != binary:
        raise client.fail(
            got, f"expected status 200 and the {len(binary)} bytes of {binary_name}", BINARY_HINT
        )
    h.log("Files are served byte for byte.")


def check_file(exchange: Exchange, path: Path, expected: bytes) -> None:
    """After a 201, ``path`` must hold exactly ``expected``."""
    where = f"{path.name} in the --directory folder"
    if not path.is_file():
        raise failure(
            exchange,
            f"the response was 201 Created, but there is no file {where}",
            "write the request body to the folder given by --directory, under the name in the path, "
            "before you send the response",
        )
    got = path.read_bytes()
    if got == expected:
        return
    hint = "write the body's bytes unchanged (binary mode, 'wb'), no more and no less"
    if len(got) < len(expected) and expected.startswith(got):
        problem = f"{where} holds only the first {len(got)} of the {len(expected)} bytes sent"
        hint = (
            "the body can arrive over several reads: keep reading until you have Content-Length "
            "bytes of body (one read returns only what has arrived so far)"
        )
    else:
        at = next(
            (i for i, (a, b) in enumerate(zip(got, expected, strict=False)) if a != b),
            min(len(got), len(expected)),
        )
        problem = (
            f"{where} holds {len(got)} bytes, expected the {len(expected)} bytes sent; from byte {at} "
            f"on it has {show(got[at : at + 40])} instead of {show(expected[at : at + 40])}"
        )
    raise failure(exchange, problem, hint)


@tester.stage("upload-files")
def upload_files(h: Harness) -> None:
    server = start(h)
    directory = server.directory

    name = file_name(h, ".txt")
    content = f"{word(h)} {word(h)} {word(h)}\n".encode()
    conn = connect(h, server)
    req = request(server.port, "POST", f"/files/{name}", [*BASE_HEADERS, ("Content-Type", OCTET)], content)
    exchange = conn.send(req)
    response = conn.read_response(exchange, body=False)
    check_status(
        exchange,
        response,
        201,
        "a POST to /files/{name} stores the body as that file and answers 201 Created",
    )
    conn.close()
    check_file(exchange, directory / name, content)
    h.log(f"{name} holds the {len(content)} bytes sent.")

    name = file_name(h, ".bin")
    content = binary_blob(h, 30_000, 60_000)
    conn = connect(h, server)
    req = request(server.port, "POST", f"/files/{name}", [*BASE_HEADERS, ("Content-Type", OCTET)], content)
    data = req.encode()
    cut = len(req.head()) + h.random.randint(500, 2000)
    conn.send(data[:cut], describe=f"the head and the first {cut - len(req.head())} bytes of the body:")
    h.sleep(0.2)
    conn.send(data[cut:], describe="the rest of the body:")
    exchange = Exchange(conn.name, req, data)
    response = conn.read_response(exchange, body=False)
    check_status(exchange, response, 201)
    conn.close()
    check_file(exchange, directory / name, content)
    h.log(f"{name} holds the {len(content)} bytes sent, although they came in two parts.")

    simple_get(
        h,
        server,
        f"/files/{name}",
        status=200,
        content_type=OCTET,
        body=content,
        what=f"the content of {name}",
    )
    h.log("The uploaded file is served back unchanged.")
