"""A 422 names each bad field and what to do, and never sends the caller's input back."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.builders import booking_body, headers_for

NAME = "Trần Thị Bích Ngọc"
PHONE = "0987 654 32X"


def _bad_bookings() -> list[tuple[str, Any]]:
    """Bodies whose every field a person typed is there, and something is wrong."""
    return [
        ("bad phone", booking_body(applicant_name=NAME, phone=PHONE)),
        ("long name", booking_body(applicant_name=NAME * 40, phone=PHONE)),
        ("unknown field", booking_body(applicant_name=NAME, phone=PHONE, role="admin")),
        ("no consent", booking_body(applicant_name=NAME, phone=PHONE, consent="yes")),
        ("bad day", booking_body(applicant_name=NAME, phone=PHONE, preferred_on=f"{NAME}")),
        ("bad point", booking_body(applicant_name=NAME, phone=PHONE, lat=f"{PHONE}")),
    ]


@pytest.mark.parametrize(("case", "body"), _bad_bookings(), ids=[c for c, _ in _bad_bookings()])
def test_a_refused_booking_does_not_repeat_the_input(
    client: TestClient, case: str, body: dict[str, Any]
) -> None:
    """Neither the name nor the phone comes back, and no entry carries pydantic's `input`."""
    answer = client.post("/api/v1/bookings", json=body)
    assert answer.status_code == 422, case
    assert NAME not in answer.text
    assert "987" not in answer.text
    assert all(set(entry) == {"loc", "field", "msg", "type"} for entry in answer.json()["detail"])


def test_a_refused_batch_does_not_repeat_the_input(client: TestClient, session: Session) -> None:
    """A batch row's errors name the row and the field, not what was in it."""
    rows = [booking_body(applicant_name=NAME, phone=PHONE), booking_body(applicant_name="")]
    answer = client.post(
        "/api/v1/bookings/batch",
        json={"rows": rows},
        headers=headers_for(session, "enterprise.minhphat"),
    )
    assert answer.status_code == 422
    assert NAME not in answer.text
    assert "987" not in answer.text


def test_wrong_shaped_digits_are_not_repeated(client: TestClient) -> None:
    """Tracking with something that is not 4 digits says so without quoting it."""
    answer = client.post("/api/v1/track/HS000000005VN", json={"phone": "0987654321"})
    assert answer.status_code == 422
    assert "0987654321" not in answer.text
