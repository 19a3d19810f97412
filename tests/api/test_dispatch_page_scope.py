"""The dispatcher screen's map, locks, moves and re-plans stay within the dispatcher's post office.

Thu Dau Mot's plan (built from demo-like bookings near its depot) is neither shown nor changed by
Di An's dispatcher through /dispatch/; Thu Dau Mot's dispatcher cannot move one of its dossiers to
a Di An courier nor lock a Di An dossier; forms from another site are refused. What each refusal
leaves behind is checked in the database: no lock, no new plan.
"""

import html
import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from courier.dossiers.models import Dossier, Job, JobKind
from courier.planning.models import Plan, PlanLock, RouteStop
from courier.settings import Settings
from tests.builders import book, booking_day, courier_id, find_job, headers_for
from tests.courier.planning.bookings import book_near_depot

PASSWORD = "demo-dispatch-2026"
ORIGIN = {"Origin": "http://testserver"}
NEAR_DA = {"lat": 10.911, "lon": 106.772, "address_text": "5 Nguyễn An Ninh, phường Dĩ An"}


@dataclass
class Built:
    """Thu Dau Mot's built plan of the next working day: its id, one routed stop, and the day."""

    plan_id: int
    on: date
    job_id: int
    tracking_code: str
    courier_id: int


@pytest.fixture
def built(client: TestClient, session: Session, settings: Settings) -> Built:
    """Eight bookings near the Thu Dau Mot depot, planned by its dispatcher (not yet published)."""
    settings.plan_part_seconds = 1
    on = booking_day()
    book_near_depot(session, settings, on, 8)
    session.commit()
    asked = client.post(
        "/api/v1/plans",
        json={"service_on": on.isoformat()},
        headers=headers_for(session, "dispatch.tdm"),
    )
    assert asked.status_code == 202, asked.text
    plan_id = asked.json()["id"]
    job_id, code, courier = _pickups(session, plan_id)[0]
    return Built(plan_id, on, job_id, code, courier)


def _pickups(session: Session, plan_id: int) -> list[tuple[int, str, int]]:
    """The plan's pickup stops: (job id, tracking code, courier id), in stop order."""
    rows = session.execute(
        select(Job.id, Dossier.tracking_code, RouteStop.courier_id)
        .join(RouteStop, RouteStop.job_id == Job.id)
        .join(Dossier, Dossier.id == Job.dossier_id)
        .where(RouteStop.plan_id == plan_id, Job.kind == JobKind.PICKUP)
        .order_by(RouteStop.id)
    ).all()
    assert len(rows) >= 2, rows
    return [(job, code, courier) for job, code, courier in rows]


def sign_in(client: TestClient, username: str) -> None:
    """The dispatcher's staff cookie, through the sign-in form; pages in English."""
    client.cookies.set("lang", "en")
    answer = client.post(
        "/dispatch/login", data={"username": username, "password": PASSWORD}, headers=ORIGIN
    )
    assert answer.status_code == 200, answer.text


