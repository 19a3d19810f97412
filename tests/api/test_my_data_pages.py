"""«Dữ liệu cá nhân của bạn» on the tracking page and the account's dossier page: a copy as a file
(from the tracking page, through a link sent by SMS to the dossier's phone), erasure after a
confirmation, the answer in words; anyone else's dossier as on those pages."""

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api import grants
from courier.dossiers.models import Dossier
from courier.notifications.models import Notification
from courier.privacy.erasure import MARKER
from courier.privacy.models import ErasureRequest
from courier.settings import Settings
from tests.builders import book, booking_body, headers_for

PHONE = "5678"  # last digits of the builders' phone
SAME_SITE = {"Origin": "http://testserver"}
RETENTION = Settings().personal_data_retention_days
ZONE = Settings().zone


def _follow(client: TestClient, code: str, phone: str = PHONE) -> int:
    """Send the tracking form as the browser does; its status (303 when the digits matched)."""
    form = {"code": code, "phone": phone}
    return client.post("/track", data=form, headers=SAME_SITE, follow_redirects=False).status_code


def _dossier(session: Session, code: str) -> Dossier:
    session.expire_all()
    return session.scalars(select(Dossier).where(Dossier.tracking_code == code)).one()


def _closed(client: TestClient, session: Session, days_ago: int) -> str:
    """A dossier cancelled `days_ago` days ago, opened in this browser."""
    code = book(client)["tracking_code"]
    assert _follow(client, code) == 303
    assert client.post(f"/track/{code}/cancel", headers=SAME_SITE).status_code == 200
    _dossier(session, code).status_changed_at -= timedelta(days=days_ago)
    session.commit()
    return code


def _links(session: Session) -> list[str]:
    """The links to a copy sent by SMS, oldest first (path only, without the site's address)."""
    session.expire_all()
    sent = session.scalars(select(Notification).where(Notification.tracking_event_id.is_(None)))
    return [re.sub(r"^.*?(/track/)", r"\1", n.body) for n in sent]


def _requests(session: Session) -> list[ErasureRequest]:
    session.expire_all()
    return list(session.scalars(select(ErasureRequest)))


def _sign_in(client: TestClient) -> None:
    form = {"username": "citizen.an", "password": "demo-citizen-2026"}
    assert client.post("/me/login", data=form, headers=SAME_SITE).status_code == 200


def test_the_tracking_page_offers_the_link_by_sms_and_erasure(client: TestClient) -> None:
    """Once the digits matched, the section sends a download link by SMS (a form) and asks
    for erasure; it offers no download of its own."""
    code = book(client)["tracking_code"]
    _follow(client, code)
    page = client.get(f"/track/{code}")
    assert "Dữ liệu cá nhân của bạn" in page.text
    assert f'action="/track/{code}/copy"' in page.text
    assert "Gửi liên kết tải bản sao qua SMS" in page.text
    assert f'href="/track/{code}/erasure"' in page.text
    assert "data.pdf" not in page.text
    assert "data.json" not in page.text


def test_the_link_is_sent_by_sms_and_opens_the_downloads(
    client: TestClient, session: Session
) -> None:
    """The button sends the SMS and says to which number; the SMS's link opens a page with the
    PDF and the JSON, both files to keep, never cached."""
    code = book(client)["tracking_code"]
    _follow(client, code)
    sent = client.post(f"/track/{code}/copy", headers=SAME_SITE)
    assert sent.status_code == 200
    assert (
        "Chúng tôi đã gửi liên kết đến số điện thoại …5678; liên kết có hiệu lực 30 phút."
        in sent.text
    )
    [link] = _links(session)
    assert link.startswith(f"/track/{code}/copy/")
    client.cookies.clear()  # the phone that got the SMS is another browser
    page = client.get(link)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    for ext in ("pdf", "json"):
        assert f'href="{link}/data.{ext}"' in page.text
    pdf = client.get(f"{link}/data.pdf")
    assert pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"] == (
        f'attachment; filename="du-lieu-ca-nhan-{code}.pdf"'
    )
    assert pdf.headers["cache-control"] == "private, no-store"
    other = client.get(f"{link}/data.xml")  # a format there is not: a page, not JSON
    assert (other.status_code, other.headers["content-type"][:9]) == (404, "text/html")
    copy = client.get(f"{link}/data.json")
    assert copy.headers["content-disposition"].startswith("attachment;")
    assert copy.json()["dossier"]["applicant_name"] == "Nguyễn Văn An"
    assert copy.headers["cache-control"] == "private, no-store"


