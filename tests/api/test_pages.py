"""The tracking page that SMS links and receipts open: the digits in a POST, never in a URL."""

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.main import create_app
from courier.handovers.models import Handover
from courier.notifications.models import Notification
from courier.proofs import printing, verify
from courier.proofs.models import HandoverProof
from courier.proofs.storage import storage_for
from courier.settings import Settings
from tests.builders import (
    assign,
    book,
    booking_body,
    courier_id,
    find_job,
    headers_for,
    pick_up,
    post_ok,
    status_of,
)

PHONE = "5678"  # last digits of the builders' phone
SAME_SITE = {"Origin": "http://testserver"}


def follow(client: TestClient, code: str, phone: str = PHONE) -> Response:
    """Send the tracking form as the browser does; the answer (a redirect when it matched)."""
    return client.post(
        "/track", data={"code": code, "phone": phone}, headers=SAME_SITE, follow_redirects=False
    )


def open_dossier(client: TestClient, code: str) -> Response:
    """Prove the digits, then open the dossier's page."""
    assert follow(client, code).status_code == 303
    return client.get(f"/track/{code}")


def test_the_sms_link_opens_the_form_with_the_code_filled_in(
    client: TestClient, session: Session
) -> None:
    """The link in the booking SMS answers 200 with the code filled in and a field for the digits."""
    code = book(client)["tracking_code"]
    body = session.scalar(select(Notification.body).order_by(Notification.id.desc()))
    assert body is not None
    path = body.split("http://127.0.0.1:8000", 1)[1].split()[0]
    page = client.get(path)
    assert page.status_code == 200
    assert "4 số cuối điện thoại" in page.text
    assert f'value="{code}"' in page.text
    assert "Đã đặt lịch thu gom" not in page.text


def test_the_home_page_form_fills_the_code(client: TestClient) -> None:
    """/track?code= (the home page's form) shows the form with that code."""
    page = client.get("/track", params={"code": "hs 12345678 9vn"})
    assert page.status_code == 200
    assert 'value="HS123456789VN"' in page.text


def test_the_digits_go_in_a_post_and_the_page_url_holds_none(client: TestClient) -> None:
    """The form's answer redirects to the bare dossier URL and sets a short-lived HttpOnly cookie."""
    code = book(client)["tracking_code"]
    answer = follow(client, code)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/track/{code}"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"dossier_{code}=")
    assert "httponly" in cookie.lower()
    assert "samesite=strict" in cookie.lower()
    assert PHONE not in answer.headers["location"]


def test_the_page_shows_the_timeline_newest_first_in_vietnam_time(
    client: TestClient, session: Session
) -> None:
    """With the grant: the status and every event, dd/mm/yyyy HH:mm in GMT+7, newest first."""
    code = book(client)["tracking_code"]
    pick_up(client, session, code)
    page = open_dossier(client, code)
    assert page.status_code == 200
    assert page.text.index("Bưu tá đã nhận hồ sơ") < page.text.index("Đã đặt lịch thu gom")
    assert "+07:00" in page.text
    assert "GMT+7" in page.text
    assert page.headers["cache-control"] == "no-store"


def test_the_page_in_english_when_chosen(client: TestClient) -> None:
    """The language switch's cookie gives English labels."""
    code = book(client)["tracking_code"]
    client.cookies.set("lang", "en")
    page = open_dossier(client, code)
    assert "Pickup booked" in page.text
    assert "Birth registration" in page.text


def test_the_page_shows_no_personal_data(client: TestClient, session: Session) -> None:
    """Name, phone and address appear nowhere on the page."""
    booked = booking_body(applicant_name="Lê Thị Hồng Nhung", lat=10.98765, lon=106.65432)
    code = book(client, **booked)["tracking_code"]
    pick_up(client, session, code)
    text = open_dossier(client, code).text
    for secret in ("Nhung", "912345678", "Yersin", "Phú Cường", "10.98765", "106.65432"):
        assert secret not in text


