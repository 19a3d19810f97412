"""Refuse oversized uploads while they stream in, before the body is read whole (413).

A multipart request is refused at once when its declared length is over the request limit, and
otherwise as soon as one of its parts grows past the per-file limit or the whole past the
request limit: the parser below only counts bytes, it keeps nothing.
"""

from typing import Any

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
    """ASGI middleware bounding multipart request bodies, per part and in total."""

    def __init__(self, app: ASGIApp, *, max_part: int, max_request: int) -> None:
        self.app = app
        self.max_part = max_part
        self.max_request = max_request

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass through everything but multipart bodies, which are counted as they arrive."""
        headers = dict(scope.get("headers", [])) if scope["type"] == "http" else {}
        content_type, options = parse_options_header(headers.get(b"content-type", b""))
        if content_type != b"multipart/form-data" or b"boundary" not in options:
            await self.app(scope, receive, send)
            return
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_request:
            await _refuse(send, f"the request is larger than {self.max_request:,} bytes")
            return
        counter = _Counter(options[b"boundary"], self.max_part)
        total = 0

        async def counted() -> Message:
            nonlocal total
            message = await receive()
            chunk: Any = message.get("body", b"")
            if message["type"] == "http.request" and chunk:
                total += len(chunk)
                if total > self.max_request:
                    raise _too_large(f"the request is larger than {self.max_request:,} bytes")
                counter.parser.write(chunk)
            return message

        await self.app(scope, counted, send)


async def _refuse(send: Send, detail: str) -> None:
    body = ('{"detail":"' + detail + '"}').encode()
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
