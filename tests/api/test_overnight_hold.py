"""The postal flow (issue 13 point 4): a dossier picked up too late to reach its center that day is
left at the courier's post office for the night, and reaches the center the next working morning
on a leg of the next plan; custody chain and public timeline follow it."""

import html
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from courier.catalogue.service import opening_windows
from courier.dossiers.models import Dossier, DossierStatus, Job, JobKind, JobStatus, Leg
from courier.enums import PartyKind
from courier.fleet.models import Courier
from courier.planning import tasks
from courier.planning.models import RouteStop
from courier.planning.routes import FROM_OFFICE_ACTION, HOLD_ACTION
from courier.settings import Settings
from tests.api.test_dispatch_page_scope import sign_in
from tests.builders import (
    book,
    booking_day,
    handover_body,
    headers_for,
    post_handover_ok,
    post_ok,
    site_id,
)
from tests.courier.planning.bookings import DEPOT

WINDOW = ("window_start", "window_end")


@pytest.fixture
def fast(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """One second of OR-Tools per part keeps the suite quick; the build task reads these."""
    settings.plan_part_seconds = 1
    monkeypatch.setattr(tasks, "get_settings", lambda: settings)
    return settings


def _jobs(session: Session, dossier_id: int) -> list[Job]:
    session.expire_all()
    return list(session.scalars(select(Job).where(Job.dossier_id == dossier_id).order_by(Job.id)))


def _too_late_for_the_center(client: TestClient, session: Session) -> Dossier:
    """A booking whose center stops taking it a minute after the citizen's slot opens: no route
    can bring it in that day."""
    code = book(client)["tracking_code"]
    dossier = session.scalars(select(Dossier).where(Dossier.tracking_code == code)).one()
    pickup, delivery = _jobs(session, dossier.id)
    delivery.window_end = pickup.window_start + timedelta(minutes=1)
    session.commit()
    return dossier


def _plan(client: TestClient, session: Session, day: Any) -> int:
    dispatcher = headers_for(session, "dispatch.tdm")
    body = {"service_on": day.isoformat(), "depots": [DEPOT]}
    answer = client.post("/api/v1/plans", json=body, headers=dispatcher)
    assert answer.status_code == 202, answer.text
    plan_id: int = answer.json()["id"]
    post_ok(client, f"/api/v1/plans/{plan_id}/publish", dispatcher)
    return plan_id


def _route_stop(
    client: TestClient, session: Session, plan_id: int, job_id: int, day: Any
) -> tuple[RouteStop, dict[str, Any], Courier]:
    stop = session.scalars(
        select(RouteStop).where(RouteStop.plan_id == plan_id, RouteStop.job_id == job_id)
    ).one()
    courier = session.get_one(Courier, stop.courier_id)
    route = client.get(
        f"/api/v1/couriers/me/route?date={day.isoformat()}",
        headers=headers_for(session, courier.code.lower()),
    ).json()
    return stop, next(s for s in route if s["job_id"] == job_id), courier


def test_a_dossier_too_late_for_its_center_spends_the_night_at_the_post_office(
    client: TestClient, session: Session, fast: Settings
) -> None:
    """Planned to the post office, left there with the clerk's signature, planned the next
    morning from the office to the center, received there: every step in the chain."""
    day = booking_day()
    dossier = _too_late_for_the_center(client, session)
    code = dossier.tracking_code
    delivery = _jobs(session, dossier.id)[1]
    plan_id = _plan(client, session, day)
    stop, shown, courier = _route_stop(client, session, plan_id, delivery.id, day)
    office = courier.home_post_office
    assert stop.at_post_office
    assert shown["place_kind"] == "post_office"
    assert shown["action"] == HOLD_ACTION
    assert shown["site_code"] == office.code
    assert shown["contact_phone"] is None
    hours = opening_windows(office, day, Settings().zone)
    window = (
        datetime.fromisoformat(shown["window_start"]),
        datetime.fromisoformat(shown["window_end"]),
    )
    assert window == (hours[0][0], hours[-1][1]), (
        "a night at the office is due in the office's hours, not the center's window"
    )
    headers = headers_for(session, courier.code.lower())
    me = {"kind": "courier", "id": courier.id}
    post_handover_ok(client, headers, handover_body({"kind": "citizen"}, me, [code]))
    at_office = {"kind": "post_office", "id": office.id}
    post_handover_ok(client, headers, handover_body(me, at_office, [code]))
    jobs = _jobs(session, dossier.id)
    assert [j.status for j in jobs[:2]] == [JobStatus.DONE, JobStatus.DONE]
    collect, bring = jobs[2:]
    assert (collect.leg, collect.kind, collect.site_id) == (Leg.RELAY, JobKind.PICKUP, office.id)
    assert (bring.leg, bring.kind) == (Leg.RELAY, JobKind.DELIVERY)
    assert bring.site_id == dossier.receiving_site_id
    assert collect.window_start.date() >= datetime.now().date()
    session.refresh(dossier)
    assert (dossier.holder_kind, dossier.holder_id) == (PartyKind.POST_OFFICE, office.id)
    timeline = client.get(f"/api/v1/track/{code}", params={"phone": "5678"}).json()
    assert "arrive_post_office" in [e["event"] for e in timeline["events"]]
    morning = collect.window_start.astimezone(Settings().zone).date()
    next_plan = _plan(client, session, morning)
    stop, shown, courier = _route_stop(client, session, next_plan, collect.id, morning)
    assert not stop.at_post_office
    assert shown["place_kind"] == "post_office"
    assert shown["action"] == FROM_OFFICE_ACTION
    headers = headers_for(session, courier.code.lower())
    me = {"kind": "courier", "id": courier.id}
    post_handover_ok(client, headers, handover_body(at_office, me, [code]))
    center = {"kind": "center", "id": site_id(session, "BD-TDM")}
    post_handover_ok(client, headers, handover_body(me, center, [code]))
    assert all(j.status is JobStatus.DONE for j in _jobs(session, dossier.id))
    session.refresh(dossier)
    assert dossier.status is DossierStatus.RECEIVED_AT_CENTER
    custody = client.get(f"/api/v1/dossiers/{code}/custody", params={"phone": "5678"}).json()
    assert custody["verified"] is True
    events = [link["event"] for link in custody["links"]]
    assert events == ["pick_up", "arrive_post_office", "leave_post_office", "receive_at_center"]


def test_the_plan_shows_a_hold_at_the_post_office_as_the_courier_route_does(
    client: TestClient, session: Session, fast: Settings
) -> None:
    """GET /plans/{id}: the held dossier's stop is a hold at the courier's post office, in its
    hours, not a delivery at the center (a center system would wait for it that day)."""
    day = booking_day()
    dossier = _too_late_for_the_center(client, session)
    delivery = _jobs(session, dossier.id)[1]
    plan_id = _plan(client, session, day)
    _, shown, courier = _route_stop(client, session, plan_id, delivery.id, day)
    office = courier.home_post_office
    plan = client.get(f"/api/v1/plans/{plan_id}", headers=headers_for(session, "dispatch.tdm"))
    assert plan.status_code == 200, plan.text
    stop = next(s for s in plan.json()["stops"] if s["job_id"] == delivery.id)
    assert stop["kind"] == "hold"
    assert stop["action"] == HOLD_ACTION
    assert (stop["lat"], stop["lon"], stop["address"]) == (office.lat, office.lon, office.address)
    same = ("action", "lat", "lon", "address", "window_start", "window_end", "planned_arrival")
    assert {k: stop[k] for k in same} == {k: shown[k] for k in same}


def test_a_dossier_the_center_can_take_the_same_day_goes_there(
    client: TestClient, session: Session, fast: Settings
) -> None:
    """The control: nothing forces the night at the office, the plan takes it to the center."""
    day = booking_day()
    code = book(client)["tracking_code"]
    dossier = session.scalars(select(Dossier).where(Dossier.tracking_code == code)).one()
    delivery = _jobs(session, dossier.id)[1]
    plan_id = _plan(client, session, day)
    stop, shown, _ = _route_stop(client, session, plan_id, delivery.id, day)
    assert not stop.at_post_office
    assert shown["place_kind"] == "center"
    assert shown["site_code"] == "BD-TDM"


def test_without_a_hold_cost_the_late_dossier_is_dropped_and_rolls_over(
    client: TestClient, session: Session, fast: Settings
) -> None:
    """COURIER_PLAN_HOLD_COST_M unset: the old behaviour, the pair is not routed that day."""
    fast.plan_hold_cost_m = None
    day = booking_day()
    dossier = _too_late_for_the_center(client, session)
    delivery = _jobs(session, dossier.id)[1]
    plan_id = _plan(client, session, day)
    found = session.scalars(
        select(RouteStop).where(RouteStop.plan_id == plan_id, RouteStop.job_id == delivery.id)
    ).one_or_none()
    assert found is None


def test_the_dispatchers_page_shows_the_post_offices_hours_for_a_hold(
    client: TestClient, session: Session, fast: Settings
) -> None:
    """The dispatcher's stops table gives a held dossier's stop the post office's hours, as the
    API and the courier's route do, not the center delivery's window."""
    day = booking_day()
    dossier = _too_late_for_the_center(client, session)
    delivery = _jobs(session, dossier.id)[1]
    plan_id = _plan(client, session, day)
    _, shown, _courier = _route_stop(client, session, plan_id, delivery.id, day)
    sign_in(client, "dispatch.tdm")
    page = client.get(f"/dispatch/?date={day.isoformat()}&plan={plan_id}")
    assert page.status_code == 200, page.text
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", page.text, re.S)
    row = next(r for r in rows if dossier.tracking_code in r and "Post office" in r)
    cell = re.search(r'data-label="Window">([^<]*)</td>', row)
    assert cell is not None
    zone = Settings().zone
    start, end = (datetime.fromisoformat(shown[k]).astimezone(zone) for k in WINDOW)
    assert html.unescape(cell.group(1)) == f"{start:%H:%M}–{end:%H:%M}"
