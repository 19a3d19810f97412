"""Center actions and departures on a dossier, through the one state machine."""

from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from courier.accounts import service as accounts
from courier.catalogue.models import Site
from courier.dossiers import actions
from tests.builders import (
    STAFF_TDM,
    book,
    booking_day,
    counts,
    headers_for,
    pick_up,
    post_ok,
    site_id,
    status_of,
    to_center,
)

HO_CHI_MINH = ZoneInfo("Asia/Ho_Chi_Minh")


def test_illegal_change_answers_409_naming_both_states_and_changes_nothing(
    client: TestClient, session: Session
) -> None:
    """Processing a dossier still at the citizen's is refused: 409, current and requested states."""
    code = book(client)["tracking_code"]
    before = counts(session)
    response = client.post(
        f"/api/v1/dossiers/{code}/processing", headers=headers_for(session, STAFF_TDM)
    )
    assert response.status_code == 409
    body = response.json()
    assert (body["current"], body["requested"]) == ("booked", "processing")
    assert "booked" in body["detail"]
    assert counts(session) == before
    assert status_of(client, code) == "booked"


def test_departing_twice_is_refused(client: TestClient, session: Session) -> None:
    """A second departure of a dossier already in transit answers 409 and writes no event."""
    code = book(client)["tracking_code"]
    _, courier = pick_up(client, session, code)
    post_ok(client, f"/api/v1/dossiers/{code}/depart", courier)
    before = counts(session)
    response = client.post(f"/api/v1/dossiers/{code}/depart", headers=courier)
    assert response.status_code == 409
    assert response.json()["current"] == "in_transit"
    assert counts(session) == before


def test_result_ready_by_post_creates_the_return_pair(client: TestClient, session: Session) -> None:
    """When the citizen chose the post, result-ready queues the center→citizen pair."""
    code = book(client)["tracking_code"]
    to_center(client, session, [code])
    answer = post_ok(
        client, f"/api/v1/dossiers/{code}/result-ready", headers_for(session, STAFF_TDM)
    )
    assert answer["status"] == "result_ready"
    assert sorted((j["kind"], j["status"]) for j in answer["jobs"] if j["leg"] == "return") == [
        ("delivery", "pending"),
        ("pickup", "pending"),
    ]


def test_result_ready_for_collection_at_center_creates_no_job(
    client: TestClient, session: Session
) -> None:
    """A citizen collecting at the center gets no return job."""
    code = book(client, result_return="center")["tracking_code"]
    to_center(client, session, [code])
    answer = post_ok(
        client, f"/api/v1/dossiers/{code}/result-ready", headers_for(session, STAFF_TDM)
    )
    assert [j for j in answer["jobs"] if j["leg"] == "return"] == []


def test_result_ready_takes_the_return_the_citizen_now_asks_for(
    client: TestClient, session: Session
) -> None:
    """Booked for the counter, asked by post when the result is ready: the return pair is queued
    and the dossier says post; a return that is no choice is refused and changes nothing."""
    code = book(client, result_return="center")["tracking_code"]
    to_center(client, session, [code])
    staff = headers_for(session, STAFF_TDM)
    url = f"/api/v1/dossiers/{code}/result-ready"
    refused = client.post(url, json={"result_return": "drone"}, headers=staff)
    assert refused.status_code == 422
    assert client.get(f"/api/v1/dossiers/{code}", headers=staff).json()["status"] != "result_ready"
    answer = post_ok(client, url, staff, {"result_return": "post"})
    assert answer["result_return"] == "post"
    assert sorted(j["kind"] for j in answer["jobs"] if j["leg"] == "return") == [
        "delivery",
        "pickup",
    ]


def test_center_system_marks_result_ready_with_its_api_key(
    client: TestClient, session: Session
) -> None:
    """The receiving center's information system pushes result-ready with an API key."""
    code = book(client)["tracking_code"]
    to_center(client, session, [code])
    _, secret = accounts.create_api_key(
        session, name="TDM one-stop", site_id=site_id(session, "BD-TDM")
    )
    session.commit()
    post_ok(client, f"/api/v1/dossiers/{code}/result-ready", {"X-API-Key": secret})
    assert status_of(client, code) == "result_ready"


def _ready_in_the_evening(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch, code: str
) -> list[dict[str, Any]]:
    """Mark a dossier at BD-TDM ready at 20:56 on the booking day; its return jobs."""
    day = booking_day()
    evening = datetime.combine(day, time(20, 56), tzinfo=HO_CHI_MINH).astimezone(UTC)
    monkeypatch.setattr(actions, "utcnow", lambda: evening)
    answer = post_ok(
        client, f"/api/v1/dossiers/{code}/result-ready", headers_for(session, STAFF_TDM)
    )
    return [j for j in answer["jobs"] if j["leg"] == "return"]


def test_a_result_ready_after_hours_leaves_when_the_counter_opens(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Marked ready at 20:56, the result's pickup window starts at the next morning opening."""
    code = book(client)["tracking_code"]
    to_center(client, session, [code])
    site = session.get_one(Site, site_id(session, "BD-TDM"))
    for job in _ready_in_the_evening(client, session, monkeypatch, code):
        start = datetime.fromisoformat(job["window"]["start"]).astimezone(HO_CHI_MINH)
        assert start.date() > booking_day()
        assert start.time() == site.morning_opens


def test_a_counter_open_one_day_a_week_still_gives_the_citizen_a_delivery_window(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ready after hours at a counter that next opens in a week: the delivery ends after that."""
    code = book(client)["tracking_code"]
    to_center(client, session, [code])
    site = session.get_one(Site, site_id(session, "BD-TDM"))
    site.open_weekdays, site.saturday_morning = str(booking_day().isoweekday()), False
    session.flush()
    jobs = _ready_in_the_evening(client, session, monkeypatch, code)
    delivery = next(j for j in jobs if j["kind"] == "delivery")
    start = datetime.fromisoformat(delivery["window"]["start"])
    assert start.astimezone(HO_CHI_MINH).date() > booking_day()
    assert datetime.fromisoformat(delivery["window"]["end"]) > start
