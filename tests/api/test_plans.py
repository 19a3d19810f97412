"""Daily plans: built from the database in parts, published, read by couriers; drops roll over."""

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from courier import calendar
from courier.dossiers.models import Dossier, Job, JobKind, JobStatus
from courier.fleet.models import Courier
from courier.outbox.models import OutboxMessage
from courier.planning.models import Plan, PlanPart, RouteStop
from courier.planning.tasks import build
from courier.settings import Settings
from tests.builders import (
    book,
    booking_day,
    courier_id,
    handover_body,
    headers_for,
    post_handover_ok,
    site_id,
    weekend_day,
)
from tests.courier.planning.bookings import DEPOT, bookings_day


@pytest.fixture
def day_with_bookings(session: Session, settings: Settings) -> Any:
    """Forty generated bookings over the province and sixteen near the depot, next working day."""
    return bookings_day(session, settings)


def _plan(client: TestClient, session: Session, day: Any, **extra: Any) -> dict[str, Any]:
    dispatcher = headers_for(session, "dispatch.tdm")
    body = {"service_on": day.isoformat(), "depots": [DEPOT], **extra}
    response = client.post("/api/v1/plans", json=body, headers=dispatcher)
    assert response.status_code == 202, response.text
    plan: dict[str, Any] = client.get(
        f"/api/v1/plans/{response.json()['id']}", headers=dispatcher
    ).json()
    return plan


def _idle_route(session: Session, plan: dict[str, Any]) -> dict[str, Any]:
    """Another courier of the first route's office, as an empty route (one courier may take the
    whole day of these tests; a dossier's counter visit waits once for all)."""
    first = plan["routes"][0]
    office = session.get_one(Courier, first["courier_id"]).home_post_office_id
    other = session.scalars(
        select(Courier)
        .where(Courier.home_post_office_id == office, Courier.id != first["courier_id"])
        .order_by(Courier.id)
    ).first()
    assert other is not None
    used = {route["courier_id"]: route for route in plan["routes"]}
    return used.get(other.id, {"courier_id": other.id, "courier_code": other.code, "stops": 0})


def _queued(session: Session, settings: Settings, day: Any) -> int:
    """Thu Dau Mot's plan of the day left queued (its build not sent), committed; its id."""
    from courier.planning import requesting

    plan = requesting.request_plan(
        session,
        None,
        service_on=day,
        depot_codes=[DEPOT],
        settings=settings,
        enqueue_build=False,
    )
    session.commit()
    return plan.id


@pytest.fixture
def fast(settings: Settings) -> Settings:
    """One second of OR-Tools per part keeps the suite quick."""
    settings.plan_part_seconds = 1
    return settings


def test_a_plan_is_built_in_parts_and_accounts_for_every_stop(
    client: TestClient, session: Session, fast: Settings, day_with_bookings: Any
) -> None:
    """Parts all solved, served + dropped = total, each pickup before its delivery on one route."""
    plan = _plan(client, session, day_with_bookings)
    assert plan["status"] == "built", plan
    assert plan["parts_total"] >= 1
    assert plan["parts_done"] == plan["parts_total"]
    assert plan["stops_served"] + plan["stops_dropped"] == plan["stops_total"] > 0
    assert plan["routes"]
    stops = session.scalars(select(RouteStop).where(RouteStop.plan_id == plan["id"])).all()
    assert len(stops) == plan["stops_served"]
    where = {s.job_id: s for s in stops}
    for stop in stops:
        job = session.get_one(Job, stop.job_id)
        assert job.window_start <= stop.start_at <= job.window_end
        if job.kind is JobKind.PICKUP:
            delivery = session.scalar(
                select(Job).where(
                    Job.dossier_id == job.dossier_id,
                    Job.leg == job.leg,
                    Job.kind == JobKind.DELIVERY,
                )
            )
            assert delivery is not None
            partner = where[delivery.id]
            assert partner.courier_id == stop.courier_id
            assert partner.position > stop.position