def _map_data(page: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="plan-map-data">(.*?)</script>', page)
    assert found is not None, "no map data in the page"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def _post(
    client: TestClient,
    built: Built,
    action: str,
    job: int,
    courier: int,
    origin: dict[str, str] = ORIGIN,
    **extra: str,
) -> Any:
    """Send one of the plan's forms (locks, moves, replan) as the page does."""
    form = {"date": built.on.isoformat(), "job_id": str(job), "courier_id": str(courier), **extra}
    return client.post(f"/dispatch/plans/{built.plan_id}/{action}", data=form, headers=origin)


def _counts(session: Session) -> tuple[int, int]:
    session.expire_all()
    return (
        session.scalar(select(func.count()).select_from(PlanLock)) or 0,
        session.scalar(select(func.count()).select_from(Plan)) or 0,
    )


def test_the_own_office_sees_its_plan_on_the_map(client: TestClient, built: Built) -> None:
    """Thu Dau Mot's dispatcher gets the map data of the plan: every routed stop, once."""
    sign_in(client, "dispatch.tdm")
    page = client.get(f"/dispatch/?date={built.on.isoformat()}&plan={built.plan_id}")
    assert page.status_code == 200
    data = _map_data(page.text)
    codes = [s["title"] for r in data["routes"] for s in r["stops"]]
    assert any(built.tracking_code in title for title in codes)
    assert len(data["offices"]) == 1


def test_another_office_never_sees_the_plan_nor_its_map(
    client: TestClient, session: Session, built: Built
) -> None:
    """Di An's dispatcher asking for Thu Dau Mot's plan gets their own (empty) day: no code, no
    map data, no form aimed at that plan."""
    sign_in(client, "dispatch.da")
    page = client.get(f"/dispatch/?date={built.on.isoformat()}&plan={built.plan_id}")
    assert page.status_code == 200
    assert built.tracking_code not in page.text
    assert "plan-map-data" not in page.text
    assert f"/dispatch/plans/{built.plan_id}/" not in page.text


@pytest.mark.parametrize("action", ["locks", "moves", "replan", "discard"])
def test_another_office_cannot_lock_move_re_plan_or_discard(
    client: TestClient, session: Session, built: Built, action: str
) -> None:
    """Di An's dispatcher posting to Thu Dau Mot's plan is refused, and nothing changes."""
    before = _counts(session)
    sign_in(client, "dispatch.da")
    da = courier_id(session, "BD-CR-DA-01")
    answer = _post(client, built, action, built.job_id, da, replan="true")
    assert answer.status_code == 409
    assert "That could not be done" in answer.text
    assert built.tracking_code not in answer.text
    assert _counts(session) == before


def test_a_dossier_cannot_be_moved_to_another_offices_courier(
    client: TestClient, session: Session, built: Built
) -> None:
    """Thu Dau Mot's dispatcher moving a dossier to a Di An courier is told why, in English."""
    before = _counts(session)
    sign_in(client, "dispatch.tdm")
    answer = _post(client, built, "moves", built.job_id, courier_id(session, "BD-CR-DA-01"))
    assert answer.status_code == 409
    assert "that courier does not work at this plan's post office" in html.unescape(answer.text)
    assert _counts(session) == before


def test_another_offices_dossier_cannot_be_locked_and_is_named_in_vietnamese(
    client: TestClient, session: Session, built: Built
) -> None:
    """A Di An dossier is as unknown to Thu Dau Mot's dispatcher as a missing one (said in vi)."""
    code = book(client, **NEAR_DA)["tracking_code"]
    job = find_job(client, headers_for(session, "admin"), code, "inbound", "pickup")
    before = _counts(session)
    sign_in(client, "dispatch.tdm")
    client.cookies.set("lang", "vi")
    answer = _post(client, built, "locks", job, built.courier_id)
    assert answer.status_code == 409
    assert "không thuộc bưu cục của bạn" in answer.text
    assert code not in answer.text
    assert _counts(session) == before


@pytest.mark.parametrize("action", ["locks", "discard"])
def test_forms_from_another_site_are_refused(
    client: TestClient, session: Session, built: Built, action: str
) -> None:
    """A lock or a discard posted from a foreign origin changes nothing."""
    before = _counts(session)
    sign_in(client, "dispatch.tdm")
    evil = {"Origin": "https://evil.example"}
    answer = _post(client, built, action, built.job_id, built.courier_id, evil)
    assert answer.status_code == 403
    assert _counts(session) == before


def test_a_lock_and_a_move_show_on_the_page_and_the_re_plan_keeps_them(
    client: TestClient, session: Session, built: Built
) -> None:
    """Locking a stop says so; moving another to a second courier with a re-plan builds a new
    plan where the moved dossier is on that courier, in its table and on its map."""
    sign_in(client, "dispatch.tdm")
    day = built.on.isoformat()
    locked = _post(client, built, "locks", built.job_id, built.courier_id)
    assert locked.status_code == 200, locked.text
    assert f"Dossier {built.tracking_code} stays with courier" in locked.text
    assert "Locked to this courier" in locked.text
    job, code, current = _pickups(session, built.plan_id)[1]
    target = next(
        courier_id(session, c)
        for c in ("BD-CR-TDM-03", "BD-CR-TDM-01")  # early shifts, like the citizens' slots
        if courier_id(session, c) != current
    )
    moved = _post(client, built, "moves", job, target, replan="1")
    assert moved.status_code == 200, moved.text
    found = re.search(r"plan (\d+) is being built with it", moved.text)
    assert found is not None, moved.text
    page = client.get(f"/dispatch/?date={day}&plan={found.group(1)}")
    routes = _map_data(page.text)["routes"]
    on_target = next(r for r in routes if r["courier"] == target)
    assert any(code in s["title"] for s in on_target["stops"])


def test_a_dossier_booked_after_the_plan_can_be_moved_onto_a_courier(
    client: TestClient, session: Session, built: Built
) -> None:
    """A booking made after the plan is listed as not routed; moving it (without re-planning)
    records the move, says it applies at the re-plan, and the row shows where it goes."""
    code = book(client)["tracking_code"]
    job = find_job(client, headers_for(session, "admin"), code, "inbound", "pickup")
    sign_in(client, "dispatch.tdm")
    target = courier_id(session, "BD-CR-TDM-03")
    moved = _post(client, built, "moves", job, target)
    assert moved.status_code == 200, moved.text
    text = html.unescape(moved.text)
    assert f"Dossier {code} goes to courier BD-CR-TDM-03 at the next re-plan" in text
    unrouted = moved.text[moved.text.index('id="h-unrouted"') :]
    row = re.search(rf"<tr>\s*<td class=\"code-cell\"[^>]*>{code}</td>.*?</tr>", unrouted, re.S)
    assert row is not None, "the dossier is not in the unrouted table"
    assert "Moves to BD-CR-TDM-03 at the re-plan" in row.group()
    session.expire_all()
    lock = session.scalar(select(PlanLock).where(PlanLock.pickup_job_id == job))
    assert lock is not None
    assert (lock.plan_id, lock.courier_id, lock.position) == (built.plan_id, target, None)
