"""The booking page without script: plain form posts, errors beside fields, one booking per key."""

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from api.main import create_app
from courier.dossiers.models import Dossier, PointSource
from courier.settings import Settings
from tests.builders import booking_day

VI = {"Accept-Language": "vi"}
EN = {"Accept-Language": "en"}
SAME_SITE = {"Origin": "http://testserver"}


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A client whose form posts come from the booking page itself, as a browser's do."""
    with TestClient(app, headers=SAME_SITE) as c:
        yield c


def _form(**overrides: str) -> dict[str, str]:
    form = {
        "idempotency_key": str(uuid.uuid4()),
        "consent_version": Settings().consent_version,
        "procedure_code": "HT-01",
        "applicant_name": "Trần Thị Mai",
        "phone": "0987 654 321",
        "address_text": "15 Yersin, khu phố 3",
        "ward": "BD-TDM-PHU-CUONG",
        "when": f"{booking_day().isoformat()}/morning",
        "result_return": "post",
        "consent": "true",
    }
    form.update(overrides)
    return form


def _dossiers(session: Session, phone: str = "+84987654321") -> int:
    count = session.scalar(
        select(func.count()).select_from(Dossier).where(Dossier.applicant_phone == phone)
    )
    return int(count or 0)


def test_the_page_lists_procedures_wards_and_slots(client: TestClient) -> None:
    """The empty form: grouped procedures, wards by district, slots, the consent text."""
    page = client.get("/book", headers=VI)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert '<optgroup label="Hộ tịch">' in page.text
    assert '<optgroup label="Thành phố Thủ Dầu Một">' in page.text
    assert 'name="when"' in page.text
    assert "Quyền của bạn" in page.text
    assert re.search(r'name="idempotency_key" value="[0-9a-f-]{36}"', page.text)


def test_the_search_without_script_narrows_the_list(client: TestClient) -> None:
    """?q=khai sinh (no diacritics) keeps the birth registration and drops the land procedures."""
    page = client.get("/book", params={"q": "khai sinh"}, headers=VI)
    assert "Đăng ký khai sinh" in page.text
    assert "Đất đai" not in page.text


def test_show_details_posts_back_the_documents_and_the_site(client: TestClient) -> None:
    """Without script the details button shows documents, fee, days and the receiving site."""
    page = client.post("/book", data=_form(step="details"), headers=EN)
    assert page.status_code == 200
    assert "Thu Dau Mot Branch" in page.text
    assert "Documents to prepare" in page.text
    assert "Saturday 07:30–11:30" in page.text
    assert 'value="Trần Thị Mai"' in page.text


def test_errors_are_shown_beside_their_fields_and_values_kept(
    client: TestClient, session: Session
) -> None:
    """A bad phone, no ward and no slot: 422, each message beside its field, nothing booked."""
    form = _form(phone="12345", ward="", when="")
    page = client.post("/book", data=form, headers=VI)
    assert page.status_code == 422
    assert 'id="phone-error"' in page.text
    assert 'id="ward-error"' in page.text
    assert 'id="when-error"' in page.text
    assert 'aria-invalid="true"' in page.text
    assert 'href="#phone"' in page.text
    assert "«Số điện thoại»" in page.text
    assert 'value="Trần Thị Mai"' in page.text
    assert _dossiers(session) == 0


def test_a_booking_sent_from_another_site_books_nothing(
    client: TestClient, session: Session
) -> None:
    """A form posted by another site, or with neither Origin nor Referer: 403 page, no booking."""
    foreign = client.post("/book", data=_form(), headers={**VI, "Origin": "https://evil.example"})
    assert foreign.status_code == 403
    assert "Yêu cầu bị từ chối" in foreign.text
    assert "set-cookie" not in foreign.headers
    del client.headers["Origin"]
    assert client.post("/book", data=_form(), follow_redirects=False).status_code == 403
    assert _dossiers(session) == 0


def test_a_large_input_is_not_echoed_back(client: TestClient) -> None:
    """A 100 kB name comes back cut to the 200 characters the form accepts."""
    page = client.post("/book", data=_form(applicant_name="A" * 100_000), headers=EN)
    assert page.status_code == 422
    assert len(page.text) < 100_000
    assert "A" * 201 not in page.text


