"""The request's transaction: committed before the answer, its tasks relayed after it."""

import asyncio
import json
from typing import Any

import pytest
from fastapi import FastAPI

from courier.outbox import service as outbox
from tests.builders import booking_body


def _post(app: FastAPI, path: str, body: dict[str, Any], seen: list[str]) -> int:
    """Drive one ASGI request by hand, noting when the last byte of the answer goes out."""
    raw = json.dumps(body).encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(raw)).encode()),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    status: list[int] = []
    chunks = [{"type": "http.request", "body": raw, "more_body": False}]

    async def receive() -> dict[str, Any]:
        return chunks.pop(0) if chunks else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])
        elif message["type"] == "http.response.body" and not message.get("more_body"):
            seen.append("answer sent")

    asyncio.run(app(scope, receive, send))
    return status[0]


def test_tasks_are_relayed_after_the_answer_is_sent(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A booking answers 201 first; its SMS task is relayed only then (a plan build likewise)."""
    seen: list[str] = []
    relayed: list[list[int]] = []

    def relay(factory: object, ids: list[int]) -> None:
        seen.append("relayed")
        relayed.append(list(ids))

    monkeypatch.setattr(outbox, "relay_messages", relay)
    assert _post(app, "/api/v1/bookings", booking_body(), seen) == 201
    assert seen == ["answer sent", "relayed"]
    assert len(relayed[0]) == 1, "only the booking's own message (its SMS) is relayed"
