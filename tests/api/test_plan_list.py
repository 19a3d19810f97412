"""The day's plans: who lists and reads which (a matrix over every kind of caller), the filters,
and the plan built overnight found by its office's dispatcher."""

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from courier import calendar
from courier.accounts import service as accounts
from courier.accounts.models import User
from courier.planning.models import Plan, PlanStatus
from courier.settings import Settings
from tests.builders import booking_day, headers_for, site_id

TDM, DA = "BD-PO-TDM-1", "BD-PO-DA-1"
# caller -> the plans (by name) listed to them; None: refused (401 anonymous, else 403)
SEES: dict[str, list[str] | None] = {
    "anonymous": None,
    "citizen": None,
    "enterprise": None,
    "courier": None,
    "center_staff": None,
    "api_key_site": None,
    "dispatcher": ["tdm"],
    "dispatcher_other_office": ["da"],
    "admin": ["tdm", "both", "da", "all"],
}


def _plan(session: Session, day: date, depots: list[str] | None, **extra: Any) -> Plan:
    ids = None if depots is None else [site_id(session, code) for code in depots]
    plan = Plan(service_on=day, depot_ids=ids, status=PlanStatus.BUILT, time_limit_s=1, **extra)
    session.add(plan)
    session.flush()
    return plan


@pytest.fixture
def plans(session: Session) -> dict[str, Plan]:
    """Built plans of the next working day: Thu Dau Mot's (asked by its dispatcher, published),
    Thu Dau Mot and Di An's, Di An's, all offices'; and one of Thu Dau Mot the day after."""
    day = booking_day()
    dispatcher = session.scalars(select(User).where(User.username == "dispatch.tdm")).one()
    found = {
        "tdm": _plan(session, day, [TDM], created_by_id=dispatcher.id),
        "both": _plan(session, day, [TDM, DA]),
        "da": _plan(session, day, [DA]),
        "all": _plan(session, day, None),
        "later": _plan(session, calendar.next_working_day(day), [TDM]),
    }
    found["tdm"].status = PlanStatus.PUBLISHED
    session.commit()
    return found


def _headers(session: Session, who: str) -> dict[str, str]:
    if who == "anonymous":
        return {}
    if who == "api_key_site":
        _, key = accounts.create_api_key(session, name="TDM", site_id=site_id(session, "BD-TDM"))
        session.commit()
        return {"X-API-Key": key}
    usernames = {
        "citizen": "citizen.an",
        "enterprise": "enterprise.minhphat",
        "courier": "bd-cr-tdm-01",
        "center_staff": "center.tdm",
        "dispatcher": "dispatch.tdm",
        "dispatcher_other_office": "dispatch.da",
        "admin": "admin",
    }
    return headers_for(session, usernames[who])


def _refused(who: str) -> int:
    return 401 if who == "anonymous" else 403


@pytest.mark.parametrize("who", list(SEES))
def test_each_caller_lists_only_the_plans_of_their_office(
    client: TestClient, session: Session, plans: dict[str, Plan], who: str
) -> None:
    """A dispatcher lists the plans of exactly their post office, admins all; others refused."""
    response = client.get(
        "/api/v1/plans",
        params={"date": booking_day().isoformat()},
        headers=_headers(session, who),
    )
    expected = SEES[who]
    if expected is None:
        assert response.status_code == _refused(who), response.text
        return
    assert response.status_code == 200, response.text
    assert [p["id"] for p in response.json()] == [plans[name].id for name in expected]


@pytest.mark.parametrize("who", list(SEES))
@pytest.mark.parametrize("path", ["", "/progress"])
def test_each_caller_reads_only_the_plans_they_list(
    client: TestClient, session: Session, plans: dict[str, Plan], who: str, path: str
) -> None:
    """The plan and its progress answer exactly the callers who list it."""
    headers = _headers(session, who)
    for name in ("tdm", "both", "da", "all"):
        response = client.get(f"/api/v1/plans/{plans[name].id}{path}", headers=headers)
        allowed = name in (SEES[who] or [])
        assert response.status_code == (200 if allowed else _refused(who)), (name, response.text)


def test_a_listed_plan_says_what_it_is_and_who_asked_for_it(
    client: TestClient, session: Session, plans: dict[str, Plan], settings: Settings
) -> None:
    """Offices by code, status, published, requester (none for the nightly task), counts."""
    listed = client.get(
        "/api/v1/plans",
        params={"date": booking_day().isoformat()},
        headers=headers_for(session, "admin"),
    ).json()
    by_id = {p["id"]: p for p in listed}
    own, both, every = (by_id[plans[name].id] for name in ("tdm", "both", "all"))
    assert (own["depots"], own["status"], own["published"]) == ([TDM], "published", True)
    assert own["requested_by"] == "dispatch.tdm"
    assert (both["depots"], both["published"], both["requested_by"]) == ([TDM, DA], False, None)
    assert every["depots"] is None
    assert own["created_at"].endswith("+07:00")
    assert {"parts_done", "parts_total", "stops_served", "stops_dropped"} <= set(own)


def test_the_depot_filter_keeps_the_plans_planning_that_office(
    client: TestClient, session: Session, plans: dict[str, Plan]
) -> None:
    """`depot=BD-PO-DA-1`: Di An's, the two offices', all offices'; an unknown code is a 422."""
    admin = headers_for(session, "admin")
    day = booking_day().isoformat()
    response = client.get("/api/v1/plans", params={"date": day, "depot": DA}, headers=admin)
    assert [p["id"] for p in response.json()] == [plans[n].id for n in ("both", "da", "all")]
    unknown = client.get("/api/v1/plans", params={"date": day, "depot": "BD-X"}, headers=admin)
    assert unknown.status_code == 422, unknown.text


def test_the_plan_built_overnight_is_found_by_its_offices_dispatcher(
    client: TestClient, session: Session, settings: Settings
) -> None:
    """Beat's nightly task plans the next working day, one plan per office: Thu Dau Mot's
    dispatcher lists theirs for that date (requested by no one: the nightly task)."""
    from courier.planning.tasks import nightly

    settings.plan_part_seconds = 1
    plan_ids = nightly()
    session.expire_all()
    tdm = site_id(session, TDM)
    own = next(
        session.get_one(Plan, i) for i in plan_ids if session.get_one(Plan, i).depot_ids == [tdm]
    )
    listed = client.get(
        "/api/v1/plans",
        params={"date": own.service_on.isoformat()},
        headers=headers_for(session, "dispatch.tdm"),
    ).json()
    assert [(p["id"], p["depots"], p["requested_by"]) for p in listed] == [(own.id, [TDM], None)]