def test_a_void_link_is_a_not_found_page(client: TestClient, session: Session) -> None:
    """A tampered link, or one used with another dossier's code: the 404 page, no data."""
    code = book(client)["tracking_code"]
    other = book(client, phone="0987 654 321")["tracking_code"]
    _follow(client, code)
    client.post(f"/track/{code}/copy", headers=SAME_SITE)
    [link] = _links(session)
    tampered = link[:-1] + ("0" if link[-1] != "0" else "1")
    elsewhere = link.replace(code, other)
    for bad in (tampered, f"{tampered}/data.json", elsewhere, f"{elsewhere}/data.pdf"):
        answer = client.get(bad)
        assert (answer.status_code, answer.headers["content-type"][:9]) == (404, "text/html")
        assert "Nguyễn Văn An" not in answer.text


def test_the_fourth_link_of_the_day_is_a_refusal_page(client: TestClient, session: Session) -> None:
    """Three SMS a day at most: the 4th ask is a 429 page that says why, in English too."""
    code = book(client)["tracking_code"]
    _follow(client, code)
    for _ in range(3):
        assert client.post(f"/track/{code}/copy", headers=SAME_SITE).status_code == 200
    client.cookies.set("lang", "en")
    refused = client.post(f"/track/{code}/copy", headers=SAME_SITE)
    assert refused.status_code == 429
    assert "A download link was already sent to this dossier" in refused.text
    assert len(_links(session)) == 3


def test_erasure_on_the_tracking_page_asks_first(client: TestClient, session: Session) -> None:
    """The link opens a confirmation that says what goes and posts back; nothing is recorded
    until the citizen says yes."""
    code = book(client)["tracking_code"]
    _follow(client, code)
    confirm = client.get(f"/track/{code}/erasure")
    assert confirm.status_code == 200
    assert "Có, xóa dữ liệu cá nhân của tôi" in confirm.text
    assert f'action="/track/{code}/erasure"' in confirm.text
    assert f"{RETENTION} ngày" in confirm.text
    assert _requests(session) == []


def test_an_open_dossier_is_answered_with_the_earliest_day(
    client: TestClient, session: Session
) -> None:
    """Still in progress: recorded, nothing erased, the page gives the earliest day in words."""
    code = book(client)["tracking_code"]
    _follow(client, code)
    answer = client.post(f"/track/{code}/erasure", headers=SAME_SITE)
    assert answer.status_code == 200
    asked = _requests(session)[0]
    earliest = (asked.requested_at + timedelta(days=RETENTION)).astimezone(ZONE).date()
    assert "<h1>Yêu cầu xóa dữ liệu của bạn</h1>" in answer.text
    assert "Hồ sơ đang được xử lý" in answer.text
    assert f"không sớm hơn ngày {earliest:%d/%m/%Y}" in answer.text
    assert asked.requested_via == "track"
    assert _dossier(session, code).applicant_name == "Nguyễn Văn An"
    assert client.get(f"/track/{code}").status_code == 200  # still opens with the digits


def test_a_closed_dossier_is_answered_with_its_day_in_english(
    client: TestClient, session: Session
) -> None:
    """Closed 10 days ago: the page names the day retention ends, dd/MM/yyyy in Vietnam."""
    code = _closed(client, session, 10)
    client.cookies.set("lang", "en")
    answer = client.post(f"/track/{code}/erasure", headers=SAME_SITE)
    closed = _dossier(session, code).status_changed_at
    day = (closed + timedelta(days=RETENTION)).astimezone(ZONE).date()
    assert "<h1>Your erasure request</h1>" in answer.text
    assert f"will be erased on {day:%d/%m/%Y}" in answer.text
    assert _dossier(session, code).erased_at is None


def test_past_retention_the_data_is_erased_and_the_digits_no_longer_open_it(
    client: TestClient, session: Session
) -> None:
    """Erased in the request; the page says so and the browser's grant is dropped."""
    code = _closed(client, session, RETENTION + 1)
    answer = client.post(f"/track/{code}/erasure", headers=SAME_SITE)
    assert "Dữ liệu cá nhân của bạn đã được xóa" in answer.text
    assert re.search(rf"{code} đã được xóa ngày \d\d/\d\d/\d{{4}}", answer.text)
    assert grants.PREFIX + code not in client.cookies
    dossier = _dossier(session, code)
    assert (dossier.applicant_name, dossier.applicant_phone) == (MARKER, MARKER)
    assert _follow(client, code) == 404