def test_couriers_see_their_route_only_once_published(
    client: TestClient, session: Session, fast: Settings, day_with_bookings: Any
) -> None:
    """Before publishing the route is empty; after, each courier gets only their stops, in order."""
    plan = _plan(client, session, day_with_bookings)
    code = plan["routes"][0]["courier_code"]
    courier = headers_for(session, code.lower())
    url = f"/api/v1/couriers/me/route?date={day_with_bookings.isoformat()}"
    assert client.get(url, headers=courier).json() == []
    dispatcher = headers_for(session, "dispatch.tdm")
    published = client.post(f"/api/v1/plans/{plan['id']}/publish", headers=dispatcher)
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    route = client.get(url, headers=courier).json()
    assert [s["position"] for s in route] == list(range(len(route)))
    assert len(route) == plan["routes"][0]["stops"]
    assert all(s["contact_name"] for s in route)
    citizen_pickups = [s for s in route if s["kind"] == "pickup" and s["site_code"] is None]
    assert all(s["contact_phone"] and s["fee_to_collect_vnd"] > 0 for s in citizen_pickups)
    mine = {s["job_id"] for s in route}
    for other in plan["routes"][1:]:
        theirs = client.get(url, headers=headers_for(session, other["courier_code"].lower())).json()
        assert mine.isdisjoint(s["job_id"] for s in theirs)
    assigned = session.scalars(select(Job.courier_id).where(Job.id.in_(mine))).all()
    assert set(assigned) == {plan["routes"][0]["courier_id"]}


def test_a_pair_that_cannot_fit_rolls_over_with_a_higher_priority(
    client: TestClient, session: Session, fast: Settings, day_with_bookings: Any
) -> None:
    """A pickup window no shift reaches (05:00-05:01): dropped, moved to the next working day,
    timeline says so. (A delivery window too short for the center no longer drops a pair: the
    dossier spends the night at the post office, tests/api/test_overnight_hold.py.)"""
    dossier = session.scalars(select(Dossier).order_by(Dossier.id.desc())).first()  # near depot
    assert dossier is not None
    pickup = session.scalars(
        select(Job).where(Job.dossier_id == dossier.id, Job.kind == JobKind.PICKUP)
    ).one()
    dawn = calendar.at(day_with_bookings, time(5, 0), fast.zone)
    session.execute(
        update(Job)
        .where(Job.id == pickup.id)
        .values(window_start=dawn, window_end=dawn + timedelta(minutes=1))
    )
    session.commit()
    plan = _plan(client, session, day_with_bookings)
    assert plan["stops_dropped"] >= 2
    client.post(f"/api/v1/plans/{plan['id']}/publish", headers=headers_for(session, "dispatch.tdm"))
    session.expire_all()
    moved = session.get_one(Job, pickup.id)
    next_day = calendar.next_working_day(day_with_bookings)
    assert moved.priority == 1
    assert moved.status is JobStatus.PENDING
    assert moved.window_start.astimezone(fast.zone).date() == next_day
    timeline = client.get(
        f"/api/v1/track/{dossier.tracking_code}", params={"phone": dossier.applicant_phone[-4:]}
    ).json()
    assert timeline["events"][-1]["code"] == "ECH"
    assert next_day.strftime("%d/%m/%Y") in timeline["events"][-1]["label"]


def test_building_again_duplicates_nothing(
    client: TestClient, session: Session, fast: Settings, day_with_bookings: Any
) -> None:
    """A re-delivered build task finds the plan built: same parts, same stops."""
    plan = _plan(client, session, day_with_bookings)
    count = {
        model: session.scalar(select(func.count()).select_from(model))
        for model in (PlanPart, RouteStop)
    }
    build(plan["id"])
    session.expire_all()
    assert {m: session.scalar(select(func.count()).select_from(m)) for m in count} == count


