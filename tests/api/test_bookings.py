"""Booking a pickup, one by a citizen and many by an enterprise."""

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from courier import calendar
from courier.accounts import service as accounts
from courier.accounts.models import User
from courier.dossiers import booking, codes
from courier.dossiers.models import Dossier
from tests.builders import booking_body, booking_day, counts, headers_for

HO_CHI_MINH_OFFSET = "+07:00"


def test_booking_answers_code_fee_site_and_local_window(client: TestClient) -> None:
    """A valid booking gets 201 with an S10 code, a fee quote, its site and a +07:00 window."""
    response = client.post("/api/v1/bookings", json=booking_body())
    assert response.status_code == 201, response.text
    body = response.json()
    assert codes.S10_PATTERN.match(body["tracking_code"])
    assert codes.is_valid(body["tracking_code"])
    assert body["tracking_code"].endswith("VN")
    fee = body["fee"]
    assert fee["pickup_fee_vnd"] > 0
    assert fee["return_fee_vnd"] > 0
    assert (
        fee["total_vnd"] == fee["procedure_fee_vnd"] + fee["pickup_fee_vnd"] + fee["return_fee_vnd"]
    )
    assert body["receiving_site"]["code"] == "BD-TDM"
    start, end = body["pickup_window"]["start"], body["pickup_window"]["end"]
    assert start.endswith(HO_CHI_MINH_OFFSET)
    assert end.endswith(HO_CHI_MINH_OFFSET)
    assert start.startswith(f"{booking_day().isoformat()}T08:00")
    assert end.startswith(f"{booking_day().isoformat()}T11:30")


def test_return_at_center_is_not_charged_for_the_return(client: TestClient) -> None:
    """Collecting the result at the center quotes no return fee."""
    response = client.post("/api/v1/bookings", json=booking_body(result_return="center"))
    assert response.status_code == 201, response.text
    assert response.json()["fee"]["return_fee_vnd"] == 0


def test_booking_creates_pickup_and_delivery_to_center_as_one_pair(
    client: TestClient, session: Session
) -> None:
    """The booking's jobs: a pickup at the address and a delivery to the receiving site."""
    code = client.post("/api/v1/bookings", json=booking_body()).json()["tracking_code"]
    admin = headers_for(session, "admin")
    jobs = client.get(f"/api/v1/dossiers/{code}", headers=admin).json()["jobs"]
    assert sorted((j["leg"], j["kind"], j["status"]) for j in jobs) == [
        ("inbound", "delivery", "pending"),
        ("inbound", "pickup", "pending"),
    ]
    pickup = next(j for j in jobs if j["kind"] == "pickup")
    delivery = next(j for j in jobs if j["kind"] == "delivery")
    assert pickup["site_code"] is None
    assert delivery["site_code"] == "BD-TDM"
    assert delivery["window"]["end"] > pickup["window"]["start"]


@pytest.mark.parametrize("phone", ["0912 345 678", "+84912345678", "84912345678", "0912.345.678"])
def test_phone_formats_are_normalised(client: TestClient, session: Session, phone: str) -> None:
    """Every common way of writing a mobile number is stored as +84912345678."""
    code = client.post("/api/v1/bookings", json=booking_body(phone=phone)).json()["tracking_code"]
    stored = session.scalar(select(Dossier.applicant_phone).where(Dossier.tracking_code == code))
    assert stored == "+84912345678"


def _holiday() -> date:
    today = calendar.local_today(datetime.now(UTC), ZoneInfo("Asia/Ho_Chi_Minh"))
    days = (today + timedelta(days=n) for n in range(1, 400))
    return next(d for d in days if d.isoweekday() <= 5 and calendar.is_holiday(d))


def _saturday() -> date:
    day = booking_day()
    return day + timedelta(days=(6 - day.isoweekday()) % 7 or 7)


INVALID_FIELDS: list[tuple[str, dict[str, Any]]] = [
    ("applicant_name", {"applicant_name": ""}),
    ("phone", {"phone": "0274 3822 222"}),  # a Binh Duong landline
    ("phone", {"phone": "12345"}),
    ("phone", {"phone": "call me"}),
    ("address_text", {"address_text": "x"}),
    ("lat", {"lat": 21.03}),  # Hanoi
    ("lon", {"lon": 105.85}),
    ("procedure_code", {"procedure_code": "NO-SUCH"}),
    ("preferred_on", {"preferred_on": "2020-01-06"}),
    # Saturday mornings are open where the site opens them (the branch near these points does)
    ("preferred_on", {"preferred_on": _saturday().isoformat(), "slot": "afternoon"}),
    ("preferred_on", {"preferred_on": _holiday().isoformat()}),
    ("result_return", {"result_return": "drone"}),
    ("consent", {"consent": False}),
    ("consent_version", {"consent_version": "2020-01-01"}),
    ("surprise", {"surprise": "field"}),
]


@pytest.mark.parametrize(("field", "override"), INVALID_FIELDS, ids=[f for f, _ in INVALID_FIELDS])
def test_invalid_field_is_named_and_nothing_is_stored(
    client: TestClient, session: Session, field: str, override: dict[str, Any]
) -> None:
    """Each bad field gets a 422 naming it; no dossier, job, event or outbox row appears."""
    before = counts(session)
    response = client.post("/api/v1/bookings", json=booking_body(**override))
    assert response.status_code == 422, response.text
    assert [field] in [e["loc"][1:2] for e in response.json()["detail"]]
    assert counts(session) == before


