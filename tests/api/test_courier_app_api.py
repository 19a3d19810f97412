"""What the courier's offline app asks of the server: the courier's own record, the day's route
with hand-assigned stops and how each went, failed attempts sent late and retried, capture times
checked against the clock and the window, and a pickup of a dossier cancelled meanwhile.
"""

import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.routers import plans as plans_router
from courier import calendar
from courier.accounts import service as accounts
from courier.dossiers import jobs as jobs_module
from courier.dossiers.models import Dossier, JobAttempt, JobKind, Leg
from courier.enums import Role
from courier.planning.models import PlanStatus
from courier.settings import Settings
from tests.builders import (
    assign,
    book,
    booking_day,
    courier_id,
    find_job,
    handover_body,
    headers_for,
    make_plan_stop,
    post_handover,
    to_out_for_delivery,
)

COURIER = "BD-CR-TDM-01"
ZONE = Settings().zone


def _at(hour: int, minute: int = 0) -> datetime:
    """That local time on the booking day."""
    return calendar.at(booking_day(), time(hour, minute), ZONE)


@pytest.fixture
def ten_on_booking_day(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """The server's clock reads 10:00 on the booked day; the route's 'today' is that day."""
    now = _at(10)
    monkeypatch.setattr(jobs_module, "utcnow", lambda: now)
    monkeypatch.setattr(plans_router, "utcnow", lambda: now)
    return now


def _hand_assigned(client: TestClient, session: Session, **booking: Any) -> tuple[str, int]:
    """Book and assign the inbound pair to the courier by hand; the code and pickup job id."""
    code = book(client, **booking)["tracking_code"]
    dispatcher = headers_for(session, "dispatch.tdm")
    job_id = find_job(client, dispatcher, code, "inbound", "pickup")
    assign(client, dispatcher, job_id, courier_id(session, COURIER))
    return code, job_id


def _route(client: TestClient, session: Session, **params: str) -> list[dict[str, Any]]:
    response = client.get(
        "/api/v1/couriers/me/route", params=params, headers=headers_for(session, COURIER.lower())
    )
    assert response.status_code == 200, response.text
    route: list[dict[str, Any]] = response.json()
    return route


def _attempt(client: TestClient, session: Session, job_id: int, **body: Any) -> Any:
    return client.post(
        f"/api/v1/jobs/{job_id}/attempts",
        json={"reason": "not_home", **body},
        headers=headers_for(session, COURIER.lower()),
    )


def test_couriers_me_gives_the_courier_their_own_record(
    client: TestClient, session: Session
) -> None:
    """The courier reads their id (handovers need it), shift, vehicle and post office."""
    response = client.get("/api/v1/couriers/me", headers=headers_for(session, COURIER.lower()))
    assert response.status_code == 200, response.text
    me = response.json()
    assert me["id"] == courier_id(session, COURIER)
    assert me["code"] == COURIER
    assert me["post_office"]["code"] == "BD-PO-TDM-1"
    assert {"full_name", "phone", "vehicle", "capacity", "shift_start", "shift_end"} <= set(me)


def test_couriers_me_refuses_other_accounts(client: TestClient, session: Session) -> None:
    """A dispatcher is refused (403); a courier account without a courier record gets 404."""
    dispatcher = client.get("/api/v1/couriers/me", headers=headers_for(session, "dispatch.tdm"))
    assert dispatcher.status_code == 403
    accounts.create_user(
        session, username="courier.unbound", password="no-courier-record", role=Role.COURIER
    )
    session.commit()
    english = {**headers_for(session, "courier.unbound"), "Accept-Language": "en"}
    unbound = client.get("/api/v1/couriers/me", headers=english)
    assert unbound.status_code == 404
    assert "courier record" in unbound.json()["detail"]


def test_a_hand_assigned_job_is_on_todays_route(
    client: TestClient, session: Session, ten_on_booking_day: datetime
) -> None:
    """Without a published plan the route lists the jobs a dispatcher assigned by hand (today's
    date by default), with what the app needs at the stop."""
    code, pickup = _hand_assigned(client, session, procedure_code="HT-01")
    route = _route(client, session)
    assert [s["position"] for s in route] == list(range(len(route)))
    stop = next(s for s in route if s["job_id"] == pickup)
    assert stop["tracking_code"] == code
    assert (stop["planned"], stop["planned_arrival"], stop["status"]) == (False, None, "pending")
    assert stop["dossier_status"] == "booked"
    assert stop["point_source"] == "given"
    assert stop["procedure_en"] == "Birth registration"
    assert [d["position"] for d in stop["documents"]] == [0, 1, 2]
    assert stop["documents"][1]["name_en"] == "Birth certificate from the hospital"
    assert stop["documents"][1]["original"] is True
    assert stop["navigation_url"].startswith("geo:10.98")
    assert stop["fee_to_collect_vnd"] > 0
    delivery = next(s for s in route if s["tracking_code"] == code and s["kind"] == "delivery")
    assert delivery["documents"] == []
    assert delivery["fee_to_collect_vnd"] == 0
    assert delivery["site_id"] is not None
    assert delivery["site_name"]
    other_day = _route(client, session, date=(booking_day() + timedelta(days=7)).isoformat())
    assert pickup not in {s["job_id"] for s in other_day}


def _publish_plan_with(session: Session, job_id: int) -> None:
    """A published plan of the booking day whose only stop for the courier is that job."""
    courier = courier_id(session, COURIER)
    make_plan_stop(
        session, status=PlanStatus.PUBLISHED, job_id=job_id, courier=courier, arrival=_at(9)
    )
    session.commit()


def test_hand_assigned_stops_follow_the_published_plan(
    client: TestClient, session: Session
) -> None:
    """The plan's stops come first with their planned arrival, then the hand-assigned ones by
    window start, positions continuing."""
    _, planned = _hand_assigned(client, session, slot="afternoon")
    _, by_hand = _hand_assigned(client, session, slot="morning")
    _publish_plan_with(session, planned)
    route = _route(client, session, date=booking_day().isoformat())
    assert route[0]["job_id"] == planned
    assert route[0]["planned"] is True
    assert route[0]["planned_arrival"] is not None
    rest = route[1:]
    assert [s["position"] for s in rest] == list(range(1, len(route)))
    assert by_hand in {s["job_id"] for s in rest}
    assert all(not s["planned"] and s["planned_arrival"] is None for s in rest)
    starts = [s["window_start"] for s in rest]
    assert starts == sorted(starts)


def test_done_and_failed_stops_are_told_apart(
    client: TestClient, session: Session, ten_on_booking_day: datetime
) -> None:
    """A picked-up stop is done; a stop with a failed attempt that day stays on the route as
    failed (though its pair went back to the queue); the others are pending."""
    done_code, _ = _hand_assigned(client, session)
    _, failed = _hand_assigned(client, session)
    cid = courier_id(session, COURIER)
    body = handover_body({"kind": "citizen"}, {"kind": "courier", "id": cid}, [done_code])
    body["device_at"] = ten_on_booking_day.isoformat()
    picked = post_handover(client, body, headers_for(session, COURIER.lower()))
    assert picked.status_code == 201, picked.text
    answer = _attempt(client, session, failed, device_at=_at(9, 30).isoformat())
    assert answer.status_code == 200, answer.text
    route = {(s["tracking_code"], s["kind"]): s for s in _route(client, session)}
    assert route[(done_code, "pickup")]["status"] == "done"
    assert route[(done_code, "pickup")]["dossier_status"] == "picked_up"
    assert route[(done_code, "delivery")]["status"] == "pending"
    failed_stop = next(s for s in route.values() if s["job_id"] == failed)
    assert failed_stop["status"] == "failed"


def test_a_result_delivery_collects_what_the_pickup_did_not(
    client: TestClient, session: Session
) -> None:
    """Delivering a result by post, the courier collects the fee left unpaid at the pickup."""
    code = book(client)["tracking_code"]
    to_out_for_delivery(client, session, code)  # the pickup collected 25,000 đ
    dossier = session.scalars(select(Dossier).where(Dossier.tracking_code == code)).one()
    owed = dossier.procedure_fee_vnd + dossier.service_fee_vnd - 25_000
    # the delivery falls in the citizen's slot: today's, or the next working day's once it passed
    job = next(j for j in dossier.jobs if (j.leg, j.kind) == (Leg.RETURN, JobKind.DELIVERY))
    day = job.window_start.astimezone(Settings().zone).date()
    route = _route(client, session, date=day.isoformat())
    delivery = next(
        s
        for s in route
        if s["tracking_code"] == code and (s["leg"], s["kind"]) == ("return", "delivery")
    )
    assert delivery["fee_to_collect_vnd"] == max(0, owed)
    assert delivery["status"] == "pending"
    assert delivery["documents"] == []


def test_an_attempt_replayed_with_its_key_is_recorded_once(
    client: TestClient, session: Session, ten_on_booking_day: datetime
) -> None:
    """The same key and body again answer the first attempt (200) and record nothing more; the
    key with another body is refused naming the key."""
    _, job_id = _hand_assigned(client, session)
    body = {
        "idempotency_key": uuid.uuid4().hex,
        "device_at": _at(9, 45).isoformat(),
        "lat": 10.98,
        "lon": 106.65,
        "accuracy_m": 12.5,
    }
    first = _attempt(client, session, job_id, **body)
    assert first.status_code == 200, first.text
    again = _attempt(client, session, job_id, **body)
    assert again.status_code == 200, again.text
    assert again.json()["attempt_id"] == first.json()["attempt_id"]
    assert again.json()["attempts"] == 1
    stored = session.scalars(select(JobAttempt).where(JobAttempt.job_id == job_id)).all()
    assert len(stored) == 1
    assert stored[0].device_at == _at(9, 45)
    assert stored[0].accuracy_m == 12.5
    assert stored[0].attempted_at != stored[0].device_at  # the server's receipt time
    reused = _attempt(client, session, job_id, **{**body, "reason": "refused"})
    assert reused.status_code == 422
    assert reused.json()["detail"][0]["loc"] == ["body", "idempotency_key"]


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        ({"device_at": "future"}, "device_at", "300"),
        ({"device_at": "before_window"}, "device_at", "08:00"),
        ({"reason": "other"}, "note", "ghi chú"),
    ],
)
def test_an_attempt_that_cannot_count_is_refused(
    client: TestClient,
    session: Session,
    ten_on_booking_day: datetime,
    extra: dict[str, str],
    field: str,
    words: str,
) -> None:
    """A capture time ahead of the clock beyond the allowance, one before the window opens, and
    «other» without a note are refused (422) naming the field; nothing is recorded."""
    _, job_id = _hand_assigned(client, session)
    moments = {
        "future": (ten_on_booking_day + timedelta(minutes=6)).isoformat(),
        "before_window": _at(7, 59).isoformat(),
    }
    body = {k: moments.get(v, v) for k, v in extra.items()}
    response = _attempt(client, session, job_id, **body)
    assert response.status_code == 422, response.text
    problem = response.json()["detail"][0]
    assert problem["loc"] == ["body", field]
    assert words in problem["msg"]
    count = session.scalar(select(func.count()).where(JobAttempt.job_id == job_id))
    assert count == 0


