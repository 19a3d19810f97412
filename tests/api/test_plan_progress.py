"""A plan as the dispatcher follows it: offices by code, every stop, and the day's progress."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from courier.dossiers.models import Dossier, Job, JobAttempt
from courier.handovers.models import Handover
from courier.planning.models import RouteStop
from courier.settings import Settings
from tests.builders import book, booking_day, handover_body, headers_for, post_handover_ok, post_ok
from tests.courier.planning.bookings import DEPOT, book_near_depot


@dataclass
class Day:
    """A published plan of Thu Dau Mot for the next working day, and who reads it."""

    client: TestClient
    session: Session
    settings: Settings
    on: date
    plan: dict[str, Any]
    dispatcher: dict[str, str]

    def get(self, path: str = "") -> Any:
        """GET the plan (or one of its sub-resources) as its dispatcher; the JSON."""
        response = self.client.get(
            f"/api/v1/plans/{self.plan['id']}{path}", headers=self.dispatcher
        )
        assert response.status_code == 200, response.text
        return response.json()

    def at(self, hour: int) -> datetime:
        """That hour of the plan's day, in the service's zone."""
        return datetime.combine(self.on, time(hour), tzinfo=self.settings.zone)


def _too_long_pair(session: Session) -> str:
    """The newest dossier's stops made longer than any shift, open two more days: the plan drops
    the pair, and publishing leaves it on the day (a pair whose window ends that day would move
    to the next working day)."""
    dossier = session.scalars(select(Dossier).order_by(Dossier.id.desc())).first()
    assert dossier is not None
    for job in dossier.jobs:
        job.service_s = 11 * 3600
        job.window_end += timedelta(days=2)
    return dossier.tracking_code


@pytest.fixture
def day(client: TestClient, session: Session, settings: Settings) -> Day:
    """Ten bookings near the depot (one too long to fit), planned and published by the office."""
    settings.plan_part_seconds = 1
    on = booking_day()
    book_near_depot(session, settings, on, 10)
    _too_long_pair(session)
    session.commit()
    dispatcher = headers_for(session, "dispatch.tdm")
    asked = client.post("/api/v1/plans", json={"service_on": on.isoformat()}, headers=dispatcher)
    assert asked.status_code == 202, asked.text
    post_ok(client, f"/api/v1/plans/{asked.json()['id']}/publish", dispatcher)
    plan = client.get(f"/api/v1/plans/{asked.json()['id']}", headers=dispatcher).json()
    assert plan["status"] == "published", plan
    return Day(client, session, settings, on, plan, dispatcher)


def test_a_plan_names_its_offices_by_code_and_lists_every_stop_in_order(day: Day) -> None:
    """Depots by code; each route's stops numbered from 0 with job, code, action, times, place."""
    plan = day.plan
    assert plan["depots"] == [DEPOT]
    assert len(plan["stops"]) == plan["stops_served"] > 0
    for route in plan["routes"]:
        own = [s for s in plan["stops"] if s["courier_id"] == route["courier_id"]]
        assert [s["position"] for s in own] == list(range(route["stops"]))
        assert {s["courier_code"] for s in own} == {route["courier_code"]}
    stop = plan["stops"][0]
    job = day.session.get_one(Job, stop["job_id"])
    assert stop["tracking_code"] == job.dossier.tracking_code
    assert (stop["lat"], stop["lon"], stop["address"]) == (job.lat, job.lon, job.address_text)
    assert stop["action"]
    assert stop["window_start"] <= stop["window_end"]
    assert stop["planned_arrival"].endswith("+07:00")


def _pickups(day: Day) -> tuple[int, list[dict[str, Any]]]:
    """The courier with most citizen pickups on the plan, and those pickups in route order."""
    by_courier: dict[int, list[dict[str, Any]]] = {}
    for stop in day.plan["stops"]:
        if stop["kind"] == "pickup" and stop["leg"] == "inbound":
            by_courier.setdefault(stop["courier_id"], []).append(stop)
    courier, stops = max(by_courier.items(), key=lambda item: len(item[1]))
    assert len(stops) >= 3, day.plan["stops"]
    return courier, stops


def _plan_arrival(day: Day, job_id: int, moment: datetime) -> None:
    day.session.execute(
        update(RouteStop)
        .where(RouteStop.plan_id == day.plan["id"], RouteStop.job_id == job_id)
        .values(arrival_at=moment.astimezone(UTC))
    )


def _collect(day: Day, phone: dict[str, str], courier: int, code: str, at: datetime) -> None:
    """The courier takes the dossier from the citizen; the phone recorded it at `at`."""
    body = handover_body({"kind": "citizen"}, {"kind": "courier", "id": courier}, [code])
    post_handover_ok(day.client, phone, body)
    day.session.execute(
        update(Handover)
        .where(Handover.idempotency_key == body["idempotency_key"])
        .values(device_at=at.astimezone(UTC))
    )