def test_booking_redirects_to_the_confirmation_with_a_grant(
    client: TestClient, session: Session
) -> None:
    """A good form: 303 to /track/{code}/booked and a grant cookie, no suffix in the URL."""
    answer = client.post("/book", data=_form(), headers=VI, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    code = location.removeprefix("/track/").removesuffix("/booked")
    assert re.fullmatch(r"[A-Z]{2}\d{9}VN", code)
    assert "4321" not in location
    assert f"dossier_{code}=" in answer.headers["set-cookie"]
    dossier = session.scalars(select(Dossier).where(Dossier.tracking_code == code)).one()
    assert (dossier.lat, dossier.lon) == (10.98, 106.652)
    assert dossier.point_source is PointSource.WARD  # approximate: the courier corrects it


def test_a_double_submit_makes_one_booking(client: TestClient, session: Session) -> None:
    """The same form (same key) sent twice: the same code twice, one dossier."""
    form: dict[str, Any] = _form()
    first = client.post("/book", data=form, follow_redirects=False)
    second = client.post("/book", data=form, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert _dossiers(session) == 1


def test_every_unanswered_step_is_listed_at_once(client: TestClient) -> None:
    """No ward, no slot, no consent: all three in the first answer, in page order."""
    page = client.post("/book", data=_form(ward="", when="", consent=""), headers=EN)
    assert page.status_code == 422
    summary = re.findall(r'<li><a href="#([a-z_]+)">', page.text)
    assert summary == ["ward", "when", "consent"]
    assert "«Consent to personal-data processing»" in page.text


def test_the_phone_location_places_the_point(client: TestClient, session: Session) -> None:
    """A GPS point sent by the script is the dossier's point, whatever ward is chosen."""
    form = _form(located_by="gps", lat="10.9123", lon="106.7345", accuracy_m="18", ward="")
    answer = client.post("/book", data=form, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    code = answer.headers["location"].split("/")[2]
    dossier = session.scalars(select(Dossier).where(Dossier.tracking_code == code)).one()
    assert (dossier.lat, dossier.lon) == (10.9123, 106.7345)
    assert dossier.point_source is PointSource.GPS


def test_a_form_changed_after_it_booked_gets_a_new_key(client: TestClient) -> None:
    """Back after booking, a change, send again: not a silent replay, a message and a new key."""
    form = _form()
    assert client.post("/book", data=form, follow_redirects=False).status_code == 303
    page = client.post("/book", data={**form, "applicant_name": "Lê Thị Lan"}, headers=EN)
    assert page.status_code == 422
    assert 'id="submit-error"' in page.text
    assert "This form has already booked a pickup." in page.text
    assert f'value="{form["idempotency_key"]}"' not in page.text


@pytest.fixture
def two_a_day(settings: Settings, factory: sessionmaker[Session]) -> Iterator[TestClient]:
    """An app where a phone number gets two bookings a day (the suite's default is unlimited)."""
    app = create_app(settings.model_copy(update={"bookings_per_phone_per_day": 2}), factory)
    with TestClient(app, headers=SAME_SITE) as client:
        yield client


def test_a_phone_over_its_daily_bookings_gets_a_page_in_its_language(
    two_a_day: TestClient, session: Session
) -> None:
    """Past the bookings a phone may make in a day: 429, a page in Vietnamese, nothing booked."""
    for _ in range(2):
        assert two_a_day.post("/book", data=_form(), follow_redirects=False).status_code == 303
    page = two_a_day.post("/book", data=_form(), headers=VI, follow_redirects=False)
    assert page.status_code == 429
    assert page.headers["content-type"].startswith("text/html")
    assert "Quá nhiều lượt đặt lịch" in page.text
    assert int(page.headers["retry-after"]) > 0
    assert _dossiers(session) == 2


def test_a_forged_key_does_not_break_the_booking(client: TestClient, session: Session) -> None:
    """A key the API would refuse (too long, odd characters) books without a key, not a 500."""
    for key in ("x" * 5000, "a b;c"):
        answer = client.post("/book", data=_form(idempotency_key=key), follow_redirects=False)
        assert answer.status_code == 303
    assert _dossiers(session) == 2


def test_a_signed_in_citizen_books_as_their_account(client: TestClient, session: Session) -> None:
    """Booked while signed in: the dossier is the account's and "My dossiers" lists it."""
    signed = client.post(
        "/me/login",
        data={"username": "citizen.an", "password": "demo-citizen-2026"},
        headers={"Origin": "http://testserver"},
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text
    answer = client.post("/book", data=_form(), follow_redirects=False)
    assert answer.status_code == 303, answer.text
    code = answer.headers["location"].removeprefix("/track/").removesuffix("/booked")
    dossier = session.scalars(select(Dossier).where(Dossier.tracking_code == code)).one()
    assert dossier.owner_id is not None
    assert code in client.get("/me").text