def test_without_the_digits_nothing_is_given_nor_recorded(
    client: TestClient, session: Session
) -> None:
    """Wrong digits answer the form's 404; then the link and erasure lead back to the form, as
    cancel does, and another dossier's addresses too while this one is open; the copy has no
    address of its own on the tracking page any more."""
    code = book(client)["tracking_code"]
    other = book(client, phone="0987 654 321")["tracking_code"]
    assert _follow(client, code, "0000") == 404
    _follow(client, other, "4321")
    assert client.get(f"/track/{code}/erasure", follow_redirects=False).status_code == 303
    for path in ("copy", "erasure"):
        asked = client.post(f"/track/{code}/{path}", headers=SAME_SITE, follow_redirects=False)
        assert (asked.status_code, asked.headers["location"]) == (303, f"/track/{code}")
    for path in ("data.pdf", "data.json"):
        assert client.get(f"/track/{other}/{path}").status_code == 404
    assert _requests(session) == []
    assert _links(session) == []


def test_an_erasure_or_link_posted_from_another_site_is_refused(
    client: TestClient, session: Session
) -> None:
    """A form POSTed from elsewhere (CSRF): a 403 page, nothing recorded, no SMS."""
    code = book(client)["tracking_code"]
    _follow(client, code)
    for path in ("erasure", "copy"):
        refused = client.post(f"/track/{code}/{path}", headers={"Origin": "https://evil.example"})
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("text/html")
    assert _requests(session) == []
    assert _links(session) == []


def test_the_account_downloads_and_asks_for_erasure_from_its_dossier(
    client: TestClient, session: Session
) -> None:
    """Signed in: the dossier's page has the section, both files, the confirmation, and the
    answer; the request says it came from the account."""
    citizen = headers_for(session, "citizen.an")
    code = client.post("/api/v1/bookings", json=booking_body(), headers=citizen).json()[
        "tracking_code"
    ]
    _sign_in(client)
    page = client.get(f"/me/dossiers/{code}")
    for path in ("data.pdf", "data.json", "erasure"):
        assert f'href="/me/dossiers/{code}/{path}"' in page.text
    assert client.get(f"/me/dossiers/{code}/data.pdf").content.startswith(b"%PDF")
    assert client.get(f"/me/dossiers/{code}/data.json").json()["dossier"]["tracking_code"] == code
    confirm = client.get(f"/me/dossiers/{code}/erasure")
    assert f'action="/me/dossiers/{code}/erasure"' in confirm.text
    assert "4 số cuối điện thoại" not in confirm.text  # the tracking page's warning only
    answer = client.post(f"/me/dossiers/{code}/erasure", headers=SAME_SITE)
    assert answer.status_code == 200
    assert "Hồ sơ đang được xử lý" in answer.text
    assert f'href="/me/dossiers/{code}"' in answer.text
    assert _requests(session)[0].requested_via == "account"


def test_another_accounts_dossier_is_not_found_on_every_address(
    client: TestClient, session: Session
) -> None:
    """An anonymous booking and an unknown code: the account's 404 page, no file, nothing
    recorded; signed out, the sign-in form."""
    code = book(client)["tracking_code"]
    _sign_in(client)
    for target in (code, "HS000000000VN"):
        answers = [
            client.get(f"/me/dossiers/{target}/data.pdf"),
            client.get(f"/me/dossiers/{target}/data.json"),
            client.get(f"/me/dossiers/{target}/erasure"),
            client.post(f"/me/dossiers/{target}/erasure", headers=SAME_SITE),
        ]
        assert [a.status_code for a in answers] == [404] * 4
        assert all(a.headers["content-type"].startswith("text/html") for a in answers)
        assert all("Nguyễn Văn An" not in a.text for a in answers)
    client.cookies.clear()
    assert client.get(f"/me/dossiers/{code}/data.pdf").status_code == 401
    assert _requests(session) == []


def test_an_account_erasure_posted_from_another_site_is_refused(
    client: TestClient, session: Session
) -> None:
    """The account's form POSTed from elsewhere: the 403 page, nothing recorded."""
    citizen = headers_for(session, "citizen.an")
    code = client.post("/api/v1/bookings", json=booking_body(), headers=citizen).json()[
        "tracking_code"
    ]
    _sign_in(client)
    refused = client.post(
        f"/me/dossiers/{code}/erasure", headers={"Origin": "https://evil.example"}
    )
    assert refused.status_code == 403
    assert _requests(session) == []
