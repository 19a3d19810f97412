"""SMS to citizens: unaccented Vietnamese that fits GSM-7, with a link that opens."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from courier.notifications.models import Notification
from courier.text import unaccented
from tests.builders import book


def test_the_booking_sms_is_plain_gsm_text_with_the_tracking_link(
    client: TestClient, session: Session
) -> None:
    """One encoding throughout: no diacritics, so one SMS carries 160 characters."""
    code = book(client)["tracking_code"]
    body = session.scalar(select(Notification.body).order_by(Notification.id.desc()))
    assert (
        body
        == f"Ho so {code}: Da dat lich thu gom. Tra cuu: http://127.0.0.1:8000/track/{code}"
    )
    assert body.isascii()


def test_unaccented_keeps_every_letter() -> None:
    """Tones and marks go, the letters stay; đ becomes d."""
    assert unaccented("Đã đặt lịch thu gom hồ sơ ở Thủ Dầu Một") == (
        "Da dat lich thu gom ho so o Thu Dau Mot"
    )
