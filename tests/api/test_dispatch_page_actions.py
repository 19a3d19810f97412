"""The dispatcher's forms redirect to the day (POST, redirect, GET), so a reload sends nothing
again; the build's note follows the plan's state; a plan never published can be discarded; the
publish button of an older plan says a newer one exists.
"""

import html
import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from courier.planning.models import Plan, PlanLock, PlanPart, PlanStatus, RouteStop
from courier.settings import Settings
from tests.api.test_dispatch_page_scope import ORIGIN, _pickups, sign_in
from tests.builders import booking_day, courier_id, headers_for
from tests.courier.planning.bookings import book_near_depot


@pytest.fixture
def on(session: Session, settings: Settings) -> date:
    """The next working day, with eight bookings near the Thu Dau Mot depot."""
    settings.plan_part_seconds = 1
    day = booking_day()
    book_near_depot(session, settings, day, 8)
    session.commit()
    return day


def _plans(session: Session) -> list[tuple[int, PlanStatus]]:
    session.expire_all()
    return [(i, s) for i, s in session.execute(select(Plan.id, Plan.status).order_by(Plan.id))]


def _build(client: TestClient, on: date) -> int:
    """Build the day's plan from the page; the plan's id from the redirect."""
    answer = client.post(
        "/dispatch/plans", data={"date": on.isoformat()}, headers=ORIGIN, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    found = re.search(r"plan=(\d+)", answer.headers["location"])
    assert found is not None, answer.headers["location"]
    return int(found.group(1))


def _live(page: str) -> str:
    """The live part of the day page (what the 30-second refresh replaces)."""
    found = re.search(r'<div id="dispatch-day".*', page, re.S)
    assert found is not None
    return found.group()


def test_building_redirects_to_the_day_and_a_reload_builds_nothing(
    client: TestClient, session: Session, on: date
) -> None:
    """The build's POST answers 303 to the day showing the plan; loading that page (again and
    again) builds no second plan."""
    sign_in(client, "dispatch.tdm")
    answer = client.post(
        "/dispatch/plans", data={"date": on.isoformat()}, headers=ORIGIN, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    where = answer.headers["location"]
    assert where.startswith(f"/dispatch/?date={on.isoformat()}&plan=")
    assert "done=asked" in where
    for _ in range(3):
        page = client.get(where)
        assert page.status_code == 200
    assert len(_plans(session)) == 1


def test_the_build_note_follows_the_plans_state(
    client: TestClient, session: Session, on: date
) -> None:
    """Right after the build (done at once here) the note says the plan is built, not being
    built; it sits in the live part and the refresh URL keeps it, so while the plan is building
    it says so and the next refresh says built."""
    sign_in(client, "dispatch.tdm")
    plan_id = _build(client, on)
    where = f"/dispatch/?date={on.isoformat()}&plan={plan_id}&done=asked"
    page = client.get(where)
    live = _live(html.unescape(page.text))
    assert f"Plan {plan_id} is built: review its routes below, then publish it." in live
    assert f"Plan {plan_id} is being built." not in page.text
    refresh = re.search(r'data-refresh="([^"]*)"', page.text)
    assert refresh is not None
    assert "done=asked" in html.unescape(refresh.group(1))
    plan = session.get_one(Plan, plan_id)
    plan.status = PlanStatus.BUILDING
    session.commit()
    assert f"Plan {plan_id} is being built." in _live(client.get(where).text)


@pytest.mark.parametrize("action", ["publish", "locks", "moves", "replan"])
def test_every_plan_form_redirects_to_the_day(
    client: TestClient, session: Session, on: date, action: str
) -> None:
    """Publishing, locking, moving and re-planning answer 303 to the day (never a page at the
    form's URL, where a GET answers 405 and a reload posts again)."""
    sign_in(client, "dispatch.tdm")
    plan_id = _build(client, on)
    job, _code, courier = _pickups(session, plan_id)[0]
    other = next(
        courier_id(session, c)
        for c in ("BD-CR-TDM-03", "BD-CR-TDM-01")
        if courier_id(session, c) != courier
    )
    form = {"date": on.isoformat(), "job_id": str(job), "courier_id": str(other)}
    answer = client.post(
        f"/dispatch/plans/{plan_id}/{action}", data=form, headers=ORIGIN, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"].startswith(f"/dispatch/?date={on.isoformat()}&plan=")
    assert client.get(answer.headers["location"]).status_code == 200


def test_publishing_says_so(client: TestClient, session: Session, on: date) -> None:
    """After publishing, the day confirms it."""
    sign_in(client, "dispatch.tdm")
    plan_id = _build(client, on)
    page = client.post(
        f"/dispatch/plans/{plan_id}/publish", data={"date": on.isoformat()}, headers=ORIGIN
    )
    assert page.status_code == 200
    assert f"Plan {plan_id} is published: its couriers see their routes" in page.text


def test_an_older_plans_publish_button_names_the_newer_one(
    client: TestClient, session: Session, on: date
) -> None:
    """With plans 1 and 2 built, plan 1's button asks to publish it anyway and says plan 2 is
    newer (the question the browser asks too); plan 2's button is the plain one."""
    sign_in(client, "dispatch.tdm")
    first = _build(client, on)
    second = _build(client, on)
    page = html.unescape(client.get(f"/dispatch/?date={on.isoformat()}").text)
    assert f"Publish plan {first} anyway" in page
    assert f"Plan {second} is newer." in page
    assert f"Plan {second} is newer; publish plan {first} anyway?" in page
    assert f"Publish plan {second}</button>" in page
    assert f"Publish plan {second} anyway" not in page


def test_a_built_plan_is_discarded_and_leaves_the_day(
    client: TestClient, session: Session, on: date
) -> None:
    """Discarding a built plan deletes it with its parts, stops and locks; the day says so and
    neither the page nor GET /plans lists it any more."""
    sign_in(client, "dispatch.tdm")
    plan_id = _build(client, on)
    job, _code, courier = _pickups(session, plan_id)[0]
    client.post(
        f"/dispatch/plans/{plan_id}/locks",
        data={"date": on.isoformat(), "job_id": str(job), "courier_id": str(courier)},
        headers=ORIGIN,
    )
    answer = client.post(
        f"/dispatch/plans/{plan_id}/discard",
        data={"date": on.isoformat()},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    page = client.get(answer.headers["location"])
    assert f"Plan {plan_id} was discarded." in page.text
    assert f"?date={on.isoformat()}&amp;plan={plan_id}" not in page.text
    assert _plans(session) == []
    for model in (RouteStop, PlanLock, PlanPart):
        assert session.scalar(select(func.count()).select_from(model)) == 0
    listed = client.get(
        f"/api/v1/plans?date={on.isoformat()}", headers=headers_for(session, "dispatch.tdm")
    )
    assert listed.status_code == 200
    assert listed.json() == []


def test_a_published_plan_is_not_discarded(client: TestClient, session: Session, on: date) -> None:
    """A published plan is kept, and the dispatcher is told why; its page has no discard button."""
    sign_in(client, "dispatch.tdm")
    plan_id = _build(client, on)
    client.post(f"/dispatch/plans/{plan_id}/publish", data={"date": on.isoformat()}, headers=ORIGIN)
    page = client.get(f"/dispatch/?date={on.isoformat()}&plan={plan_id}")
    assert f"/dispatch/plans/{plan_id}/discard" not in page.text
    answer = client.post(
        f"/dispatch/plans/{plan_id}/discard", data={"date": on.isoformat()}, headers=ORIGIN
    )
    assert answer.status_code == 409
    assert f"plan {plan_id} was published: couriers were given its routes" in answer.text
    assert _plans(session) == [(plan_id, PlanStatus.PUBLISHED)]


def test_a_crafted_link_confirms_nothing_that_did_not_happen(
    client: TestClient, session: Session, on: date
) -> None:
    """The banner is written from the redirect's query: a link naming a publication, a discard,
    a lock or a re-plan that the database does not show says nothing (plan built, not published,
    never discarded, without locks, no parent)."""
    sign_in(client, "dispatch.tdm")
    plan_id = _build(client, on)
    day = on.isoformat()
    crafted = {
        "published": f"done=published&id={plan_id}",
        "discarded": f"done=discarded&id={plan_id}",
        "locked": f"plan={plan_id}&done=locked&code=HS000000000VN&courier=BD-CR-TDM-01",
        "moved": f"plan={plan_id}&done=moved&code=HS000000000VN&courier=BD-CR-TDM-01",
        "replanned": f"plan={plan_id}&done=replanned&id={plan_id}&base={plan_id}",
        "moved_replanned": f"done=moved_replanned&id={plan_id}&code=HS1&courier=BD-CR-TDM-01",
    }
    said = (
        "is published",
        "was discarded",
        "stays with courier",
        "goes to courier",
        "is being built",
    )
    for name, query in crafted.items():
        page = html.unescape(client.get(f"/dispatch/?date={day}&{query}").text)
        assert not [s for s in said if s in page], name
