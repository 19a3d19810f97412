"""The public tracking page that SMS links and receipts open: Vietnamese first, nothing personal."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from courier.handovers.models import Handover
from courier.notifications.models import Notification
from courier.proofs import printing, verify
from courier.proofs.models import HandoverProof
from courier.proofs.storage import storage_for
from courier.settings import Settings
from tests.builders import book, booking_body, pick_up

PHONE = "5678"


def test_the_sms_link_opens_a_page_asking_for_the_phone_digits(
    client: TestClient, session: Session
) -> None:
    """The link in the booking SMS answers 200 with a form for the last 4 digits, in Vietnamese."""
    code = book(client)["tracking_code"]
    body = session.scalar(select(Notification.body).order_by(Notification.id.desc()))
    assert body is not None
    path = body.split("http://127.0.0.1:8000", 1)[1].split()[0]
    page = client.get(path)
    assert page.status_code == 200
    assert "4 số cuối điện thoại" in page.text
    assert code in page.text


def test_the_page_shows_the_timeline_in_vietnamese_time(
    client: TestClient, session: Session
) -> None:
    """With the digits: the status and every event, times in GMT+7, newest first."""
    code = book(client)["tracking_code"]
    pick_up(client, session, code)
    page = client.get(f"/track/{code}", params={"phone": PHONE})
    assert page.status_code == 200
    assert page.text.index("Bưu tá đã nhận hồ sơ") < page.text.index("Đã đặt lịch thu gom hồ sơ")
    assert "+07:00" in page.text
    assert "GMT+7" in page.text


def test_the_page_in_english_on_request(client: TestClient) -> None:
    """?lang=en gives English labels."""
    code = book(client)["tracking_code"]
    page = client.get(f"/track/{code}", params={"phone": PHONE, "lang": "en"})
    assert "Pickup booked" in page.text
    assert "Birth registration" in page.text


def test_the_page_shows_no_personal_data(client: TestClient, session: Session) -> None:
    """Name, phone and address appear nowhere on the page."""
    booked = booking_body(applicant_name="Lê Thị Hồng Nhung", lat=10.98765, lon=106.65432)
    code = book(client, **booked)["tracking_code"]
    pick_up(client, session, code)
    text = client.get(f"/track/{code}", params={"phone": PHONE}).text
    for secret in ("Nhung", "912345678", "Yersin", "Phú Cường", "10.98765", "106.65432"):
        assert secret not in text


def test_a_wrong_phone_reads_exactly_like_an_unknown_code(client: TestClient) -> None:
    """404 and the same page, but for the code echoed back."""
    code = book(client)["tracking_code"]
    wrong = client.get(f"/track/{code}", params={"phone": "0000"})
    unknown = client.get("/track/HS000000005VN", params={"phone": PHONE})
    assert wrong.status_code == unknown.status_code == 404
    assert "Không tìm thấy hồ sơ" in wrong.text
    assert wrong.text.replace(code, "X") == unknown.text.replace("HS000000005VN", "X")


def test_digits_that_are_not_four_are_refused_with_a_message(client: TestClient) -> None:
    """Three digits answer 422 with a Vietnamese explanation and the form again."""
    code = book(client)["tracking_code"]
    page = client.get(f"/track/{code}", params={"phone": "567"})
    assert page.status_code == 422
    assert "4 chữ số" in page.text
    assert 'name="phone"' in page.text


def test_the_receipt_qr_opens_the_page_that_checks_custody(
    client: TestClient, session: Session, settings: Settings
) -> None:
    """The QR's address, with the phone digits, says the signed chain verifies."""
    code = book(client)["tracking_code"]
    pick_up(client, session, code)
    handover = session.scalars(select(Handover).order_by(Handover.id.desc())).first()
    assert handover is not None
    data = printing.receipt_data(session, handover, settings, storage_for(settings))
    url = data.dossiers[0].custody_url
    assert url == f"{settings.public_base_url}/track/{code}"
    page = client.get(url.removeprefix(settings.public_base_url), params={"phone": PHONE})
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
        page = client.get(f"/track/{code}", params={"phone": PHONE})
    finally:
        path.write_bytes(original)
    assert "KHÔNG khớp từ lần bàn giao thứ 1" in page.text


def test_a_storage_outage_hides_the_custody_line_but_not_the_page(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The object store failing leaves the timeline readable; no shared cache keeps the page."""
    code = book(client)["tracking_code"]
    pick_up(client, session, code)

    def down(*args: object, **kwargs: object) -> None:
        raise OSError("object store unreachable")

    monkeypatch.setattr(verify, "verify_chain", down)
    page = client.get(f"/track/{code}", params={"phone": PHONE})
    assert page.status_code == 200
    assert "Bưu tá đã nhận hồ sơ" in page.text
    assert "Chuỗi bàn giao" not in page.text
    assert page.headers["cache-control"] == "private, no-store"
