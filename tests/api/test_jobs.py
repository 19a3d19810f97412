"""Failed attempts at a stop: reasons, re-queueing, the attempt limit, undeliverable results."""

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from courier import calendar
from courier.accounts import service as accounts
from courier.dossiers import jobs as jobs_module
from courier.enums import Role
from tests.builders import (
    STAFF_TDM,
    assign,
    assigned_pickup,
    book,
    booking_day,
    courier_id,
    find_job,
    handover_body,
    headers_for,
    pick_up,
    post_handover,
    post_handover_ok,
    post_ok,
    site_id,
    status_of,
    to_center,
    to_out_for_delivery,
)

COURIER = "BD-CR-TDM-01"


@pytest.fixture
def on_booking_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """Attempts happen at 10:00 on the booked day."""
    day = booking_day()
    monkeypatch.setattr(
        jobs_module, "utcnow", lambda: datetime(day.year, day.month, day.day, 3, tzinfo=UTC)
    )


def _assigned_pickup(client: TestClient, session: Session, code: str) -> tuple[int, dict[str, str]]:
    dispatcher = headers_for(session, "dispatch.tdm")
    job_id = find_job(client, dispatcher, code, "inbound", "pickup")
    assign(client, dispatcher, job_id, courier_id(session, COURIER))
    return job_id, headers_for(session, COURIER.lower())


def _jobs(client: TestClient, session: Session, code: str) -> list[dict[str, Any]]:
    jobs: list[dict[str, Any]] = client.get(
        f"/api/v1/dossiers/{code}", headers=headers_for(session, "admin")
    ).json()["jobs"]
    return jobs


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({}, ["body", "reason"]),
        ({"reason": "bored"}, ["body", "reason"]),
        ({"reason": ""}, ["body", "reason"]),
    ],
)
def test_attempt_needs_a_known_reason(
    client: TestClient, session: Session, body: dict[str, str], loc: list[str]
) -> None:
    """Without a reason, or with an unknown one, the attempt is refused naming reason."""
    code = book(client)["tracking_code"]
    job_id, courier = _assigned_pickup(client, session, code)
    response = client.post(f"/api/v1/jobs/{job_id}/attempts", json=body, headers=courier)
    assert response.status_code == 422
    assert loc in [e["loc"] for e in response.json()["detail"]]
    assert status_of(client, code) == "booked"


def test_failed_pickup_requeues_the_pair_for_the_next_working_day(
    client: TestClient, session: Session, on_booking_day: None
) -> None:
    """Both jobs go back to pending, unassigned, on the next working day; the timeline says why."""
    code = book(client)["tracking_code"]
    job_id, courier = _assigned_pickup(client, session, code)
    answer = post_ok(client, f"/api/v1/jobs/{job_id}/attempts", courier, {"reason": "not_home"})
    assert answer["attempts"] == 1
    next_day = calendar.next_working_day(booking_day()).isoformat()
    for job in _jobs(client, session, code):
        assert (job["status"], job["courier_id"]) == ("pending", None)
        assert job["window"]["start"].startswith(next_day)
    timeline = client.get(f"/api/v1/track/{code}", params={"phone": "5678"}).json()
    assert timeline["status"] == "pickup_failed"
    assert timeline["events"][-1]["reason"] == "not_home"


def _attempt(
    client: TestClient, courier: dict[str, str], job_id: int, reason: str, times: int = 1
) -> dict[str, Any]:
    """Record `times` failed attempts on a job; the last answer."""
    answer: dict[str, Any] = {}
    for _ in range(times):
        answer = post_ok(client, f"/api/v1/jobs/{job_id}/attempts", courier, {"reason": reason})
    return answer


def _fail_pickup(client: TestClient, session: Session, code: str) -> dict[str, Any]:
    job_id, courier = _assigned_pickup(client, session, code)
    return _attempt(client, courier, job_id, "not_home")