def test_a_wrong_phone_reads_exactly_like_an_unknown_code(client: TestClient) -> None:
    """404 and the same page, but for the code echoed back; no grant is given."""
    code = book(client)["tracking_code"]
    wrong = follow(client, code, "0000")
    unknown = follow(client, "HS000000005VN")
    assert wrong.status_code == unknown.status_code == 404
    assert "Không tìm thấy hồ sơ" in wrong.text
    assert wrong.text.replace(code, "X") == unknown.text.replace("HS000000005VN", "X")
    assert "set-cookie" not in wrong.headers
    assert "Đã đặt lịch thu gom" not in client.get(f"/track/{code}").text


def test_digits_that_are_not_four_are_refused_beside_the_field(client: TestClient) -> None:
    """Three digits answer 422 with the message beside the field and the code kept."""
    code = book(client)["tracking_code"]
    page = follow(client, code, "567")
    assert page.status_code == 422
    assert "4 chữ số cuối" in page.text
    assert 'aria-invalid="true"' in page.text
    assert f'value="{code}"' in page.text


def test_a_forged_grant_shows_only_the_form(client: TestClient) -> None:
    """A cookie the service did not sign counts as none."""
    code = book(client)["tracking_code"]
    client.cookies.set(f"dossier_{code}", f"{PHONE}.9999999999.0000")
    page = client.get(f"/track/{code}")
    assert 'name="phone"' in page.text
    assert "Đã đặt lịch thu gom" not in page.text


def test_the_receipt_qr_opens_the_page_that_checks_custody(
    client: TestClient, session: Session, settings: Settings
) -> None:
    """The QR's address, once the digits are proved, says the signed chain verifies."""
    code = book(client)["tracking_code"]
    pick_up(client, session, code)
    handover = session.scalars(select(Handover).order_by(Handover.id.desc())).first()
    assert handover is not None
    data = printing.receipt_data(session, handover, settings, storage_for(settings))
    url = data.dossiers[0].custody_url
    assert url == f"{settings.public_base_url}/track/{code}"
    follow(client, code)
    page = client.get(url.removeprefix(settings.public_base_url))
    assert "Chuỗi bàn giao (1 lần) có chữ ký số, đã kiểm tra" in page.text


def test_the_page_warns_when_a_photo_was_replaced(client: TestClient, session: Session) -> None:
    """A photo swapped on disk: the citizen is told the chain breaks at handover 1."""
    code = book(client)["tracking_code"]
    pick_up(client, session, code)
    photo = session.scalars(select(HandoverProof).where(HandoverProof.role == "photo")).first()
    assert photo is not None
    path = Path(Settings().media_dir) / photo.storage_key
    original = path.read_bytes()
    try:
        path.write_bytes(original[:-10] + b"0123456789")
        page = open_dossier(client, code)
    finally:
        path.write_bytes(original)
    assert "KHÔNG khớp từ lần bàn giao thứ 1" in page.text


