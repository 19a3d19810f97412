"""A citizen's own data (Law 91/2025): a copy as JSON and PDF, and erasure on request; only
for the dossier's citizen (the account that booked it at once; code and phone digits through a
link sent by SMS to the dossier's phone)."""

import re
import time
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api import grants
from api.main import create_app
from courier.dossiers.models import Dossier
from courier.notifications.models import Notification
from courier.privacy.erasure import MARKER
from courier.privacy.models import ErasureRequest
from courier.settings import Settings
from tests.builders import book, booking_body, headers_for

PHONE = {"phone": "5678"}
RETENTION = Settings().personal_data_retention_days


def _dossier(session: Session, code: str) -> Dossier:
    session.expire_all()
    return session.scalars(select(Dossier).where(Dossier.tracking_code == code)).one()


def _links(session: Session, code: str) -> list[Notification]:
    """The SMS with a link to the copy sent for the dossier, oldest first."""
    dossier = _dossier(session, code)
    query = select(Notification).where(
        Notification.dossier_id == dossier.id, Notification.tracking_event_id.is_(None)
    )
    return list(session.scalars(query.order_by(Notification.id)))


def _token(client: TestClient, session: Session, code: str) -> str:
    """Ask for the link with the digits and read its token from the SMS sent."""
    assert client.post(f"/api/v1/track/{code}/data", json=PHONE).status_code == 202
    match = re.search(r"/copy/(\S+)$", _links(session, code)[-1].body)
    assert match
    return match[1]


def test_the_digits_alone_give_no_personal_data(client: TestClient, session: Session) -> None:
    """Code and digits (which anyone who saw the code's SMS or receipt may know) send the link
    to the booked phone and answer only the digits they proved: no name, phone or address."""
    code = book(client)["tracking_code"]
    answer = client.post(f"/api/v1/track/{code}/data", json=PHONE)
    assert (answer.status_code, answer.json()) == (202, {"sent_to": "…5678"})
    assert client.post(f"/api/v1/track/{code}/data.pdf", json=PHONE).status_code in (404, 405)
    sms = _links(session, code)
    assert [(n.channel, n.recipient) for n in sms] == [("sms", "+84912345678")]
    assert sms[0].body.startswith(f"Ho so {code}: lien ket tai ban sao du lieu ca nhan")
    assert f"{Settings().public_base_url}/track/{code}/copy/" in sms[0].body


def test_the_citizen_downloads_their_data_with_who_read_it(
    client: TestClient, session: Session
) -> None:
    """Through the link, the copy holds the dossier's personal fields, the consent, the
    timeline, and each staff read by role and office, never by the staff member's name or id;
    the citizen's own read is no staff read."""
    code = book(client)["tracking_code"]
    client.get(f"/api/v1/dossiers/{code}", headers=headers_for(session, "dispatch.tdm"))
    token = _token(client, session, code)
    client.get(f"/api/v1/track/{code}/copy/{token}")
    answer = client.get(f"/api/v1/track/{code}/copy/{token}")
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
    """The same copy on A4 pages, downloaded as a file, through the link or by the account."""
    code = book(client)["tracking_code"]
    answer = client.get(f"/api/v1/track/{code}/copy/{_token(client, session, code)}.pdf")
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "private, no-store"
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
    assert _links(session, code) == []


def test_a_tampered_or_expired_link_is_not_found(
    client: TestClient, session: Session, settings: Settings
) -> None:
    """A link with a changed character, one past its half hour, or made up answers as an
    unknown code (404), for the JSON and the PDF."""
    code = book(client)["tracking_code"]
    token = _token(client, session, code)
    tampered = token[:-1] + ("0" if token[-1] != "0" else "1")
    expired = grants.copy_token(settings, _dossier(session, code), now=time.time() - 31 * 60)
    unknown = client.get(f"/api/v1/track/HS000000000VN/copy/{token}")
    for bad in (tampered, expired, "1-2", "x" * 100):
        for suffix in ("", ".pdf"):
            answer = client.get(f"/api/v1/track/{code}/copy/{bad}{suffix}")
            assert (answer.status_code, answer.json()) == (404, unknown.json())


def test_another_dossiers_link_is_not_found(client: TestClient, session: Session) -> None:
    """A live link opens its own dossier only: with another code it is 404."""
    code = book(client)["tracking_code"]
    other = book(client, phone="0912 000 678")["tracking_code"]
    token = _token(client, session, code)
    assert client.get(f"/api/v1/track/{other}/copy/{token}").status_code == 404
    assert client.get(f"/api/v1/track/{code}/copy/{token}").status_code == 200


def test_a_link_dies_with_the_phone_it_was_sent_to(client: TestClient, session: Session) -> None:
    """Once the dossier's phone number changes (or is erased), a link sent before is 404."""
    code = book(client)["tracking_code"]
    token = _token(client, session, code)
    _dossier(session, code).applicant_phone = "+84988888678"
    session.commit()
    assert client.get(f"/api/v1/track/{code}/copy/{token}").status_code == 404


def test_the_fourth_link_of_the_day_is_refused(client: TestClient, session: Session) -> None:
    """At most 3 SMS a day to a dossier's phone, whoever asks: the 4th is 429 with the reason
    in the caller's language, and no SMS."""
    code = book(client)["tracking_code"]
    sent = [client.post(f"/api/v1/track/{code}/data", json=PHONE).status_code for _ in range(3)]
    refused = client.post(
        f"/api/v1/track/{code}/data", json=PHONE, headers={"Accept-Language": "en"}
    )
    assert (sent, refused.status_code) == ([202] * 3, 429)
    assert refused.json()["detail"].startswith("A download link was already sent to this")
    assert int(refused.headers["retry-after"]) > 23 * 3600
    vi = client.post(f"/api/v1/track/{code}/data", json=PHONE)
    assert vi.json()["detail"].startswith("Liên kết tải đã được gửi đến số điện thoại")
    assert len(_links(session, code)) == 3


def test_the_public_asks_share_the_tracking_limit(
    settings: Settings, factory: sessionmaker[Session]
) -> None:
    """With the right code and digits too, a client past the tracking endpoints' limit gets 429
    on the link, the copy, its PDF and erasure, as on `/track`: no unbounded rendering of PDFs."""
    limited = create_app(settings.model_copy(update={"track_rate_limit": "3/minute"}), factory)
    with TestClient(limited) as client, factory() as session:
        code = book(client)["tracking_code"]
        token = _token(client, session, code)
        answers = [
            client.post(f"/api/v1/track/{code}/{ask}", json=PHONE).status_code
            for ask in ("erasure", "data", "erasure")
        ]
        copies = [client.get(f"/api/v1/track/{code}/copy/{token}{ext}") for ext in ("", ".pdf")]
        answers += [copy.status_code for copy in copies]
    assert answers == [200, 202, 429, 429, 429]


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