@pytest.mark.parametrize(
    ("who", "body", "status"),
    [
        ("dispatch.tdm", {"service_on": weekend_day().isoformat(), "depots": [DEPOT]}, 422),
        ("dispatch.tdm", {"service_on": (booking_day() - timedelta(days=7)).isoformat()}, 422),
        ("dispatch.tdm", {"service_on": booking_day().isoformat(), "depots": ["NO-SUCH"]}, 422),
        ("bd-cr-tdm-01", {"service_on": booking_day().isoformat()}, 403),
        ("center.tdm", {"service_on": booking_day().isoformat()}, 403),
    ],
)
def test_only_dispatchers_plan_and_only_working_days(
    client: TestClient, session: Session, who: str, body: dict[str, Any], status: int
) -> None:
    """A Sunday, a past day or an unknown depot is refused by name; couriers and center staff may not plan."""
    response = client.post("/api/v1/plans", json=body, headers=headers_for(session, who))
    assert response.status_code == status, response.text


def test_route_sheets_for_the_courier_and_the_dispatcher(
    client: TestClient, session: Session, fast: Settings, day_with_bookings: Any
) -> None:
    """A PDF for the courier once published; the dispatcher's for any courier; others refused."""
    plan = _plan(client, session, day_with_bookings)
    first = plan["routes"][0]
    courier = headers_for(session, first["courier_code"].lower())
    dispatcher = headers_for(session, "dispatch.tdm")
    url = f"/api/v1/couriers/me/route.pdf?date={day_with_bookings.isoformat()}"
    assert client.get(url, headers=courier).status_code == 404
    sheet = f"/api/v1/plans/{plan['id']}/sheets/{first['courier_id']}.pdf"
    assert client.get(sheet, headers=courier).status_code == 403
    drafted = client.get(sheet, headers=dispatcher)
    assert drafted.status_code == 200
    assert drafted.content.startswith(b"%PDF")
    client.post(f"/api/v1/plans/{plan['id']}/publish", headers=dispatcher)
    mine = client.get(url, headers=courier)
    assert mine.status_code == 200
    assert mine.headers["content-type"] == "application/pdf"


def _stops(session: Session, plan_id: int) -> dict[int, RouteStop]:
    session.expire_all()
    return {
        s.job_id: s for s in session.scalars(select(RouteStop).where(RouteStop.plan_id == plan_id))
    }


def _replan(
    client: TestClient, session: Session, plan_id: int, body: dict[str, Any]
) -> dict[str, Any]:
    dispatcher = headers_for(session, "dispatch.tdm")
    response = client.post(f"/api/v1/plans/{plan_id}/replan", json=body, headers=dispatcher)
    assert response.status_code == 202, response.text
    new: dict[str, Any] = client.get(
        f"/api/v1/plans/{response.json()['id']}", headers=dispatcher
    ).json()
    assert new["status"] == "built", new
    assert new["parent_id"] == plan_id
    return new


def test_a_moved_job_and_a_locked_stop_are_kept_by_the_re_plan(
    client: TestClient, session: Session, fast: Settings, day_with_bookings: Any
) -> None:
    """Move a pickup to another courier and lock another first on a route: the re-plan keeps both."""
    plan = _plan(client, session, day_with_bookings)
    first, second = plan["routes"][0], _idle_route(session, plan)
    stops = _stops(session, plan["id"])
    on_first = sorted(
        (s for s in stops.values() if s.courier_id == first["courier_id"]), key=lambda s: s.position
    )
    pickups = [s for s in on_first if session.get_one(Job, s.job_id).kind is JobKind.PICKUP]
    moved, locked = pickups[0].job_id, pickups[-1].job_id
    dispatcher = headers_for(session, "dispatch.tdm")
    url = f"/api/v1/plans/{plan['id']}"
    move = {"job_id": moved, "courier_id": second["courier_id"]}
    assert client.post(f"{url}/moves", json=move, headers=dispatcher).status_code == 201
    lock = {"job_id": locked, "courier_id": first["courier_id"], "position": 0}
    assert client.post(f"{url}/locks", json=lock, headers=dispatcher).status_code == 201
    assert len(client.get(f"{url}/locks", headers=dispatcher).json()) == 2
    new = _replan(client, session, plan["id"], {"whole_day": True})
    after = _stops(session, new["id"])
    assert after[moved].courier_id == second["courier_id"]
    assert after[locked].courier_id == first["courier_id"]
    assert after[locked].position == 0
    assert after[locked].locked
    assert after[moved].locked