def test_slot_that_already_ended_today_is_refused(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 13:00 on a working day, that morning's slot is refused naming the slot."""
    day = booking_day()
    monkeypatch.setattr(
        booking, "utcnow", lambda: datetime(day.year, day.month, day.day, 6, 0, tzinfo=UTC)
    )
    before = counts(session)
    response = client.post("/api/v1/bookings", json=booking_body(preferred_on=day.isoformat()))
    assert response.status_code == 422, response.text
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "slot"]]
    assert counts(session) == before
    afternoon = client.post("/api/v1/bookings", json=booking_body(slot="afternoon"))
    assert afternoon.status_code == 201, afternoon.text


# ---------------------------------------------------------------------------- batch


def _batch(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"rows": rows}


def test_batch_needs_an_account_or_api_key(client: TestClient, session: Session) -> None:
    """Anonymous batches are refused with 401 and store nothing."""
    before = counts(session)
    response = client.post("/api/v1/bookings/batch", json=_batch([booking_body()]))
    assert response.status_code == 401
    assert counts(session) == before


def test_batch_is_all_or_nothing_with_errors_per_row(client: TestClient, session: Session) -> None:
    """One bad row refuses the whole batch; each error's loc names the row index and field."""
    enterprise = headers_for(session, "enterprise.minhphat")
    rows = [booking_body(), booking_body(lat=21.0), booking_body(), booking_body(consent=False)]
    before = counts(session)
    response = client.post("/api/v1/bookings/batch", json=_batch(rows), headers=enterprise)
    assert response.status_code == 422, response.text
    locs = [e["loc"] for e in response.json()["detail"]]
    assert ["body", "rows", 1, "lat"] in locs
    assert ["body", "rows", 3, "consent"] in locs
    assert all(loc[2] in (1, 3) for loc in locs)
    assert counts(session) == before


def test_batch_schema_errors_name_the_row(client: TestClient, session: Session) -> None:
    """A row failing the schema (a landline) is reported with its index too."""
    enterprise = headers_for(session, "enterprise.minhphat")
    rows = [booking_body(), booking_body(phone="0274 3822 222")]
    response = client.post("/api/v1/bookings/batch", json=_batch(rows), headers=enterprise)
    assert response.status_code == 422
    assert ["body", "rows", 1, "phone"] in [e["loc"] for e in response.json()["detail"]]


def test_batch_over_500_rows_is_refused(client: TestClient, session: Session) -> None:
    """501 rows are refused before anything is stored."""
    enterprise = headers_for(session, "enterprise.minhphat")
    before = counts(session)
    rows = [booking_body()] * (booking.MAX_BATCH + 1)
    response = client.post("/api/v1/bookings/batch", json=_batch(rows), headers=enterprise)
    assert response.status_code == 422
    assert counts(session) == before


def test_enterprise_owns_its_batch_bookings(client: TestClient, session: Session) -> None:
    """An enterprise account sees the dossiers it booked in a batch, with their personal data."""
    enterprise = headers_for(session, "enterprise.minhphat")
    rows = [booking_body(), booking_body(applicant_name="Trần Thị Bình", slot="afternoon")]
    response = client.post("/api/v1/bookings/batch", json=_batch(rows), headers=enterprise)
    assert response.status_code == 201, response.text
    created = response.json()["bookings"]
    assert len(created) == 2
    second = client.get(f"/api/v1/dossiers/{created[1]['tracking_code']}", headers=enterprise)
    assert second.status_code == 200
    assert second.json()["applicant_name"] == "Trần Thị Bình"
    other = headers_for(session, "citizen.an")
    assert (
        client.get(f"/api/v1/dossiers/{created[0]['tracking_code']}", headers=other).status_code
        == 404
    )


def test_enterprise_api_key_books_a_batch_it_then_sees(
    client: TestClient, session: Session
) -> None:
    """A key made for an enterprise account books through X-API-Key; the account sees them."""
    owner = session.scalar(select(User).where(User.username == "enterprise.minhphat"))
    assert owner is not None
    _, secret = accounts.create_api_key(session, name="Minh Phát ERP", owner_id=owner.id)
    session.commit()
    key = {"X-API-Key": secret}
    response = client.post("/api/v1/bookings/batch", json=_batch([booking_body()]), headers=key)
    assert response.status_code == 201, response.text
    code = response.json()["bookings"][0]["tracking_code"]
    assert client.get(f"/api/v1/dossiers/{code}", headers=key).status_code == 200
    enterprise = headers_for(session, "enterprise.minhphat")
    assert client.get(f"/api/v1/dossiers/{code}", headers=enterprise).status_code == 200


def test_wrong_api_key_is_refused(client: TestClient) -> None:
    """A made-up key answers 401 rather than booking anonymously."""
    response = client.post(
        "/api/v1/bookings/batch", json=_batch([booking_body()]), headers={"X-API-Key": "ck_00_x"}
    )
    assert response.status_code == 401