def test_pickup_is_abandoned_at_the_attempt_limit(
    client: TestClient, session: Session, on_booking_day: None
) -> None:
    """After max_attempts (3) failed pickups the dossier is cancelled and its jobs leave the queue."""
    code = book(client)["tracking_code"]
    for attempt in (1, 2):
        assert _fail_pickup(client, session, code)["attempts"] == attempt
        assert status_of(client, code) == "pickup_failed"
    _fail_pickup(client, session, code)
    assert status_of(client, code) == "cancelled"
    assert {j["status"] for j in _jobs(client, session, code)} == {"cancelled"}
    events = client.get(f"/api/v1/track/{code}", params={"phone": "5678"}).json()["events"]
    assert [e["code"] for e in events][-2:] == ["ECD", "ECE"]


def test_a_courier_cannot_fail_someone_elses_job(client: TestClient, session: Session) -> None:
    """Another courier's attempt on the job is answered 404 and records nothing."""
    code = book(client)["tracking_code"]
    job_id, _ = _assigned_pickup(client, session, code)
    other = headers_for(session, "bd-cr-tdm-02")
    response = client.post(
        f"/api/v1/jobs/{job_id}/attempts", json={"reason": "not_home"}, headers=other
    )
    assert response.status_code == 404
    assert status_of(client, code) == "booked"


def _fail_delivery(
    client: TestClient, session: Session, code: str, cid: int, courier: dict[str, str]
) -> dict[str, Any]:
    dispatcher = headers_for(session, "dispatch.tdm")
    job_id = find_job(client, dispatcher, code, "return", "delivery")
    jobs = _jobs(client, session, code)
    if next(j for j in jobs if j["id"] == job_id)["status"] == "pending":
        assign(client, dispatcher, job_id, cid)
    return _attempt(client, courier, job_id, "not_home")


def test_failed_delivery_is_requeued_and_can_be_assigned_again(
    client: TestClient, session: Session
) -> None:
    """After a failed delivery the delivery can be assigned again and retried."""
    code = book(client)["tracking_code"]
    cid, courier = to_out_for_delivery(client, session, code)
    _fail_delivery(client, session, code, cid, courier)
    assert status_of(client, code) == "delivery_failed"
    delivery = next(
        j for j in _jobs(client, session, code) if (j["leg"], j["kind"]) == ("return", "delivery")
    )
    assert (delivery["status"], delivery["courier_id"]) == ("pending", None)
    assert _fail_delivery(client, session, code, cid, courier)["attempts"] == 2


def test_undeliverable_result_goes_back_to_the_center_and_the_citizen_collects_it(
    client: TestClient, session: Session
) -> None:
    """At the limit the courier returns the result to the center; the citizen collects it there."""
    code = book(client)["tracking_code"]
    cid, courier = to_out_for_delivery(client, session, code)
    for _ in range(3):
        _fail_delivery(client, session, code, cid, courier)
    assert status_of(client, code) == "delivery_failed"
    tdm = site_id(session, "BD-TDM")
    center = {"kind": "center", "id": tdm}
    post_handover_ok(
        client, courier, handover_body({"kind": "courier", "id": cid}, center, [code], site_id=tdm)
    )
    assert status_of(client, code) == "returned_to_center"
    assert all(j["status"] not in ("pending", "assigned") for j in _jobs(client, session, code))
    staff = headers_for(session, STAFF_TDM)
    post_handover_ok(client, staff, handover_body(center, {"kind": "citizen"}, [code], site_id=tdm))
    assert status_of(client, code) == "delivered"


def test_result_returned_after_one_failure_leaves_no_open_job(
    client: TestClient, session: Session
) -> None:
    """A courier bringing the result back after a failed delivery closes the delivery job."""
    code = book(client)["tracking_code"]
    cid, courier = to_out_for_delivery(client, session, code)
    _fail_delivery(client, session, code, cid, courier)
    tdm = site_id(session, "BD-TDM")
    body = handover_body(
        {"kind": "courier", "id": cid}, {"kind": "center", "id": tdm}, [code], site_id=tdm
    )
    post_handover_ok(client, courier, body)
    assert status_of(client, code) == "returned_to_center"
    pending = client.get(
        "/api/v1/jobs", params={"status": "pending"}, headers=headers_for(session, "dispatch.tdm")
    ).json()
    assert code not in {j["tracking_code"] for j in pending}