def test_a_re_plan_during_the_day_keeps_done_stops_and_what_couriers_carry(
    client: TestClient, session: Session, fast: Settings, day_with_bookings: Any
) -> None:
    """After a pickup, an urgent booking arrives: the re-plan leaves the done pickup out, keeps its
    delivery on the courier who carries it, and takes the new booking in."""
    plan = _plan(client, session, day_with_bookings)
    dispatcher = headers_for(session, "dispatch.tdm")
    client.post(f"/api/v1/plans/{plan['id']}/publish", headers=dispatcher)
    first = plan["routes"][0]
    courier = headers_for(session, first["courier_code"].lower())
    route = client.get(
        f"/api/v1/couriers/me/route?date={day_with_bookings.isoformat()}", headers=courier
    ).json()
    stop = next(s for s in route if s["kind"] == "pickup" and s["site_code"] is None)
    body = handover_body(
        {"kind": "citizen"}, {"kind": "courier", "id": first["courier_id"]}, [stop["tracking_code"]]
    )
    post_handover_ok(client, courier, body)
    urgent = book(client, preferred_on=day_with_bookings.isoformat())["tracking_code"]
    ten = datetime.combine(day_with_bookings, time(10, 0), tzinfo=fast.zone)
    new = _replan(client, session, plan["id"], {"at": ten.isoformat()})
    after = _stops(session, new["id"])
    assert stop["job_id"] not in after
    delivery = session.scalars(
        select(Job).where(
            Job.dossier_id == session.get_one(Job, stop["job_id"]).dossier_id,
            Job.kind == JobKind.DELIVERY,
        )
    ).one()
    assert after[delivery.id].courier_id == first["courier_id"]
    urgent_jobs = session.scalars(
        select(Job.id).join(Dossier).where(Dossier.tracking_code == urgent)
    ).all()
    assert new["stops_total"] >= 2
    assert new["stops_served"] + new["stops_dropped"] == new["stops_total"]  # carried: one stop
    assert set(urgent_jobs) <= set(after) or new["stops_dropped"] >= 2
    assert all(s.start_at >= ten for s in after.values())


@pytest.mark.parametrize(
    ("who", "change", "status"),
    [
        ("dispatch.tdm", {"job_id": 999_999}, 422),
        ("dispatch.tdm", {"courier_code": "BD-CR-DA-01"}, 422),
        ("bd-cr-tdm-01", {}, 403),
    ],
)
def test_locks_are_checked(
    client: TestClient,
    session: Session,
    fast: Settings,
    day_with_bookings: Any,
    who: str,
    change: dict[str, Any],
    status: int,
) -> None:
    """An unknown job or a courier of another post office is refused by name; couriers may not lock."""
    plan = _plan(client, session, day_with_bookings)
    job = next(iter(_stops(session, plan["id"])))
    body: dict[str, Any] = {
        "job_id": change.get("job_id", job),
        "courier_id": plan["routes"][0]["courier_id"],
    }
    if "courier_code" in change:
        body["courier_id"] = courier_id(session, change["courier_code"])
    response = client.post(
        f"/api/v1/plans/{plan['id']}/locks", json=body, headers=headers_for(session, who)
    )
    assert response.status_code == status, response.text


def test_an_interrupted_build_resumes_without_duplicates(
    client: TestClient, session: Session, fast: Settings, day_with_bookings: Any
) -> None:
    """A build stopped after its parts were cut (worker lost) is sent again and completes once."""
    from courier.planning import building

    plan_id = _queued(session, fast, day_with_bookings)
    parts = building.prepare_parts(session, plan_id, fast)
    session.commit()
    assert parts
    dispatcher = headers_for(session, "dispatch.tdm")
    response = client.post(f"/api/v1/plans/{plan_id}/build", headers=dispatcher)
    assert response.status_code == 202
    built = client.get(f"/api/v1/plans/{plan_id}", headers=dispatcher).json()
    assert built["status"] == "built"
    assert built["parts_done"] == built["parts_total"] == len(parts)
    again = client.post(f"/api/v1/plans/{plan_id}/build", headers=dispatcher)
    assert again.status_code == 409


