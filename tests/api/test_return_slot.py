"""A result returned by post is brought in the slot the citizen chose at booking (issue 13.5)."""

from datetime import UTC, date, datetime, time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from courier import calendar
from courier.dossiers.jobs import window_on
from courier.dossiers.models import Dossier, Job, JobKind, Leg, Slot
from courier.fleet.models import Courier
from courier.planning.models import RouteStop
from courier.settings import Settings
from tests.builders import (
    STAFF_TDM,
    book,
    booking_day,
    headers_for,
    post_ok,
    to_center,
)
from tests.courier.planning.bookings import DEPOT


@pytest.fixture
def fast(settings: Settings) -> Settings:
    """One second of OR-Tools per part keeps the suite quick."""
    settings.plan_part_seconds = 1
    return settings


def _result_ready(client: TestClient, session: Session, slot: str, day: date) -> Dossier:
    """A dossier booked for `slot`, received, its result ready by post, leaving the center on
    `day` and due at the citizen's within three working days."""
    code = book(client, slot=slot)["tracking_code"]
    to_center(client, session, [code])
    post_ok(client, f"/api/v1/dossiers/{code}/result-ready", headers_for(session, STAFF_TDM))
    dossier = session.scalars(select(Dossier).where(Dossier.tracking_code == code)).one()
    zone = Settings().zone
    for job in session.scalars(
        select(Job).where(Job.dossier_id == dossier.id, Job.leg == Leg.RETURN)
    ):
        job.window_start = calendar.at(day, time(7, 30), zone)
        last = day if job.kind is JobKind.PICKUP else calendar.add_working_days(day, 3)
        job.window_end = calendar.at(last, time(17, 0), zone)
    session.commit()
    return dossier


def _delivery(session: Session, dossier: Dossier) -> Job:
    return session.scalars(
        select(Job).where(
            Job.dossier_id == dossier.id, Job.leg == Leg.RETURN, Job.kind == JobKind.DELIVERY
        )
    ).one()


def test_the_window_of_a_result_delivery_is_the_citizens_slot_that_day(
    client: TestClient, session: Session
) -> None:
    """The job spans days; on each day its window is the chosen slot, the pickup keeps its own."""
    day = booking_day()
    dossier = _result_ready(client, session, "afternoon", day)
    zone = Settings().zone
    delivery = _delivery(session, dossier)
    assert window_on(delivery, Slot.AFTERNOON, day, zone) == calendar.slot_window(
        day, Slot.AFTERNOON, zone
    )
    later = calendar.next_working_day(day)
    assert window_on(delivery, Slot.MORNING, later, zone) == calendar.slot_window(
        later, Slot.MORNING, zone
    )
    pickup = session.scalars(
        select(Job).where(Job.dossier_id == dossier.id, Job.kind == JobKind.PICKUP)
    ).first()
    assert pickup is not None
    assert window_on(pickup, Slot.AFTERNOON, day, zone) == (pickup.window_start, pickup.window_end)


def test_the_plan_brings_each_result_in_its_slot_and_the_route_shows_that_slot(
    client: TestClient, session: Session, fast: Settings
) -> None:
    """Morning and afternoon choices: planned inside their slot; the courier's route says so."""
    day = booking_day()
    chosen = {slot: _result_ready(client, session, slot, day) for slot in ("morning", "afternoon")}
    dispatcher = headers_for(session, "dispatch.tdm")
    body = {"service_on": day.isoformat(), "depots": [DEPOT]}
    answer = client.post("/api/v1/plans", json=body, headers=dispatcher)
    assert answer.status_code == 202, answer.text
    plan_id = answer.json()["id"]
    post_ok(client, f"/api/v1/plans/{plan_id}/publish", dispatcher)
    zone = Settings().zone
    for slot, dossier in chosen.items():
        delivery = _delivery(session, dossier)
        stop = session.scalars(
            select(RouteStop).where(RouteStop.plan_id == plan_id, RouteStop.job_id == delivery.id)
        ).one_or_none()
        assert stop is not None, f"the {slot} result was not planned"
        start, end = calendar.slot_window(day, Slot(slot), zone)
        assert start <= _aware(stop.start_at) <= end  # service starts in the window, as pickups
        courier = session.get_one(Courier, stop.courier_id)
        route = client.get(
            f"/api/v1/couriers/me/route?date={day.isoformat()}",
            headers=headers_for(session, courier.code.lower()),
        ).json()
        shown = next(s for s in route if s["job_id"] == delivery.id)
        assert datetime.fromisoformat(shown["window_start"]) == start
        assert datetime.fromisoformat(shown["window_end"]) == end


def _aware(moment: datetime) -> datetime:
    """SQLite gives naive UTC times back; PostgreSQL aware ones."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