def _delivery_of(day: Day, pickup: dict[str, Any]) -> dict[str, Any]:
    return next(
        s
        for s in day.plan["stops"]
        if s["tracking_code"] == pickup["tracking_code"] and s["kind"] == "delivery"
    )


def _courier_day(day: Day) -> tuple[int, list[dict[str, Any]]]:
    """The courier collects a dossier at 09:00 (planned 08:00: late) and one at 09:30 (planned
    09:30: on time), fails a third at 10:00 from where they stand, and the first dossier's
    hand-in at the center, planned an hour ago, is still pending (late)."""
    courier, pickups = _pickups(day)
    code = next(s["courier_code"] for s in day.plan["stops"] if s["courier_id"] == courier)
    phone = headers_for(day.session, code.lower())
    _collect(day, phone, courier, pickups[0]["tracking_code"], day.at(9))
    _collect(day, phone, courier, pickups[1]["tracking_code"], day.at(9) + timedelta(minutes=30))
    attempt = {"reason": "not_home", "lat": 10.99, "lon": 106.66}
    post_ok(day.client, f"/api/v1/jobs/{pickups[2]['job_id']}/attempts", phone, attempt)
    day.session.execute(update(JobAttempt).values(device_at=day.at(10).astimezone(UTC)))
    _plan_arrival(day, pickups[0]["job_id"], day.at(8))
    _plan_arrival(day, pickups[1]["job_id"], day.at(9) + timedelta(minutes=30))
    hand_in = _delivery_of(day, pickups[0])
    _plan_arrival(day, hand_in["job_id"], datetime.now(UTC) - timedelta(hours=1))
    day.session.commit()
    return courier, [*pickups[:3], hand_in]


def test_progress_counts_done_failed_and_late_stops_per_courier(day: Day) -> None:
    """Done late, done on time, failed, pending past its planned arrival: 2 done, 1 failed,
    2 late; every other stop pending and on time."""
    courier, (late_done, on_time, failed, late_pending) = _courier_day(day)
    progress = day.get("/progress")
    assert progress["late_after_minutes"] == 15
    mine = next(c for c in progress["couriers"] if c["courier_id"] == courier)
    assert (mine["done"], mine["failed"], mine["late"]) == (2, 1, 2)
    assert mine["pending"] == mine["stops"] - 3
    stops = {s["job_id"]: s for s in progress["stops"]}
    assert (stops[late_done["job_id"]]["status"], stops[late_done["job_id"]]["late"]) == (
        "done",
        True,
    )
    assert stops[late_done["job_id"]]["done_at"] == day.at(9).isoformat()
    assert (stops[on_time["job_id"]]["status"], stops[on_time["job_id"]]["late"]) == ("done", False)
    assert (stops[failed["job_id"]]["status"], stops[failed["job_id"]]["late"]) == ("failed", False)
    assert (stops[late_pending["job_id"]]["status"], stops[late_pending["job_id"]]["late"]) == (
        "pending",
        True,
    )
    others = [c for c in progress["couriers"] if c["courier_id"] != courier]
    assert all(c["done"] == c["failed"] == c["late"] == 0 for c in others)


def test_a_courier_is_last_seen_where_their_latest_record_of_the_day_was(day: Day) -> None:
    """Two handovers, then a failed attempt later with a position: the attempt's place and time;
    a courier with nothing recorded that day has no position."""
    courier, _ = _courier_day(day)
    couriers = {c["courier_id"]: c for c in day.get("/progress")["couriers"]}
    assert couriers[courier]["last_position"] == {
        "lat": 10.99,
        "lon": 106.66,
        "at": day.at(10).isoformat(),
        "source": "attempt",
    }
    day.session.execute(update(JobAttempt).values(device_at=day.at(8).astimezone(UTC)))
    day.session.commit()
    couriers = {c["courier_id"]: c for c in day.get("/progress")["couriers"]}
    seen = couriers[courier]["last_position"]
    assert (seen["source"], seen["at"]) == (
        "handover",
        (day.at(9) + timedelta(minutes=30)).isoformat(),
    )
    assert (seen["lat"], seen["lon"]) == (10.98, 106.65)
    assert all(c["last_position"] is None for i, c in couriers.items() if i != courier)


def test_the_days_dossiers_not_routed_are_listed_dropped_or_after_the_plan(day: Day) -> None:
    """The pair too long for any shift is dropped; a booking made after the plan comes after it;
    routed dossiers are not listed."""
    dropped = day.session.scalars(
        select(Dossier.tracking_code).order_by(Dossier.id.desc()).limit(1)
    ).one()
    late = book(day.client, preferred_on=day.on.isoformat())["tracking_code"]
    unrouted = {u["tracking_code"]: u["reason"] for u in day.get("/progress")["unrouted"]}
    assert unrouted == {dropped: "dropped", late: "after_plan"}
