"""The upload limit reads no further than it must: a big part is refused while it streams in."""

from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from api.uploads import UploadLimit

BOUNDARY = "b0undary"


async def _echo(request: Request) -> JSONResponse:
    async with request.form() as form:
        return JSONResponse({"fields": sorted(form.keys())})


def _run(chunks: list[bytes], *, declared: int | None = None) -> tuple[int, int]:
    """Send the chunks through the limited app; (status, how many chunks it pulled)."""
    app = UploadLimit(
        Starlette(routes=[Route("/", _echo, methods=["POST"])]),
        max_part=50_000,
        max_request=200_000,
    )
    headers = [(b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode())]
    if declared is not None:
        headers.append((b"content-length", str(declared).encode()))
    scope: dict[str, Any] = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "headers": headers,
        "query_string": b"",
        "http_version": "1.1",
        "scheme": "http",
        "server": ("test", 80),
        "client": ("test", 1),
        "root_path": "",
    }
    pulled = 0
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += 1
        index = pulled - 1
        body = chunks[index] if index < len(chunks) else b""
        return {"type": "http.request", "body": body, "more_body": index < len(chunks) - 1}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    anyio.run(app, scope, receive, send)
    return status, pulled


def _multipart(size: int) -> list[bytes]:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="photos"; filename="a.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    body = b"\xff" * size
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    data = head + body + tail
    return [data[i : i + 8192] for i in range(0, len(data), 8192)]


def test_a_small_upload_passes_through() -> None:
    """Under the limits the app parses the form as usual."""
    status, _ = _run(_multipart(10_000))
    assert status == 200


def test_a_big_part_is_refused_before_the_body_is_read_whole() -> None:
    """A 150 KB part against a 50 KB limit: 413 after about 50 KB, not 150 KB."""
    chunks = _multipart(150_000)
    status, pulled = _run(chunks)
    assert status == 413
    assert pulled <= 8 < len(chunks)


def test_a_declared_length_over_the_limit_is_refused_unread() -> None:
    """Content-Length over the request limit: 413 without reading a byte."""
    status, pulled = _run(_multipart(10), declared=10_000_000)
    assert status == 413
    assert pulled == 0
