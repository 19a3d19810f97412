"""A citizen's own data (Law 91/2025): a copy as JSON and PDF, and erasure on request; only
for the dossier's citizen (code and phone digits, or the account that booked it)."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.main import create_app
from courier.dossiers.models import Dossier
from courier.privacy.erasure import MARKER
from courier.privacy.models import ErasureRequest
from courier.settings import Settings
from tests.builders import book, booking_body, headers_for

PHONE = {"phone": "5678"}
RETENTION = Settings().personal_data_retention_days


def _dossier(session: Session, code: str) -> Dossier:
    session.expire_all()
    return session.scalars(select(Dossier).where(Dossier.tracking_code == code)).one()


def test_the_citizen_downloads_their_data_with_who_read_it(
    client: TestClient, session: Session
) -> None:
    """The copy holds the dossier's personal fields, the consent, the timeline, and each staff
    read by role and office, never by the staff member's name or id."""
    code = book(client)["tracking_code"]
    client.get(f"/api/v1/dossiers/{code}", headers=headers_for(session, "dispatch.tdm"))
    answer = client.post(f"/api/v1/track/{code}/data", json=PHONE)
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "private, no-store"
    copy = answer.json()
    assert copy["dossier"]["applicant_name"] == "Nguyễn Văn An"
    assert copy["consent"]["version"] == Settings().consent_version
    assert copy["consent"]["text"].startswith("Đồng ý xử lý dữ liệu cá nhân")
    assert [e["code"] for e in copy["timeline"]] == ["ECA"]
    assert copy["access_log"] == [
        {
            "at": copy["access_log"][0]["at"],
            "role": "dispatcher",
            "site": "BD-PO-TDM-1",
            "data": "dossier",
            "endpoint": "GET /api/v1/dossiers/{code}",
        }
    ]
    assert "dispatch.tdm" not in answer.text


def test_the_copy_prints_as_a_pdf(client: TestClient, session: Session) -> None:
    """The same copy on A4 pages, downloaded as a file."""
    code = book(client)["tracking_code"]
    answer = client.post(f"/api/v1/track/{code}/data.pdf", json=PHONE)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")
    citizen = headers_for(session, "citizen.an")
    own = client.post("/api/v1/bookings", json=booking_body(), headers=citizen).json()
    mine = client.get(f"/api/v1/me/dossiers/{own['tracking_code']}/data.pdf", headers=citizen)
    assert mine.content.startswith(b"%PDF")


def test_nobody_else_gets_the_copy_or_erases(client: TestClient, session: Session) -> None:
    """Wrong digits, another account, or an enterprise that did not book it: 404, as if the
    dossier did not exist; nothing is recorded."""
    code = book(client)["tracking_code"]
    citizen = headers_for(session, "citizen.an")
    other = headers_for(session, "enterprise.minhphat")
    own = client.post("/api/v1/bookings", json=booking_body(), headers=citizen).json()
    answers = [
        client.post(f"/api/v1/track/{code}/data", json={"phone": "0000"}).status_code,
        client.post(f"/api/v1/track/{code}/erasure", json={"phone": "0000"}).status_code,
        client.get(f"/api/v1/me/dossiers/{code}/data", headers=citizen).status_code,
        client.get(f"/api/v1/me/dossiers/{own['tracking_code']}/data", headers=other).status_code,
        client.post(
            f"/api/v1/me/dossiers/{own['tracking_code']}/erasure", headers=other
        ).status_code,
    ]
    assert answers == [404] * 5
    assert session.scalars(select(ErasureRequest)).all() == []


def test_the_public_asks_share_the_tracking_limit(
    settings: Settings, factory: sessionmaker[Session]
) -> None:
    """With the right code and digits too, a client past the tracking endpoints' limit gets 429
    on the copy, its PDF and erasure, as on `/track`: no unbounded rendering of PDFs."""
    limited = create_app(settings.model_copy(update={"track_rate_limit": "3/minute"}), factory)
    with TestClient(limited) as client:
        code = book(client)["tracking_code"]
        answers = [
            client.post(f"/api/v1/track/{code}/{ask}", json=PHONE).status_code
            for ask in ("data", "data.pdf", "erasure", "data", "data.pdf", "erasure")
        ]
    assert answers == [200, 200, 200, 429, 429, 429]


def test_an_open_dossier_is_not_erased_and_the_answer_says_when(
    client: TestClient, session: Session
) -> None:
    """In progress: the request is recorded, nothing is erased, the answer gives the period."""
    code = book(client)["tracking_code"]
    answer = client.post(f"/api/v1/track/{code}/erasure", json=PHONE)
    assert answer.status_code == 200
    assert answer.json()["state"] == "open"
    assert f"{RETENTION} ngày" in answer.json()["message"]
    assert _dossier(session, code).applicant_name == "Nguyễn Văn An"
    assert session.scalars(select(ErasureRequest)).one().requested_via == "track"


def _close(client: TestClient, session: Session, days_ago: int) -> str:
    code = book(client)["tracking_code"]
    assert client.post(f"/api/v1/track/{code}/cancel", json=PHONE).status_code == 200
    dossier = _dossier(session, code)
    dossier.status_changed_at -= timedelta(days=days_ago)
    session.commit()
    return code


def test_a_closed_dossier_within_retention_gets_its_day(
    client: TestClient, session: Session
) -> None:
    """Closed 10 days ago: erased when retention ends, on the day the answer names."""
    code = _close(client, session, 10)
    answer = client.post(
        f"/api/v1/track/{code}/erasure", json=PHONE, headers={"Accept-Language": "en"}
    ).json()
    closed = _dossier(session, code).status_changed_at
    day = (closed + timedelta(days=RETENTION)).astimezone(Settings().zone).date()
    assert (answer["state"], answer["on"]) == ("scheduled", day.isoformat())
    assert day.strftime("%d/%m/%Y") in answer["message"]
    assert _dossier(session, code).erased_at is None


def test_a_closed_dossier_past_retention_is_erased_at_once(
    client: TestClient, session: Session
) -> None:
    """Past retention: erased in the request; the copy then shows the marker."""
    code = _close(client, session, RETENTION + 1)
    answer = client.post(f"/api/v1/track/{code}/erasure", json=PHONE)
    assert answer.json()["state"] == "erased"
    dossier = _dossier(session, code)
    assert (dossier.applicant_name, dossier.applicant_phone) == (MARKER, MARKER)
    asked = session.scalars(select(ErasureRequest)).one()
    assert asked.erased_at == dossier.erased_at