def test_the_nightly_plans_are_built_and_each_office_reads_its_own(
    client: TestClient, session: Session, fast: Settings, factory: Any
) -> None:
    """Beat's task builds the next working day's plans, one per office, each its dispatcher's."""
    from courier.planning.models import Plan
    from courier.planning.tasks import nightly

    plan_ids = nightly()
    session.expire_all()
    plans = [session.get_one(Plan, plan_id) for plan_id in plan_ids]
    today = calendar.local_today(datetime.now(fast.zone), fast.zone)
    assert {p.service_on for p in plans} == {calendar.next_working_day(today)}
    assert {p.status.value for p in plans} == {"built"}
    tdm = site_id(session, DEPOT)
    own = next(p for p in plans if p.depot_ids == [tdm])
    dispatcher = headers_for(session, "dispatch.tdm")
    assert client.get(f"/api/v1/plans/{own.id}", headers=dispatcher).status_code == 200


def test_one_office_publishing_keeps_the_other_offices_routes(
    client: TestClient, session: Session, fast: Settings, day_with_bookings: Any
) -> None:
    """An admin publishes two offices' plan; Thu Dau Mot re-publishes its own; Di An's stays."""
    admin = headers_for(session, "admin")
    body = {"service_on": day_with_bookings.isoformat(), "depots": [DEPOT, "BD-PO-DA-1"]}
    wide = client.post("/api/v1/plans", json=body, headers=admin).json()
    published = client.post(f"/api/v1/plans/{wide['id']}/publish", headers=admin)
    assert published.status_code == 200, published.text
    own = _plan(client, session, day_with_bookings)
    _publish(client, session, own["id"])
    assert client.get(f"/api/v1/plans/{wide['id']}", headers=admin).json()["status"] == "published"


def _last_pair(session: Session) -> tuple[Dossier, Job, Job]:
    """The newest dossier (booked near the depot) and its pickup and delivery jobs."""
    dossier = session.scalars(select(Dossier).order_by(Dossier.id.desc())).first()
    assert dossier is not None
    pickup, delivery = sorted(dossier.jobs, key=lambda j: j.kind is JobKind.DELIVERY)
    return dossier, pickup, delivery


def _publish(client: TestClient, session: Session, plan_id: int) -> None:
    response = client.post(
        f"/api/v1/plans/{plan_id}/publish", headers=headers_for(session, "dispatch.tdm")
    )
    assert response.status_code == 200, response.text


def test_a_dropped_pair_whose_windows_outlast_the_day_does_not_roll_over(
    client: TestClient, session: Session, fast: Settings, day_with_bookings: Any
) -> None:
    """Windows open until the day after next, a pickup too long for a shift: dropped today, left as
    booked, no priority, no event."""
    dossier, pickup, delivery = _last_pair(session)
    pickup.service_s = 11 * 3600
    pickup.window_end += timedelta(days=2)
    delivery.window_end += timedelta(days=2)
    session.commit()
    before = (pickup.window_start, pickup.window_end, delivery.window_start, delivery.window_end)
    plan = _plan(client, session, day_with_bookings)
    assert plan["stops_dropped"] >= 2
    _publish(client, session, plan["id"])
    session.expire_all()
    after = [session.get_one(Job, j.id) for j in (pickup, delivery)]
    assert (
        after[0].window_start,
        after[0].window_end,
        after[1].window_start,
        after[1].window_end,
    ) == before
    assert [j.priority for j in after] == [0, 0]
    assert all(j.status is JobStatus.PENDING and j.courier_id is None for j in after)
    timeline = client.get(
        f"/api/v1/track/{dossier.tracking_code}", params={"phone": dossier.applicant_phone[-4:]}
    ).json()
    assert timeline["events"][-1]["code"] != "ECH"


