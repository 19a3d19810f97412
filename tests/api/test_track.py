"""Public tracking with the code and the phone's last digits; cancel and reschedule before pickup."""

from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from api.main import create_app
from courier import calendar
from courier.settings import Settings
from tests.builders import book, booking_body, booking_day, counts, headers_for, pick_up

PHONE = "5678"  # last digits of the builders' phone


def test_timeline_is_vietnamese_by_default(client: TestClient) -> None:
    """Without Accept-Language the labels are Vietnamese, times in +07:00."""
    code = book(client)["tracking_code"]
    body = client.get(f"/api/v1/track/{code}", params={"phone": PHONE}).json()
    assert body["status"] == "booked"
    assert body["status_label"] == "Đã đặt lịch thu gom"
    assert body["procedure"] == "Đăng ký khai sinh"
    assert [e["label"] for e in body["events"]] == ["Đã đặt lịch thu gom"]
    assert body["events"][0]["at"].endswith("+07:00")


def test_timeline_in_english_on_request(client: TestClient) -> None:
    """Accept-Language: en gives English labels."""
    code = book(client)["tracking_code"]
    response = client.get(
        f"/api/v1/track/{code}", params={"phone": PHONE}, headers={"Accept-Language": "en-US,en"}
    )
    body = response.json()
    assert body["status_label"] == "Pickup booked"
    assert body["procedure"] == "Birth registration"
    assert [e["label"] for e in body["events"]] == ["Pickup booked"]


def test_timeline_shows_no_personal_data(client: TestClient, session: Session) -> None:
    """Name, phone, address and coordinates appear nowhere in the public answer."""
    booked = booking_body(applicant_name="Lê Thị Hồng Nhung", lat=10.98765, lon=106.65432)
    code = book(client, **booked)["tracking_code"]
    pick_up(client, session, code)
    text = client.get(f"/api/v1/track/{code}", params={"phone": PHONE}).text
    for secret in (
        "Lê Thị Hồng Nhung",
        "Nhung",
        "912345678",
        "Yersin",
        "Phú Cường",
        "10.98765",
        "106.65432",
    ):
        assert secret not in text


def test_wrong_phone_answers_exactly_like_an_unknown_code(client: TestClient) -> None:
    """A wrong suffix and an unknown (valid-looking) code get the same 404 and the same body."""
    code = book(client)["tracking_code"]
    wrong_phone = client.get(f"/api/v1/track/{code}", params={"phone": "0000"})
    unknown = client.get("/api/v1/track/HS000000005VN", params={"phone": PHONE})
    malformed = client.get("/api/v1/track/NOTACODE", params={"phone": PHONE})
    assert wrong_phone.status_code == unknown.status_code == malformed.status_code == 404
    assert wrong_phone.content == unknown.content == malformed.content


def test_tracking_is_rate_limited_per_client(
    settings: Settings, factory: sessionmaker[Session]
) -> None:
    """Past the limit the client gets 429."""
    limited: FastAPI = create_app(
        settings.model_copy(update={"track_rate_limit": "3/minute"}), factory
    )
    with TestClient(limited) as client:
        answers = [
            client.get("/api/v1/track/HS000000005VN", params={"phone": PHONE}).status_code
            for _ in range(4)
        ]
    assert answers == [404, 404, 404, 429]


def _limited_answers(
    settings: Settings, factory: sessionmaker[Session], trusted: str, clients: list[str]
) -> list[int]:
    app = create_app(
        settings.model_copy(
            update={"track_rate_limit": "2/minute", "forwarded_allow_ips": trusted}
        ),
        factory,
    )
    with TestClient(app) as client:  # every request comes from the host "testclient"
        return [
            client.get(
                "/api/v1/track/HS000000005VN",
                params={"phone": PHONE},
                headers={"X-Forwarded-For": forwarded},
            ).status_code
            for forwarded in clients
        ]


def test_behind_a_trusted_proxy_each_citizen_has_their_own_limit(
    settings: Settings, factory: sessionmaker[Session]
) -> None:
    """Through a trusted proxy the limit counts the forwarded client, not the proxy."""
    answers = _limited_answers(
        settings, factory, "testclient", ["1.1.1.1", "1.1.1.1", "1.1.1.1", "2.2.2.2"]
    )
    assert answers == [404, 404, 429, 404]


def test_an_untrusted_forwarded_header_does_not_evade_the_limit(
    settings: Settings, factory: sessionmaker[Session]
) -> None:
    """A client that is not a trusted proxy cannot reset its limit by inventing addresses."""
    answers = _limited_answers(settings, factory, "127.0.0.1", ["1.1.1.1", "2.2.2.2", "3.3.3.3"])
    assert answers == [404, 404, 429]


def test_citizen_cancels_before_pickup(client: TestClient, session: Session) -> None:
    """With the phone suffix, a booked dossier is cancelled and its jobs leave the queue."""
    code = book(client)["tracking_code"]
    response = client.post(f"/api/v1/track/{code}/cancel", json={"phone": PHONE})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    jobs = client.get(f"/api/v1/dossiers/{code}", headers=headers_for(session, "admin")).json()[
        "jobs"
    ]
    assert {j["status"] for j in jobs} == {"cancelled"}


def test_cancel_with_wrong_phone_is_not_found_and_changes_nothing(
    client: TestClient, session: Session
) -> None:
    """A wrong suffix cannot cancel someone else's booking."""
    code = book(client)["tracking_code"]
    before = counts(session)
    response = client.post(f"/api/v1/track/{code}/cancel", json={"phone": "0000"})
    assert response.status_code == 404
    assert counts(session) == before
    assert client.get(f"/api/v1/track/{code}", params={"phone": PHONE}).json()["status"] == "booked"