def test_only_an_assigned_job_can_fail(client: TestClient, session: Session) -> None:
    """An attempt on a job already done answers 409."""
    code = book(client)["tracking_code"]
    pick_up(client, session, code)
    dispatcher = headers_for(session, "dispatch.tdm")
    job_id = find_job(client, dispatcher, code, "inbound", "pickup")
    response = client.post(
        f"/api/v1/jobs/{job_id}/attempts",
        json={"reason": "not_home"},
        headers=headers_for(session, COURIER.lower()),
    )
    assert response.status_code == 409
    assert status_of(client, code) == "picked_up"


def _fail_at_counter(
    client: TestClient, courier: dict[str, str], job_id: int, times: int
) -> dict[str, Any]:
    return _attempt(client, courier, job_id, "site_closed", times)


def test_closed_counter_keeps_the_dossier_with_its_courier(
    client: TestClient, session: Session, on_booking_day: None
) -> None:
    """Past the attempt limit at a closed center the delivery stays the carrying courier's."""
    code = book(client)["tracking_code"]
    cid, courier = pick_up(client, session, code)
    job_id = find_job(client, headers_for(session, "admin"), code, "inbound", "delivery")
    assert _fail_at_counter(client, courier, job_id, 4)["attempts"] == 4
    jobs = {(j["kind"], j["status"], j["courier_id"]) for j in _jobs(client, session, code)}
    assert jobs == {("pickup", "done", cid), ("delivery", "assigned", cid)}
    assert status_of(client, code) == "picked_up"


def test_closed_counter_is_on_the_public_timeline(
    client: TestClient, session: Session, on_booking_day: None
) -> None:
    """A failed handover at the counter writes a tracking event with its reason."""
    code = book(client)["tracking_code"]
    _, courier = pick_up(client, session, code)
    job_id = find_job(client, headers_for(session, "admin"), code, "inbound", "delivery")
    _fail_at_counter(client, courier, job_id, 1)
    last = client.get(f"/api/v1/track/{code}", params={"phone": "5678"}).json()["events"][-1]
    assert (last["code"], last["reason"]) == ("ECF", "site_closed")


def test_result_not_handed_over_is_requeued_without_limit(
    client: TestClient, session: Session
) -> None:
    """A result pickup failed at the counter goes back to the queue, even past the limit."""
    code = book(client)["tracking_code"]
    cid, courier = to_center(client, session, [code])
    post_ok(client, f"/api/v1/dossiers/{code}/result-ready", headers_for(session, STAFF_TDM))
    dispatcher = headers_for(session, "dispatch.tdm")
    job_id = find_job(client, dispatcher, code, "return", "pickup")
    for _ in range(4):
        assign(client, dispatcher, job_id, cid)
        _fail_at_counter(client, courier, job_id, 1)
    returned = {
        (j["kind"], j["status"]) for j in _jobs(client, session, code) if j["leg"] == "return"
    }
    assert returned == {("pickup", "pending"), ("delivery", "pending")}
    assert status_of(client, code) == "result_ready"


def test_a_courier_account_without_a_courier_record_sees_no_job(
    client: TestClient, session: Session
) -> None:
    """What `courier users create --role courier` makes: an empty job list while open jobs wait
    (it listed every unassigned one as its own), no job by id, and no say as a courier party
    (replaying a handover's key with the courier's id left out is refused, not compared)."""
    cid = courier_id(session, COURIER)
    dispatcher = headers_for(session, "dispatch.tdm")
    courier = headers_for(session, COURIER.lower())
    _, body = assigned_pickup(client, cid=cid, dispatcher=dispatcher, courier=courier)
    post_handover_ok(client, courier, body)
    open_code = book(client)["tracking_code"]
    accounts.create_user(
        session, username="courier.unbound", password="no-courier-record", role=Role.COURIER
    )
    session.commit()
    unbound = headers_for(session, "courier.unbound")
    listed = client.get("/api/v1/jobs", headers=unbound)
    assert (listed.status_code, listed.json()) == (200, [])
    open_job = find_job(client, dispatcher, open_code, "inbound", "pickup")
    assert client.get(f"/api/v1/jobs/{open_job}", headers=unbound).status_code == 404
    replay = {**body, "receiver": {"kind": "courier"}}
    refused = post_handover(client, replay, unbound, complete=False)
    assert refused.status_code == 403, refused.text
