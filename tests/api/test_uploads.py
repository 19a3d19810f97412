"""The body guard reads no further than it must, whatever the headers say: a big part, a big
body, a declared length over the limit are refused (413) before the body is read whole."""

import json
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from api.uploads import UploadLimit
from courier.demo.generator import generate_bookings
from courier.settings import Settings
from tests.builders import booking_body, booking_day, counts, headers_for

BOUNDARY = "b0undary"
ENTERPRISE = "enterprise.minhphat"


async def _echo(request: Request) -> JSONResponse:
    """Parse a form as Starlette does (by the first content type); read any other body whole."""
    if request.headers.get("content-type", "").startswith("multipart/"):
        async with request.form() as form:
            return JSONResponse({"fields": sorted(form.keys())})
    return JSONResponse({"bytes": len(await request.body())})


MULTIPART = (b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode())


def _run(
    chunks: list[bytes],
    *,
    declared: int | None = None,
    headers: tuple[tuple[bytes, bytes], ...] = (MULTIPART,),
) -> tuple[int, int]:
    """Send the chunks through the limited app; (status, how many chunks it pulled)."""
    app = UploadLimit(
        Starlette(routes=[Route("/", _echo, methods=["POST"])]),
        max_part=50_000,
        max_request=200_000,
        max_body=20_000,
    )
    headers = tuple(headers)
    if declared is not None:
        headers += ((b"content-length", str(declared).encode()),)
    scope: dict[str, Any] = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "headers": list(headers),
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


def _chunked(size: int) -> list[bytes]:
    data = b'{"rows": "' + b"x" * size + b'"}'
    return [data[i : i + 8192] for i in range(0, len(data), 8192)]


def test_a_second_content_type_does_not_hide_a_multipart_body() -> None:
    """Multipart first (what the form parser reads), text/plain last: the parts are still counted
    and the whole body is held to the smaller body limit."""
    chunks = _multipart(150_000)
    status, pulled = _run(chunks, headers=(MULTIPART, (b"content-type", b"text/plain")))
    assert status == 413
    assert pulled <= 4 < len(chunks)


def test_a_chunked_json_body_over_the_body_limit_is_refused_as_it_streams() -> None:
    """No Content-Length: 413 once 20 KB have arrived, not after the 150 KB sent."""
    chunks = _chunked(150_000)
    status, pulled = _run(chunks, headers=((b"content-type", b"application/json"),))
    assert status == 413
    assert pulled <= 4 < len(chunks)


def test_a_body_without_content_type_is_held_to_the_body_limit() -> None:
    """FastAPI reads an untyped body as JSON: the same 20 KB limit, declared or streamed."""
    assert _run(_chunked(10), declared=30_000, headers=())[0] == 413
    assert _run(_chunked(150_000), headers=())[0] == 413


def test_a_declared_json_length_over_the_body_limit_is_refused_unread() -> None:
    """Content-Length 30 KB against the 20 KB body limit: 413 before a byte is read."""
    json_type = ((b"content-type", b"application/json"),)
    status, pulled = _run(_chunked(10), declared=30_000, headers=json_type)
    assert (status, pulled) == (413, 0)


# ----------------------------------------------------------------- through the whole app


def _raw_multipart(size: int) -> bytes:
    return b"".join(_multipart(size))


@pytest.fixture
def small_bodies(settings: Settings) -> Settings:
    """Bodies other than multipart uploads are held to 100 KB."""
    settings.body_max_bytes = 100_000
    return settings


def test_an_anonymous_upload_with_two_content_types_is_refused_before_login(
    small_bodies: Settings, client: TestClient
) -> None:
    """Multipart first, text/plain second, no credentials: 413 in JSON, not a body read whole."""
    headers = [
        ("content-type", f"multipart/form-data; boundary={BOUNDARY}"),
        ("content-type", "text/plain"),
    ]
    refused = client.post("/api/v1/handovers", content=_raw_multipart(300_000), headers=headers)
    assert refused.status_code == 413
    assert refused.headers["content-type"] == "application/json"
    assert "100,000 bytes" in refused.json()["detail"]


def test_a_chunked_batch_over_the_body_limit_is_refused_and_stores_nothing(
    small_bodies: Settings, client: TestClient, session: Session
) -> None:
    """A JSON body sent in chunks without Content-Length: 413 in JSON, nothing booked."""
    rows = json.dumps({"rows": [booking_body()] * 400}).encode()
    assert len(rows) > 100_000

    def chunks() -> Iterator[bytes]:
        yield from (rows[i : i + 8192] for i in range(0, len(rows), 8192))

    before = counts(session)
    refused = client.post(
        "/api/v1/bookings/batch",
        content=chunks(),
        headers={"content-type": "application/json", **headers_for(session, ENTERPRISE)},
    )
    assert refused.status_code == 413, refused.text
    assert refused.headers["content-type"] == "application/json"
    assert counts(session) == before


def test_a_declared_length_over_the_body_limit_is_refused_through_the_app(
    small_bodies: Settings, client: TestClient
) -> None:
    """Content-Length of 5 MB on a booking: 413 in JSON whatever follows."""
    headers = {"content-type": "application/json", "content-length": "5000000"}
    refused = client.post("/api/v1/bookings", content=b"{}", headers=headers)
    assert refused.status_code == 413
    assert refused.json()["detail"].startswith("the request body is larger")


@pytest.mark.slow
def test_a_realistic_500_row_batch_fits_the_default_body_limit(
    client: TestClient, session: Session
) -> None:
    """500 generated bookings in Vietnamese, escaped as Python's json does: booked, and the body
    is under a quarter of the default limit."""
    rows = [
        booking_body(**{k: v for k, v in asdict(spec).items() if k != "preferred_on"})
        for spec in generate_bookings(booking_day(), 500, seed=7)
    ]
    body = json.dumps({"rows": rows}).encode()
    assert len(body) < Settings().body_max_bytes / 4
    headers = {"content-type": "application/json", **headers_for(session, ENTERPRISE)}
    booked = client.post("/api/v1/bookings/batch", content=body, headers=headers)
    assert booked.status_code == 201, booked.text[:500]
    assert len(booked.json()["bookings"]) == 500