def test_rolling_over_does_not_stretch_a_window_spanning_several_days(
    client: TestClient, session: Session, fast: Settings, day_with_bookings: Any
) -> None:
    """A pickup due before any shift rolls over; its delivery's two-day window keeps its end."""
    _, pickup, delivery = _last_pair(session)
    six = datetime.combine(day_with_bookings, time(6, 0), tzinfo=fast.zone)
    pickup.window_start, pickup.window_end = six, six + timedelta(minutes=1)
    delivery.window_end += timedelta(days=2)
    end = delivery.window_end
    session.commit()
    plan = _plan(client, session, day_with_bookings)
    _publish(client, session, plan["id"])
    session.expire_all()
    next_day = calendar.next_working_day(day_with_bookings)
    moved = session.get_one(Job, pickup.id)
    assert moved.window_start.astimezone(fast.zone) == datetime.combine(
        next_day, time(6, 0), tzinfo=fast.zone
    )
    assert moved.priority == 1
    assert session.get_one(Job, delivery.id).window_end == end


def test_a_lock_position_past_the_end_of_the_route_is_refused_by_name(
    client: TestClient, session: Session, fast: Settings, day_with_bookings: Any
) -> None:
    """Position 400 on a route of a few stops: 422 naming `position`; the route's end is accepted."""
    plan = _plan(client, session, day_with_bookings)
    route = _idle_route(session, plan)
    stops = _stops(session, plan["id"])
    job = next(s.job_id for s in stops.values() if s.courier_id != route["courier_id"])
    url = f"/api/v1/plans/{plan['id']}/locks"
    dispatcher = headers_for(session, "dispatch.tdm")
    body = {"job_id": job, "courier_id": route["courier_id"], "position": 400}
    refused = client.post(url, json=body, headers=dispatcher)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "position"]
    body["position"] = route["stops"]
    assert client.post(url, json=body, headers=dispatcher).status_code == 201


def test_a_lock_on_a_courier_whose_shift_is_over_is_reported_not_fatal(
    client: TestClient, session: Session, fast: Settings, day_with_bookings: Any
) -> None:
    """Re-plan at 16:10: the early courier (shift ends 16:30) is out; the plan is built and says so."""
    plan = _plan(client, session, day_with_bookings)
    early = courier_id(session, "BD-CR-TDM-01")
    job = next(iter(_stops(session, plan["id"])))
    dispatcher = headers_for(session, "dispatch.tdm")
    lock = {"job_id": job, "courier_id": early}
    assert (
        client.post(f"/api/v1/plans/{plan['id']}/moves", json=lock, headers=dispatcher).status_code
        == 201
    )
    at = datetime.combine(day_with_bookings, time(16, 10), tzinfo=fast.zone)
    new = _replan(client, session, plan["id"], {"at": at.isoformat()})
    assert any(f"courier {early} not kept" in note for note in new["notes"])
    assert all(s.courier_id != early for s in _stops(session, new["id"]).values())


PLAN_ENDPOINTS = [
    ("post", "/api/v1/plans", {"service_on": booking_day().isoformat()}),
    ("get", "/api/v1/plans/{plan}", None),
    ("post", "/api/v1/plans/{plan}/build", None),
    ("post", "/api/v1/plans/{plan}/publish", None),
    ("post", "/api/v1/plans/{plan}/locks", {"job_id": 1, "courier_id": 1}),
    ("get", "/api/v1/plans/{plan}/locks", None),
    ("post", "/api/v1/plans/{plan}/moves", {"job_id": 1, "courier_id": 1}),
    ("post", "/api/v1/plans/{plan}/replan", {}),
    ("get", "/api/v1/plans/{plan}/sheets/{courier}.pdf", None),
]


