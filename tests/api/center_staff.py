"""The center staff screens' side of a test: their session cookie, and the counter's form."""

import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from httpx2 import Response as Answer
from sqlalchemy.orm import Session

from tests.api.test_center_report_pages import staff_cookie
from tests.builders import signature_png

ORIGIN = {"Origin": "http://testserver"}
FOREIGN = {"Origin": "https://evil.example"}


def as_staff(client: TestClient, session: Session, username: str | None) -> TestClient:
    """The client with that account's staff cookie (none for a stranger)."""
    client.cookies.clear()
    if username is not None:
        client.cookies.update(staff_cookie(session, username))
    return client


def receive_form(
    courier_id: int, codes: list[str], *, seal: str = "NP-000123", **extra: str
) -> dict[str, Any]:
    """The counter page's form for a batch, with a fresh key, at now."""
    form: dict[str, Any] = {
        "idempotency_key": uuid.uuid4().hex,
        "device_at": datetime.now(UTC).isoformat(),
        "courier_id": str(courier_id),
        "codes": codes,
        "seal_number": seal,
    }
    form.update(extra)
    return form


def both_signatures() -> dict[str, tuple[str, bytes, str]]:
    """The clerk's and the courier's signatures, as the pads send them."""
    return {
        "signature": ("signature.png", signature_png(), "image/png"),
        "counter_signature": ("counter.png", signature_png(), "image/png"),
    }


def post_receive(
    client: TestClient,
    form: dict[str, Any],
    files: dict[str, tuple[str, bytes, str]] | None = None,
    origin: dict[str, str] = ORIGIN,
) -> Answer:
    """POST the counter's batch as the page does (multipart)."""
    return client.post(
        "/center/counter/receive",
        data=form,
        files=both_signatures() if files is None else files,
        headers=origin,
    )
