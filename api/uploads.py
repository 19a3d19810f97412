"""Refuse oversized request bodies while they stream in, before they are read whole (413).

Every body is counted, whatever its headers say: a multipart upload against the request limit
and each of its parts against the per-file limit; any other body (JSON above all; a form; no
content type, which FastAPI reads as JSON) against the smaller body limit. A request whose
content types disagree (two headers, one multipart: the form parser reads the first, a guard
reading the last would be fooled) gets both the per-part count and the smaller limit. A declared
length over the limit is refused before a byte is read; a chunked body when it passes the limit.
The parser below only counts bytes, it keeps nothing.
"""

import json
from collections.abc import Iterable
from typing import Any

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class _Counter:
    """Counts the bytes of each part of a multipart stream, naming the part that is too big."""

    def __init__(self, boundary: bytes, max_part: int) -> None:
        self.max_part = max_part
        self.size = 0
        self.name = b""
        self._header_field = b""
        self._header_value = b""
        self.parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._begin,
                "on_part_data": self._data,
                "on_header_field": self._field,
                "on_header_value": self._value,
                "on_header_end": self._header_end,
            },
        )

    def _begin(self) -> None:
        self.size, self.name = 0, b""

    def _field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def _value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        if self._header_field.lower() == b"content-disposition":
            _, options = parse_options_header(self._header_value)
            self.name = options.get(b"name", b"")
        self._header_field = self._header_value = b""

    def _data(self, data: bytes, start: int, end: int) -> None:
        self.size += end - start
        if self.size > self.max_part:
            name = self.name.decode("utf-8", "replace") or "a part"
            raise _too_large(f"{name} is larger than {self.max_part:,} bytes")


def _too_large(detail: str) -> HTTPException:
    return HTTPException(status_code=413, detail=detail)


class UploadLimit:
    """ASGI middleware bounding every request body: multipart per part and in total, the rest to
    the body limit (by default the app's `body_max_bytes` setting)."""

    def __init__(self, app: ASGIApp, *, max_part: int, max_request: int, max_body: int) -> None:
        self.app = app
        self.max_part = max_part
        self.max_request = max_request
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count the body as it arrives; refuse at once a declared length over the limit."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
        types = [parse_options_header(v) for k, v in headers if k == b"content-type"]
        boundaries = [o[b"boundary"] for t, o in types if t == _MULTIPART and b"boundary" in o]
        uploads = bool(types) and len(boundaries) == len(types)
        limit = self.max_request if uploads else self.max_body
        if any(length > limit for length in _declared(headers)):
            await _refuse(send, f"the request body is larger than {limit:,} bytes")
            return
        counter = _Counter(boundaries[0], self.max_part) if boundaries else None
        total = 0

        async def counted() -> Message:
            nonlocal total, counter
            message = await receive()
            chunk: Any = message.get("body", b"")
            if message["type"] == "http.request" and chunk:
                total += len(chunk)
                if total > limit:
                    raise _too_large(f"the request body is larger than {limit:,} bytes")
                counter = _count_parts(counter, chunk)
            return message

        await self.app(scope, counted, send)


_MULTIPART = b"multipart/form-data"


def _count_parts(counter: _Counter | None, chunk: bytes) -> _Counter | None:
    """Feed the chunk to the part counter; None once the stream is not multipart after all (the
    form parser answers 400 then, and the total is still counted)."""
    if counter is None:
        return None
    try:
        counter.parser.write(chunk)
    except MultipartParseError:
        return None
    return counter


def _declared(headers: Iterable[tuple[bytes, bytes]]) -> list[int]:
    """Every length the request declares (a malformed one counts for nothing here: the server
    refuses it before the app sees it)."""
    return [int(v) for k, v in headers if k == b"content-length" and v.strip().isdigit()]


async def _refuse(send: Send, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
