"""A retried booking makes one dossier (Idempotency-Key); anonymous booking is limited per client
address and per phone number a day, with a translated 429 and Retry-After."""

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from api.main import create_app
from api.ratelimit import TooManyRequests
from courier.dossiers.models import Dossier
from courier.settings import Settings
from tests.builders import booking_body, counts, login_as
from tests.race import race

EN = {"Accept-Language": "en"}


def _key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def _limited(
    settings: Settings, factory: sessionmaker[Session], **limits: Any
) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update=limits), factory)
    with TestClient(app) as client:
        yield client


@pytest.fixture
def two_a_day(settings: Settings, factory: sessionmaker[Session]) -> Iterator[TestClient]:
    """An app where a phone number gets two bookings a day."""
    yield from _limited(settings, factory, bookings_per_phone_per_day=2)


def test_a_retry_with_the_same_key_answers_the_first_booking(
    client: TestClient, session: Session
) -> None:
    """Same key, same body: the same 201 answer, marked as replayed, and one dossier."""
    key, body = _key(), booking_body()
    before = counts(session)
    first = client.post("/api/v1/bookings", json=body, headers=key)
    again = client.post("/api/v1/bookings", json=body, headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert counts(session)["dossier"] == before["dossier"] + 1


def test_the_same_key_with_another_body_is_refused_naming_the_key(
    client: TestClient, session: Session
) -> None:
    """Another body with a used key: 422 on the Idempotency-Key header, nothing new stored."""
    key = _key()
    assert client.post("/api/v1/bookings", json=booking_body(), headers=key).status_code == 201
    before = counts(session)
    other = booking_body(slot="afternoon")
    for headers, words in (({}, "khóa này đã được dùng"), (EN, "already used")):
        response = client.post("/api/v1/bookings", json=other, headers={**key, **headers})
        assert response.status_code == 422
        (problem,) = response.json()["detail"]
        assert problem["loc"] == ["header", "Idempotency-Key"]
        assert problem["type"] == "idempotency_key_reused"
        assert words in problem["msg"]
    assert counts(session) == before


def test_another_callers_key_is_new_to_me(client: TestClient, session: Session) -> None:
    """A key an enterprise booked with, reused by a citizen with another body and by an anonymous
    caller with the same body: each books their own dossier (201), as with an unused key, and
    learns neither that the key was used nor the first booking's code; each retry answers their
    own booking, and the enterprise's retry still answers its own."""
    key = _key()
    enterprise = {**key, **login_as(client, "enterprise")}
    first = client.post("/api/v1/bookings", json=booking_body(), headers=enterprise)
    assert first.status_code == 201, first.text
    theirs = first.json()["tracking_code"]
    other = booking_body(applicant_name="Lê Văn Tám", slot="afternoon")
    for caller, body in (({**key, **login_as(client, "citizen")}, other), (key, booking_body())):
        before = counts(session)["dossier"]
        mine = client.post("/api/v1/bookings", json=body, headers=caller)
        assert mine.status_code == 201, mine.text
        assert theirs not in mine.text
        assert counts(session)["dossier"] == before + 1
        assert client.post("/api/v1/bookings", json=body, headers=caller).json() == mine.json()
    replay = client.post("/api/v1/bookings", json=booking_body(), headers=enterprise)
    assert replay.json()["tracking_code"] == theirs


def test_a_malformed_key_is_refused(client: TestClient) -> None:
    """Keys are 1-100 letters, digits, - or _."""
    for bad in ("has space", "x" * 101, "a.b"):
        response = client.post(
            "/api/v1/bookings", json=booking_body(), headers={"Idempotency-Key": bad}
        )
        assert response.status_code == 422, bad
        assert response.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]


def test_without_a_key_two_posts_make_two_bookings(client: TestClient, session: Session) -> None:
    """The key is optional; without it every post is a new booking."""
    before = counts(session)
    for _ in range(2):
        assert client.post("/api/v1/bookings", json=booking_body()).status_code == 201
    assert counts(session)["dossier"] == before["dossier"] + 2