@pytest.mark.parametrize("who", ["bd-cr-tdm-01", "center.tthc", "citizen.an"])
@pytest.mark.parametrize(("method", "path", "body"), PLAN_ENDPOINTS)
def test_only_dispatchers_reach_the_plan_endpoints(
    client: TestClient,
    session: Session,
    fast: Settings,
    who: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    """Couriers (even for their own sheet), center staff and citizens are refused on every one."""
    plan_id = _queued(session, fast, booking_day())
    url = path.format(plan=plan_id, courier=courier_id(session, "BD-CR-TDM-01"))
    response = client.request(method, url, json=body, headers=headers_for(session, who))
    assert response.status_code == 403, response.text


def test_a_stop_contact_phone_is_only_in_its_own_couriers_route(
    client: TestClient, session: Session, fast: Settings, day_with_bookings: Any
) -> None:
    """The citizen's phone is in their courier's route, not in another courier's nor the plan's."""
    plan = _plan(client, session, day_with_bookings)
    _publish(client, session, plan["id"])
    first, second = plan["routes"][0], _idle_route(session, plan)
    url = f"/api/v1/couriers/me/route?date={day_with_bookings.isoformat()}"
    mine = client.get(url, headers=headers_for(session, first["courier_code"].lower())).json()
    phones = {s["contact_phone"] for s in mine if s["contact_phone"]}
    assert phones
    dispatcher = headers_for(session, "dispatch.tdm")
    elsewhere = [
        client.get(url, headers=headers_for(session, second["courier_code"].lower())).text,
        client.get(f"/api/v1/plans/{plan['id']}", headers=dispatcher).text,
        client.get(f"/api/v1/plans/{plan['id']}/locks", headers=dispatcher).text,
    ]
    assert not any(phone in text for phone in phones for text in elsewhere)


def test_a_solver_error_shows_in_the_plan(
    client: TestClient,
    session: Session,
    fast: Settings,
    day_with_bookings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The solver raises: GET /plans/{id} says failed, with the solver's message."""
    from courier.planning import building

    def broken(*args: Any) -> Any:
        raise RuntimeError("solver ran out of memory")

    monkeypatch.setattr(building, "solve_frozen", broken)
    plan = _plan(client, session, day_with_bookings)
    assert plan["status"] == "failed"
    assert "solver ran out of memory" in plan["error"]


def test_a_second_request_while_the_first_is_queued_answers_the_first(
    client: TestClient, session: Session, fast: Settings
) -> None:
    """200 with the queued plan and `existing`: no second plan is stored, no build is sent."""
    queued = _queued(session, fast, booking_day())
    body = {"service_on": booking_day().isoformat(), "depots": [DEPOT]}
    again = client.post("/api/v1/plans", json=body, headers=headers_for(session, "dispatch.tdm"))
    assert again.status_code == 200, again.text
    assert (again.json()["id"], again.json()["existing"]) == (queued, True)
    assert again.json()["status"] == "queued"
    assert session.scalar(select(func.count()).select_from(Plan)) == 1
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_a_plan_sharing_an_office_with_one_being_built_is_refused_naming_it(
    client: TestClient, session: Session, fast: Settings, day_with_bookings: Any
) -> None:
    """Thu Dau Mot's plan is queued: a plan of two offices, or a re-plan, is a 409 naming it."""
    built = _plan(client, session, day_with_bookings)
    queued = _queued(session, fast, day_with_bookings)
    admin = headers_for(session, "admin")
    body = {"service_on": day_with_bookings.isoformat(), "depots": [DEPOT, "BD-PO-DA-1"]}
    wider = client.post("/api/v1/plans", json=body, headers=admin)
    replan = client.post(f"/api/v1/plans/{built['id']}/replan", json={}, headers=admin)
    for refused in (wider, replan):
        assert refused.status_code == 409, refused.text
        assert f"plan {queued} " in refused.json()["detail"]


def test_a_new_request_says_which_plan_of_the_day_is_published(
    client: TestClient, session: Session, fast: Settings, day_with_bookings: Any
) -> None:
    """A plan built and published: the next request is built (202) and lists it with a warning
    naming the published one, in the visitor's language."""
    first = _plan(client, session, day_with_bookings)
    _publish(client, session, first["id"])
    body = {"service_on": day_with_bookings.isoformat(), "depots": [DEPOT]}
    dispatcher = headers_for(session, "dispatch.tdm")
    again = client.post("/api/v1/plans", json=body, headers={**dispatcher, "Accept-Language": "en"})
    assert again.status_code == 202, again.text
    assert again.json()["existing"] is False
    assert again.json()["others"] == [
        {"id": first["id"], "status": "published", "published": True, "depots": [DEPOT]}
    ]
    assert f"plan {first['id']} is the published one" in again.json()["warning"]
    in_vietnamese = client.post("/api/v1/plans", json=body, headers=dispatcher)
    assert in_vietnamese.status_code == 202, in_vietnamese.text
    assert str(first["id"]) in in_vietnamese.json()["warning"]
    assert "published" not in in_vietnamese.json()["warning"]


def test_plan_refusals_read_in_vietnamese_and_in_english(
    client: TestClient, session: Session, fast: Settings, day_with_bookings: Any
) -> None:
    """A plan's day and post offices, and a lock's job, courier and position, are refused in
    Vietnamese by default and in English on request, each naming its field."""
    dispatcher = headers_for(session, "dispatch.tdm")
    plan = _plan(client, session, day_with_bookings)
    route = _idle_route(session, plan)
    stops = _stops(session, plan["id"])
    job = next(s.job_id for s in stops.values() if s.courier_id != route["courier_id"])
    past = (booking_day() - timedelta(days=7)).isoformat()
    refusals = [
        ("/api/v1/plans", {"service_on": past, "depots": ["NO-SUCH"]}),
        ("/api/v1/plans", {"service_on": weekend_day().isoformat(), "depots": [DEPOT]}),
        (
            f"/api/v1/plans/{plan['id']}/locks",
            {"job_id": 999_999, "courier_id": courier_id(session, "BD-CR-DA-01")},
        ),
        (
            f"/api/v1/plans/{plan['id']}/locks",
            {"job_id": job, "courier_id": route["courier_id"], "position": 400},
        ),
    ]
    said: dict[str, list[tuple[str, str]]] = {"vi": [], "en": []}
    for lang, sentences in said.items():
        for url, body in refusals:
            answer = client.post(url, json=body, headers={**dispatcher, "Accept-Language": lang})
            assert answer.status_code == 422, answer.text
            sentences += [(p["loc"][-1], p["msg"]) for p in answer.json()["detail"]]
    n = route["stops"]
    assert said["vi"] == [
        ("service_on", "«Ngày của kế hoạch»: hãy chọn hôm nay hoặc một ngày sau đó"),
        ("depots", "«Bưu cục»: không có bưu cục nào mang các mã: NO-SUCH"),
        (
            "service_on",
            "«Ngày của kế hoạch»: hãy chọn một ngày làm việc (từ thứ Hai đến thứ Sáu, "
            "không phải ngày lễ)",
        ),
        ("job_id", "«Việc»: không có việc nào đang mở với mã số này"),
        ("courier_id", "«Bưu tá»: bưu tá này không làm việc tại các bưu cục của kế hoạch"),
        (
            "position",
            f"«Vị trí trong tuyến»: tuyến của bưu tá có {n} điểm dừng khác: hãy chọn vị trí "
            f"từ 0 đến {n}",
        ),
    ]
    assert said["en"] == [
        ("service_on", "«Plan day»: please choose today or a later day"),
        ("depots", "«Post offices»: no post office has these codes: NO-SUCH"),
        (
            "service_on",
            "«Plan day»: please choose a working day (Monday to Friday, not a public holiday)",
        ),
        ("job_id", "«Job»: no open job has this id"),
        ("courier_id", "«Courier»: this courier does not work at the plan's post offices"),
        (
            "position",
            f"«Place in the route»: the courier's route has {n} other stops: choose a position "
            f"from 0 to {n}",
        ),
    ]