def test_citizen_reschedules_before_pickup(client: TestClient, session: Session) -> None:
    """The pickup moves to the new day and slot, and the timeline says so."""
    code = book(client)["tracking_code"]
    new_day = calendar.next_working_day(booking_day())
    response = client.post(
        f"/api/v1/track/{code}/reschedule",
        json={"phone": PHONE, "preferred_on": new_day.isoformat(), "slot": "afternoon"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["preferred_on"], body["slot"]) == (new_day.isoformat(), "afternoon")
    assert [e["code"] for e in body["events"]] == ["ECA", "ECB"]
    jobs = client.get(f"/api/v1/dossiers/{code}", headers=headers_for(session, "admin")).json()[
        "jobs"
    ]
    pickup = next(j for j in jobs if j["kind"] == "pickup")
    assert pickup["window"]["start"] == f"{new_day.isoformat()}T13:30:00+07:00"


def test_reschedule_to_a_weekend_is_refused(client: TestClient, session: Session) -> None:
    """The new day must be a working day (or the site's Saturday morning, and this branch opens
    only mornings): a Saturday afternoon is a 422 naming preferred_on, nothing changes."""
    code = book(client)["tracking_code"]
    saturday = booking_day()
    while saturday.isoweekday() != 6:
        saturday += timedelta(days=1)
    before = counts(session)
    response = client.post(
        f"/api/v1/track/{code}/reschedule",
        json={"phone": PHONE, "preferred_on": saturday.isoformat(), "slot": "afternoon"},
    )
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "preferred_on"]]
    assert counts(session) == before


def test_cancel_after_pickup_answers_409_naming_both_states(
    client: TestClient, session: Session
) -> None:
    """Once picked up, cancelling is refused: 409 with the current and requested states."""
    code = book(client)["tracking_code"]
    pick_up(client, session, code)
    before = counts(session)
    response = client.post(f"/api/v1/track/{code}/cancel", json={"phone": PHONE})
    assert response.status_code == 409
    body = response.json()
    assert (body["current"], body["requested"]) == ("picked_up", "cancelled")
    assert "picked_up" in body["detail"]
    assert "cancelled" in body["detail"]
    assert counts(session) == before


def test_refusals_a_citizen_meets_are_in_vietnamese_first(
    client: TestClient, session: Session
) -> None:
    """Unknown code and a late cancel explain themselves in Vietnamese, with the status names."""
    code = book(client)["tracking_code"]
    unknown = client.get(f"/api/v1/track/{code}", params={"phone": "0000"}).json()
    assert unknown["detail"].startswith("Không tìm thấy hồ sơ")
    pick_up(client, session, code)
    late = client.post(f"/api/v1/track/{code}/cancel", json={"phone": PHONE}).json()
    assert late["detail_vi"] == (
        "Hồ sơ đang ở trạng thái «Bưu tá đã nhận hồ sơ», không thể chuyển sang «Đã hủy»"
    )


def test_reschedule_after_pickup_answers_409_naming_both_states(
    client: TestClient, session: Session
) -> None:
    """Once picked up, rescheduling is refused with 409 and nothing changes."""
    code = book(client)["tracking_code"]
    pick_up(client, session, code)
    before = counts(session)
    response = client.post(
        f"/api/v1/track/{code}/reschedule",
        json={"phone": PHONE, "preferred_on": booking_day().isoformat(), "slot": "afternoon"},
    )
    assert response.status_code == 409
    body = response.json()
    assert (body["current"], body["requested"]) == ("picked_up", "booked")
    assert counts(session) == before
    assert client.get(f"/api/v1/track/{code}", params={"phone": PHONE}).json()["slot"] == "morning"


def test_the_digits_can_travel_in_a_post_body(client: TestClient) -> None:
    """POST /track/{code} with {"phone"} answers the same timeline as the deprecated GET."""
    code = book(client)["tracking_code"]
    posted = client.post(f"/api/v1/track/{code}", json={"phone": PHONE})
    assert posted.status_code == 200
    assert posted.json() == client.get(f"/api/v1/track/{code}", params={"phone": PHONE}).json()
    wrong = client.post(f"/api/v1/track/{code}", json={"phone": "0000"})
    unknown = client.post("/api/v1/track/HS000000005VN", json={"phone": PHONE})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.content == unknown.content


def test_the_get_with_the_digits_in_the_url_is_deprecated(client: TestClient) -> None:
    """OpenAPI marks the GET deprecated and says why; the POST is not."""
    paths = client.get("/openapi.json").json()["paths"]["/api/v1/track/{code}"]
    assert paths["get"]["deprecated"] is True
    assert "access logs" in paths["get"]["description"]
    assert not paths["post"].get("deprecated", False)


def test_by_default_no_proxy_is_trusted_not_even_the_local_host(
    factory: sessionmaker[Session],
) -> None:
    """Out of the box a client on 127.0.0.1 cannot pose as other addresses with X-Forwarded-For:
    its invented addresses share its one limit."""
    defaults = Settings(
        environment="test",
        secret_key="test-secret-key-long-enough-for-hs256-signing",
        track_rate_limit="2/minute",
    )
    app = create_app(defaults, factory)
    with TestClient(app, client=("127.0.0.1", 50000)) as client:
        answers = [
            client.get(
                "/api/v1/track/HS000000005VN",
                params={"phone": PHONE},
                headers={"X-Forwarded-For": forwarded},
            ).status_code
            for forwarded in ("1.1.1.1", "2.2.2.2", "3.3.3.3")
        ]
    assert answers == [404, 404, 429]