def test_two_identical_requests_at_once_make_one_dossier(committed: Any) -> None:
    """A double tap: both requests answer the same tracking code, one dossier is stored."""
    with TestClient(create_app(Settings(environment="test"), committed)) as client:
        key, body = _key(), booking_body()
        answers = race(*[lambda: client.post("/api/v1/bookings", json=body, headers=key)] * 2)
        assert [a.status_code for a in answers] == [201, 201], [a.text for a in answers]
        assert answers[0].json()["tracking_code"] == answers[1].json()["tracking_code"]
        with committed() as session:
            stored = session.scalar(
                select(func.count())
                .select_from(Dossier)
                .where(Dossier.idempotency_key == key["Idempotency-Key"])
            )
        assert stored == 1


def test_a_phone_number_gets_a_few_bookings_a_day(two_a_day: TestClient) -> None:
    """The third booking for one number within 24 h: 429 in the caller's language, Retry-After."""
    for _ in range(2):
        assert two_a_day.post("/api/v1/bookings", json=booking_body()).status_code == 201
    refused = two_a_day.post("/api/v1/bookings", json=booking_body())
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 24 * 3600
    assert "đã đạt giới hạn đặt lịch trong ngày (2 lượt" in refused.json()["detail"]
    english = two_a_day.post("/api/v1/bookings", json=booking_body(), headers=EN)
    assert "daily limit of bookings (2 in the last 24 hours)" in english.json()["detail"]
    other = two_a_day.post("/api/v1/bookings", json=booking_body(phone="0987 654 321"))
    assert other.status_code == 201


def test_the_phone_limit_counts_numbers_however_written(two_a_day: TestClient) -> None:
    """0912…, +84912… and 84-912… are one number."""
    for phone in ("0912345678", "+84912345678"):
        assert two_a_day.post("/api/v1/bookings", json=booking_body(phone=phone)).status_code == 201
    refused = two_a_day.post("/api/v1/bookings", json=booking_body(phone="84-912-345-678"))
    assert refused.status_code == 429


def test_a_retry_at_the_limit_still_gets_its_answer(two_a_day: TestClient) -> None:
    """The last allowed booking, retried after a lost answer, is answered again, not refused."""
    key = _key()
    two_a_day.post("/api/v1/bookings", json=booking_body())
    first = two_a_day.post("/api/v1/bookings", json=booking_body(), headers=key)
    again = two_a_day.post("/api/v1/bookings", json=booking_body(), headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["tracking_code"] == first.json()["tracking_code"]


def test_accounts_are_not_limited_per_phone(two_a_day: TestClient) -> None:
    """An enterprise clerk or a signed-in citizen books many for one number."""
    headers = login_as(two_a_day, "citizen")
    for _ in range(3):
        answer = two_a_day.post("/api/v1/bookings", json=booking_body(), headers=headers)
        assert answer.status_code == 201


def test_anonymous_booking_is_limited_per_client(
    settings: Settings, factory: sessionmaker[Session]
) -> None:
    """Past the client's limit: 429 whatever the phone, with Retry-After."""
    for client in _limited(settings, factory, booking_rate_limit="2/minute"):
        phones = ["0912345678", "0987654321", "0903123456"]
        answers = [
            client.post("/api/v1/bookings", json=booking_body(phone=p), headers=EN) for p in phones
        ]
        assert [a.status_code for a in answers] == [201, 201, 429]
        assert 0 < int(answers[2].headers["Retry-After"]) <= 60
        assert "Too many requests" in answers[2].json()["detail"]


@pytest.mark.parametrize(
    ("wait_s", "lang", "said"),
    [
        (30, "en", "try again in 1 minute."),
        (150, "en", "try again in 3 minutes."),
        (3600, "en", "try again in 1 hour."),
        (23 * 3600 + 1, "en", "try again in 24 hours."),
        (90, "vi", "thử lại sau 2 phút."),
        (23 * 3600 + 1, "vi", "thử lại sau 24 giờ."),
    ],
)
def test_a_wait_reads_as_minutes_then_hours(wait_s: int, lang: str, said: str) -> None:
    """A wait reads "1 minute", "3 minutes", then whole hours: never "1 minutes" nor "1381 minutes"."""
    assert said in TooManyRequests(wait_s).text(lang)