def test_a_handover_captured_in_the_future_is_refused(client: TestClient, session: Session) -> None:
    """A device_at beyond the clock-skew allowance is refused on handover.device_at; within it,
    the handover answers both the device's and the server's times."""
    code, _ = _hand_assigned(client, session)
    cid = courier_id(session, COURIER)
    headers = headers_for(session, COURIER.lower())
    body = handover_body({"kind": "citizen"}, {"kind": "courier", "id": cid}, [code])
    body["device_at"] = (datetime.now(UTC) + timedelta(minutes=10)).isoformat()
    refused = post_handover(client, body, headers)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "handover", "device_at"]
    earlier = datetime.now(UTC) - timedelta(hours=2)
    body |= {"device_at": earlier.isoformat(), "idempotency_key": uuid.uuid4().hex}
    recorded = post_handover(client, body, headers)
    assert recorded.status_code == 201, recorded.text
    answer = recorded.json()
    assert datetime.fromisoformat(answer["device_at"]) == earlier
    assert datetime.fromisoformat(answer["recorded_at"]) > earlier + timedelta(hours=1)


def test_a_pickup_of_a_cancelled_dossier_says_so(client: TestClient, session: Session) -> None:
    """The citizen cancelled while the courier was offline: the courier's pickup answers 409
    dossier_cancelled with the code; another courier learns nothing (404)."""
    code, _ = _hand_assigned(client, session)
    cancelled = client.post(f"/api/v1/track/{code}/cancel", json={"phone": "5678"})
    assert cancelled.status_code == 200, cancelled.text
    cid = courier_id(session, COURIER)
    body = handover_body({"kind": "citizen"}, {"kind": "courier", "id": cid}, [code])
    refused = post_handover(client, body, headers_for(session, COURIER.lower()))
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "dossier_cancelled"
    assert code in refused.json()["detail"]
    other = courier_id(session, "BD-CR-TDM-02")
    stranger = handover_body({"kind": "citizen"}, {"kind": "courier", "id": other}, [code])
    hidden = post_handover(client, stranger, headers_for(session, "bd-cr-tdm-02"))
    assert hidden.status_code == 404
    assert "code" not in hidden.json()
