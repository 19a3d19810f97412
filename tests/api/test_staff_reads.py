"""The access log (Law 91/2025): every staff read of a dossier's personal data writes a row;
citizens reading their own write none; only admins read the log, and nobody changes it."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from api.main import create_app
from api.reads import read_log
from courier.dossiers.models import Dossier, Job, JobKind, Leg
from courier.handovers.models import Handover
from courier.planning.models import PlanStatus
from courier.privacy.models import AccessLogEntry
from courier.proofs.models import HandoverProof
from courier.settings import Settings
from tests.api.test_center_report_pages import staff_cookie
from tests.builders import (
    STAFF_TDM,
    book,
    booking_day,
    handover_body,
    headers_for,
    make_plan_stop,
    pick_up,
    post_handover_ok,
    post_ok,
    site_id,
)

# every route that shows staff a dossier's personal data, and the kind of data its rows name
LOGGED = {
    "GET /api/v1/dossiers": "dossier_list",
    "GET /api/v1/dossiers.csv": "dossier_export",
    "GET /api/v1/dossiers/{code}": "dossier",
    "POST /api/v1/dossiers/{code}/processing": "dossier",
    "POST /api/v1/dossiers/{code}/result-ready": "dossier",
    "POST /api/v1/dossiers/{code}/postpone": "dossier",
    "POST /api/v1/dossiers/{code}/depart": "dossier",
    "GET /api/v1/jobs": "job",
    "GET /api/v1/jobs/{job_id}": "job",
    "POST /api/v1/jobs/{job_id}/attempts": "job",
    "POST /api/v1/jobs/{job_id}/assign": "job",
    "POST /api/v1/handovers": "handover",
    "GET /api/v1/handovers/{handover_id}": "handover",
    "GET /api/v1/handovers/{handover_id}/proofs/{proof_id}": "proof_image",
    "GET /api/v1/handovers/{handover_id}/receipt.{fmt}": "receipt",
    "GET /api/v1/plans/{plan_id}": "plan_stops",
    "POST /api/v1/plans/{plan_id}/build": "plan_stops",
    "POST /api/v1/plans/{plan_id}/publish": "plan_stops",
    "POST /api/v1/plans/{plan_id}/replan": "plan_stops",
    "GET /api/v1/couriers/me/route": "route",
    "GET /api/v1/couriers/me/route.pdf": "route_sheet",
    "GET /api/v1/plans/{plan_id}/sheets/{courier_id}.pdf": "route_sheet",
    "GET /center/": "dossier_list",
    "GET /center/counter/received/{handover_id}/receipt.{fmt}": "receipt",
    "GET /dispatch/": "plan_stops",
    "GET /dispatch/plans/{plan_id}/sheets/{courier_id}.pdf": "route_sheet",
}
# logged by the functions these share with a walked route: they render the same page again,
# or build a plan (the solver's run is tested on its own in test_plans)
SHARED = {
    "POST /api/v1/jobs/{job_id}/attempts": "the walk's assigned pickup is not yet in its window",
    "POST /api/v1/plans/{plan_id}/build": "`_plan_out`, as GET /plans/{plan_id}",
    "POST /api/v1/plans/{plan_id}/replan": "`_plan_out`, as GET /plans/{plan_id}",
}
# routes that show staff no personal data of a citizen's dossier, or show it only to the citizen
NOT_STAFF_READS = {
    "auth": "sign-in",
    "catalogue": "the public catalogue",
    "consent": "the consent text",
    "bookings": "the citizen's own booking",
    "batch_files": "an enterprise's own bookings",
    "track": "the citizen, with code and phone digits",
    "custody": "parties by kind and id, hashes: no personal data",
    "couriers": "staff's own data (couriers), not a citizen's",
    "devices": "staff's own phones",
    "me": "the account's own dossiers",
    "stats": "counts",
    "webhooks": "events by code and status",
    "access_log": "the log itself (admins)",
    "my_data": "the citizen's own data and erasure",
    "home": "public pages",
    "booking": "the citizen's booking form",
    "confirmation": "the citizen's booking",
    "privacy": "the citizen's own data and erasure",
    "account": "the citizen's own dossiers",
    "batch_upload": "an enterprise's own bookings",
    "courier_app": "the app's files (its data comes from /api/v1)",
    "center_report": "counts",
    "counter": "codes, seals and checklists; its receipt (applicants' names) is logged",
    "center_actions": "renders /center/ through its logged `today_context`, or redirects",
    "dispatch_actions": "renders /dispatch/ through its logged `day_context`, or redirects",
    "main": "health",
}

# routes of modules that do show personal data, which themselves show none
NOT_STAFF_READ_ROUTES = {
    "GET /api/v1/plans": "a day's plans: ids, offices, counts",
    "POST /api/v1/plans": "the request's answer: ids and counts",
    "GET /api/v1/plans/{plan_id}/progress": "stops by job and state, couriers' positions",
    "POST /api/v1/plans/{plan_id}/locks": "job and courier ids",
    "GET /api/v1/plans/{plan_id}/locks": "job and courier ids",
    "POST /api/v1/plans/{plan_id}/moves": "job and courier ids",
    "POST /center/login": "sign-in",
    "POST /center/logout": "sign-out",
    "POST /dispatch/login": "sign-in",
    "POST /dispatch/logout": "sign-out",
}


def _routes(app: FastAPI) -> dict[str, APIRoute]:
    found = {}
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            for method in route.methods:
                found[f"{method} {context.path}"] = route
    return found


def _module(route: APIRoute) -> str:
    return str(route.endpoint.__module__).rsplit(".", 1)[-1]


def test_every_route_is_classified(app: FastAPI) -> None:
    """A route is either logged or in a module that shows staff no personal data: a new
    endpoint in a module that does (dossiers, jobs, handovers, the staff pages' screens) fails
    here until it is logged and listed."""
    routes = _routes(app)
    unknown = [
        where
        for where, route in routes.items()
        if where not in LOGGED
        and where not in NOT_STAFF_READ_ROUTES
        and _module(route) not in NOT_STAFF_READS
    ]
    assert unknown == []
    assert set(LOGGED) <= set(routes)


def _depends_on_read_log(route: APIRoute) -> bool:
    def walk(dependant: Any) -> bool:
        return dependant.call is read_log or any(walk(d) for d in dependant.dependencies)

    return walk(route.dependant)


def test_routes_not_walked_take_the_read_log(app: FastAPI) -> None:
    """The logged API routes the walk below does not call depend on the request's read log."""
    routes = _routes(app)
    assert all(_depends_on_read_log(routes[where]) for where in SHARED)


def _get(client: TestClient, url: str, **kwargs: Any) -> None:
    answer = client.get(url, **kwargs)
    assert answer.status_code == 200, (url, answer.text)


def test_each_staff_read_of_personal_data_writes_its_rows(
    client: TestClient, session: Session
) -> None:
    """Walking a dossier's life as courier, dispatcher, center staff and admin: each logged
    route writes a row naming the dossier, the data shown, the actor's role and the route."""
    admin, staff = headers_for(session, "admin"), headers_for(session, STAFF_TDM)
    code = book(client)["tracking_code"]
    cid, courier = pick_up(client, session, code)  # assigns, reads the dossier, hands over
    dossier = session.scalar(select(Dossier).where(Dossier.tracking_code == code))
    assert dossier is not None
    handover = session.scalar(select(Handover.id).order_by(Handover.id.desc()))
    proof = session.scalar(select(HandoverProof.id).where(HandoverProof.handover_id == handover))
    delivery = session.scalar(
        select(Job.id).where(
            Job.dossier_id == dossier.id, Job.leg == Leg.INBOUND, Job.kind == JobKind.DELIVERY
        )
    )
    assert delivery is not None
    arrival = datetime.combine(booking_day(), datetime.min.time(), UTC) + timedelta(hours=3)
    plan = make_plan_stop(
        session, status=PlanStatus.BUILT, job_id=delivery, courier=cid, arrival=arrival
    )
    session.commit()
    day = {"date": booking_day().isoformat()}
    for url, headers, params in [
        ("/api/v1/dossiers", admin, {}),
        ("/api/v1/dossiers.csv", admin, {}),
        ("/api/v1/jobs", courier, {}),
        (f"/api/v1/jobs/{delivery}", courier, {}),
        (f"/api/v1/handovers/{handover}", courier, {}),
        (f"/api/v1/handovers/{handover}/proofs/{proof}", courier, {}),
        (f"/api/v1/handovers/{handover}/receipt.pdf", courier, {}),
        ("/api/v1/couriers/me/route", courier, day),
        ("/api/v1/couriers/me/route.pdf", courier, day),
        (f"/api/v1/plans/{plan.id}", admin, {}),
        (f"/api/v1/plans/{plan.id}/sheets/{cid}.pdf", admin, {}),
    ]:
        _get(client, url, headers=headers, params=params)
    client.cookies.update(staff_cookie(session, "admin"))
    _get(client, "/dispatch/", params={**day, "plan": plan.id})
    _get(client, f"/dispatch/plans/{plan.id}/sheets/{cid}.pdf")
    client.cookies.clear()
    post_ok(client, f"/api/v1/plans/{plan.id}/publish", admin)
    post_ok(client, f"/api/v1/dossiers/{code}/depart", courier)
    center = {"kind": "center", "id": site_id(session, "BD-TDM")}
    into_center = post_handover_ok(
        client, courier, handover_body({"kind": "courier", "id": cid}, center, [code])
    )
    post_ok(client, f"/api/v1/dossiers/{code}/processing", staff)
    later = (booking_day() + timedelta(days=30)).isoformat()
    postpone = {"new_due_on": later, "reason": "additional_verification"}
    post_ok(client, f"/api/v1/dossiers/{code}/postpone", staff, postpone)
    post_ok(client, f"/api/v1/dossiers/{code}/result-ready", staff)
    client.cookies.update(staff_cookie(session, STAFF_TDM))
    _get(client, "/center/")
    _get(client, f"/center/counter/received/{into_center['id']}/receipt.pdf")

    session.expire_all()
    rows = session.scalars(select(AccessLogEntry).where(AccessLogEntry.dossier_id == dossier.id))
    logged = {(row.endpoint, row.data) for row in rows}
    assert logged == {(where, data) for where, data in LOGGED.items() if where not in SHARED}


def test_a_row_says_who_read_from_where(client: TestClient, session: Session) -> None:
    """The row names the account, its role and site, the route and the client address."""
    code = book(client)["tracking_code"]
    before = session.scalar(select(AccessLogEntry.id).order_by(AccessLogEntry.id.desc())) or 0
    _get(client, f"/api/v1/dossiers/{code}", headers=headers_for(session, "dispatch.tdm"))
    row = session.scalars(select(AccessLogEntry).where(AccessLogEntry.id > before)).one()
    user_id = session.scalar(text("SELECT id FROM user_account WHERE username = 'dispatch.tdm'"))
    assert (row.actor_kind, row.actor_id, row.role) == ("user", user_id, "dispatcher")
    assert row.site_id == site_id(session, "BD-PO-TDM-1")
    assert (row.endpoint, row.data, row.client) == (
        "GET /api/v1/dossiers/{code}",
        "dossier",
        "testclient",
    )


def test_a_list_writes_one_row_per_dossier_shown(client: TestClient, session: Session) -> None:
    """Three dossiers on a page: three rows, one per dossier, none for those not shown."""
    codes = [book(client)["tracking_code"] for _ in range(4)]
    before = session.scalar(select(AccessLogEntry.id).order_by(AccessLogEntry.id.desc())) or 0
    admin = headers_for(session, "admin")
    _get(client, "/api/v1/dossiers", headers=admin, params={"limit": 3})
    shown = session.scalars(
        select(Dossier.tracking_code)
        .join(AccessLogEntry, AccessLogEntry.dossier_id == Dossier.id)
        .where(AccessLogEntry.id > before)
    ).all()
    assert sorted(shown) == sorted(codes[1:])


def test_citizens_reading_their_own_data_write_nothing(
    client: TestClient, session: Session
) -> None:
    """The citizen with code and digits, and the account that booked, are not staff: the log
    holds staff reads only (a citizen's own reads are their business, not an audit's)."""
    citizen = headers_for(session, "citizen.an")
    answer = client.post("/api/v1/bookings", json=_body(), headers=citizen)
    code = answer.json()["tracking_code"]
    before = session.scalar(select(AccessLogEntry.id).order_by(AccessLogEntry.id.desc())) or 0
    assert client.post(f"/api/v1/track/{code}", json={"phone": "5678"}).status_code == 200
    _get(client, f"/api/v1/dossiers/{code}", headers=citizen)
    _get(client, "/api/v1/me/dossiers", headers=citizen)
    assert session.scalars(select(AccessLogEntry).where(AccessLogEntry.id > before)).all() == []


def _body() -> dict[str, Any]:
    from tests.builders import booking_body

    return booking_body()


def test_only_admins_read_the_log(client: TestClient, session: Session) -> None:
    """Dispatchers, center staff, couriers and citizens get 403; admins their page."""
    for username in ("dispatch.tdm", STAFF_TDM, "bd-cr-tdm-01", "citizen.an"):
        answer = client.get("/api/v1/access-log", headers=headers_for(session, username))
        assert answer.status_code == 403, username
    assert client.get("/api/v1/access-log").status_code == 401
    assert (
        client.get("/api/v1/access-log", headers=headers_for(session, "admin")).status_code == 200
    )


def test_admins_filter_and_page_the_log(client: TestClient, session: Session) -> None:
    """By dossier and actor, newest first, a page at a time with the cursor given."""
    codes = [book(client)["tracking_code"] for _ in range(2)]
    admin = headers_for(session, "admin")
    dispatcher = headers_for(session, "dispatch.tdm")
    for _ in range(3):
        _get(client, f"/api/v1/dossiers/{codes[0]}", headers=dispatcher)
    _get(client, f"/api/v1/dossiers/{codes[1]}", headers=dispatcher)
    user_id = session.scalar(text("SELECT id FROM user_account WHERE username = 'dispatch.tdm'"))
    query = {"dossier": codes[0], "actor": f"user:{user_id}", "limit": 2}
    first = client.get("/api/v1/access-log", params=query, headers=admin).json()
    assert [i["tracking_code"] for i in first["items"]] == [codes[0]] * 2
    assert first["items"][0]["id"] > first["items"][1]["id"]
    rest = client.get(
        "/api/v1/access-log", params={**query, "cursor": first["next_cursor"]}, headers=admin
    ).json()
    assert (len(rest["items"]), rest["next_cursor"]) == (1, None)
    today = datetime.now(Settings().zone).date()
    past = {"dossier": codes[0], "to": (today - timedelta(days=1)).isoformat()}
    assert client.get("/api/v1/access-log", params=past, headers=admin).json()["items"] == []
    bad = client.get("/api/v1/access-log", params={"actor": "admin"}, headers=admin)
    assert bad.status_code == 422


def test_the_database_refuses_to_change_the_log(client: TestClient, session: Session) -> None:
    """No code path updates or deletes a row, and the database refuses it too."""
    code = book(client)["tracking_code"]
    _get(client, f"/api/v1/dossiers/{code}", headers=headers_for(session, "admin"))
    for statement in ("UPDATE access_log SET role = 'x'", "DELETE FROM access_log"):
        with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
            session.execute(text(statement))


def test_postgresql_refuses_to_truncate_the_log(client: TestClient, session: Session) -> None:
    """TRUNCATE, which fires no row trigger, is refused as custody_anchor's is (SQLite has no
    TRUNCATE: its DELETE without WHERE fires the row trigger above)."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    code = book(client)["tracking_code"]
    _get(client, f"/api/v1/dossiers/{code}", headers=headers_for(session, "admin"))
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(text("TRUNCATE access_log"))
    assert session.scalar(text("SELECT count(*) FROM access_log")) > 0


def test_a_read_only_sqlite_request_writes_its_rows_before_answering(
    committed: sessionmaker[Session], settings: Settings
) -> None:
    """A GET on SQLite reads in a DEFERRED transaction; its rows are written in one of their own
    before the answer (PostgreSQL writes them in the request's transaction)."""
    with committed() as session:  # its transaction would hold SQLite's write lock
        admin = headers_for(session, "admin")
    with TestClient(create_app(settings, committed)) as client, committed() as session:
        code = book(client)["tracking_code"]
        _get(client, f"/api/v1/dossiers/{code}", headers=admin)
        rows = session.scalars(
            select(AccessLogEntry.data)
            .join(Dossier, Dossier.id == AccessLogEntry.dossier_id)
            .where(Dossier.tracking_code == code)
        ).all()
    assert rows == ["dossier"]