def test_a_storage_outage_hides_the_custody_line_but_not_the_page(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The object store failing leaves the timeline readable; no cache keeps the page."""
    code = book(client)["tracking_code"]
    pick_up(client, session, code)

    def down(*args: object, **kwargs: object) -> None:
        raise OSError("object store unreachable")

    monkeypatch.setattr(verify, "verify_chain", down)
    page = open_dossier(client, code)
    assert page.status_code == 200
    assert "Bưu tá đã nhận hồ sơ" in page.text
    assert "Chuỗi bàn giao" not in page.text
    assert page.headers["cache-control"] == "no-store"


def test_cancel_asks_first_then_cancels(client: TestClient) -> None:
    """The cancel link opens a confirmation; its POST cancels and the page says so."""
    code = book(client)["tracking_code"]
    page = open_dossier(client, code)
    assert f'href="/track/{code}/cancel"' in page.text
    confirm = client.get(f"/track/{code}/cancel")
    assert "Có, hủy lịch" in confirm.text
    assert status_of(client, code) == "booked"
    done = client.post(f"/track/{code}/cancel", headers=SAME_SITE)
    assert done.url.path == f"/track/{code}"
    assert "Đã hủy lịch hẹn" in done.text
    assert "bưu tá sẽ không đến" in done.text
    assert "Lịch thu gom đã đặt" not in done.text  # no pickup day left to mislead
    assert status_of(client, code) == "cancelled"


def test_a_cancel_sent_from_another_site_is_refused(client: TestClient) -> None:
    """A form POSTed from elsewhere (CSRF) gets a 403 page and changes nothing."""
    code = book(client)["tracking_code"]
    follow(client, code)
    refused = client.post(f"/track/{code}/cancel", headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    assert status_of(client, code) == "booked"


def test_cancel_without_the_digits_changes_nothing(client: TestClient) -> None:
    """No grant: the POST leads back to the form and the booking stays."""
    code = book(client)["tracking_code"]
    answer = client.post(f"/track/{code}/cancel", headers=SAME_SITE, follow_redirects=False)
    assert answer.status_code == 303
    assert status_of(client, code) == "booked"


def test_too_late_to_cancel_is_said_in_the_language(client: TestClient, session: Session) -> None:
    """Once picked up, cancel is not offered, and a forced POST explains itself in English."""
    code = book(client)["tracking_code"]
    client.cookies.set("lang", "en")
    follow(client, code)
    pick_up(client, session, code)
    assert f"/track/{code}/cancel" not in client.get(f"/track/{code}").text
    refused = client.post(f"/track/{code}/cancel", headers=SAME_SITE)
    assert refused.status_code == 409
    assert "can no longer be done" in refused.text
    assert "Collected by the courier" in refused.text
    assert status_of(client, code) == "picked_up"


def test_reschedule_offers_the_open_slots_and_moves_the_pickup(client: TestClient) -> None:
    """The form lists days and slots; the chosen one becomes the booking's."""
    code = book(client)["tracking_code"]
    follow(client, code)
    form = client.get(f"/track/{code}/reschedule")
    assert form.status_code == 200
    values = [v.split('"')[0] for v in form.text.split('option value="')[1:]]
    assert len(values) >= 8
    assert f"{booking_body()['preferred_on']}|morning" not in values  # the current one
    moved = client.post(f"/track/{code}/reschedule", data={"when": values[-1]}, headers=SAME_SITE)
    assert "Đã đổi lịch thu gom" in moved.text
    track = client.post(f"/api/v1/track/{code}", json={"phone": PHONE}).json()
    assert f"{track['preferred_on']}|{track['slot']}" == values[-1]


def test_reschedule_to_a_day_not_offered_is_refused_on_the_form(client: TestClient) -> None:
    """A Sunday or a made-up value: 422, the reason in words, the booking unchanged."""
    code = book(client)["tracking_code"]
    follow(client, code)
    for when in ("2020-01-05|morning", "tomorrow"):
        page = client.post(f"/track/{code}/reschedule", data={"when": when}, headers=SAME_SITE)
        assert page.status_code == 422
        assert 'role="alert"' in page.text
        assert "Đã đổi lịch thu gom" not in page.text


def _fail_pickup(client: TestClient, session: Session, code: str, reason: str) -> None:
    dispatcher = headers_for(session, "dispatch.tdm")
    job = find_job(client, dispatcher, code, "inbound", "pickup")
    assign(client, dispatcher, job, courier_id(session, "BD-CR-TDM-01"))
    courier = headers_for(session, "bd-cr-tdm-01")
    post_ok(client, f"/api/v1/jobs/{job}/attempts", courier, {"reason": reason})


def test_a_failed_pickup_shows_its_reason_and_the_new_date(
    client: TestClient, session: Session
) -> None:
    """After a failed visit: why, in words, and the day and window of the next visit."""
    code = book(client)["tracking_code"]
    _fail_pickup(client, session, code, "not_home")
    page = open_dossier(client, code)
    assert "không có ai ở địa chỉ" in page.text
    assert "Ngày hẹn mới" in page.text
    assert f'href="/track/{code}/reschedule"' in page.text


def test_receipts_of_the_citizens_handovers_open_as_pdf(
    client: TestClient, session: Session
) -> None:
    """The pickup's receipt is linked and opens as a PDF with the grant, and not without it."""
    code = book(client)["tracking_code"]
    pick_up(client, session, code)
    page = open_dossier(client, code)
    handover = session.scalars(select(Handover).order_by(Handover.id.desc())).first()
    assert handover is not None
    link = f"/track/{code}/receipts/{handover.id}.pdf"
    assert link in page.text
    pdf = client.get(link)
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert pdf.headers["cache-control"] == "private, no-store"
    client.cookies.clear()
    assert client.get(link, follow_redirects=False).status_code == 303


def test_a_citizen_cannot_reach_another_dossiers_receipt(
    client: TestClient, session: Session
) -> None:
    """Granted dossier A, handover of dossier B: not found, under A's or B's address."""
    mine = book(client)["tracking_code"]
    other = book(client, phone="0987 654 321")["tracking_code"]
    pick_up(client, session, other)
    theirs = session.scalars(select(Handover).order_by(Handover.id.desc())).first()
    assert theirs is not None
    follow(client, mine)
    under_mine = client.get(f"/track/{mine}/receipts/{theirs.id}.pdf")
    assert under_mine.status_code == 404
    assert not under_mine.content.startswith(b"%PDF")
    under_theirs = client.get(f"/track/{other}/receipts/{theirs.id}.pdf", follow_redirects=False)
    assert under_theirs.status_code == 303


def test_a_rate_limited_visitor_gets_a_page_in_their_language(
    settings: Settings, factory: sessionmaker[Session]
) -> None:
    """Past the public limit the page routes answer an HTML page in English, not JSON."""
    limited: FastAPI = create_app(
        settings.model_copy(update={"track_rate_limit": "2/minute"}), factory
    )
    with TestClient(limited) as client:
        client.cookies.set("lang", "en")
        answers = [client.get("/track", params={"code": "HS000000005VN"}) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    refused = answers[-1]
    assert refused.headers["content-type"].startswith("text/html")
    assert "Too many requests" in refused.text
    assert refused.headers["content-language"] == "en"
    assert int(refused.headers["retry-after"]) > 0


def test_every_page_route_answers_refusals_as_pages(
    settings: Settings, factory: sessionmaker[Session]
) -> None:
    """The sign-in page past its limit: an HTML page in Vietnamese; the API keeps its JSON."""
    limited: FastAPI = create_app(
        settings.model_copy(update={"track_rate_limit": "1/minute"}), factory
    )
    form = {"username": "citizen.an", "password": "wrong"}
    with TestClient(limited) as client:
        origin = {"Origin": "http://testserver"}
        answers = [client.post("/me/login", data=form, headers=origin) for _ in range(2)]
        api = [client.post("/api/v1/track/HS000000005VN", json={"phone": "1234"}) for _ in range(2)]
    refused = answers[-1]
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("text/html")
    assert "Quá nhiều yêu cầu" in refused.text
    assert api[-1].status_code == 429
    assert api[-1].headers["content-type"] == "application/json"


def test_an_unknown_address_is_a_page_and_the_api_keeps_json(client: TestClient) -> None:
    """A mistyped address of the site: a 404 page in Vietnamese; the API's 404 stays JSON."""
    page = client.get("/dat-lich")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Trang này không tồn tại" in page.text
    api = client.get("/api/v1/nope")
    assert api.status_code == 404
    assert api.json() == {"detail": "Not Found"}
    assert client.get("/static/css/nope.css").headers["content-type"].startswith("application/json")
