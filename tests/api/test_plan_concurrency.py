"""One plan per post office and day: two requests or two publications at the same instant
(committed databases, PostgreSQL and SQLite)."""

import threading
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.main import create_app
from courier.actors import SYSTEM
from courier.dossiers.models import Job, JobKind
from courier.fleet.models import Courier
from courier.planning import changes, discarding, publishing, requesting, service
from courier.planning.models import Plan, PlanStatus
from courier.settings import Settings
from tests.builders import booking_day, headers_for, site_id
from tests.courier.planning.bookings import DEPOT, book_near_depot
from tests.race import race


@pytest.fixture
def client(committed: sessionmaker[Session]) -> Any:
    """An app on the committed database."""
    settings = Settings(environment="test", track_rate_limit="1000/minute")
    with TestClient(create_app(settings, committed)) as c:
        yield c


def _plans(factory: sessionmaker[Session]) -> list[Plan]:
    with factory() as session:
        return list(session.scalars(select(Plan).order_by(Plan.id)))


def test_two_plan_requests_at_once_build_one_plan(
    client: TestClient, committed: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One answer is the new plan (202), the other the same plan (200, `existing`); one is stored."""
    monkeypatch.setattr("courier.outbox.service.enqueue", lambda *args, **kwargs: None)
    with committed() as session:  # closed before the race: SQLite writers wait on readers
        dispatcher = headers_for(session, "dispatch.tdm")
    body = {"service_on": booking_day().isoformat(), "depots": [DEPOT]}
    answers = race(*[lambda: client.post("/api/v1/plans", json=body, headers=dispatcher)] * 2)
    by_status = {a.status_code: a.json() for a in answers}
    assert sorted(by_status) == [200, 202], [a.text for a in answers]
    assert by_status[200]["id"] == by_status[202]["id"]
    assert (by_status[200]["existing"], by_status[202]["existing"]) == (True, False)
    assert [p.id for p in _plans(committed)] == [by_status[202]["id"]]


def test_two_publications_at_once_leave_one_plan_published(
    client: TestClient, committed: sessionmaker[Session]
) -> None:
    """Two built plans of one office and day published together: both answer 200, the later one
    supersedes the other, so exactly one is published."""
    with committed() as session, session.begin():
        dispatcher = headers_for(session, "dispatch.tdm")
        built = [
            Plan(
                service_on=booking_day(),
                depot_ids=[site_id(session, DEPOT)],
                status=PlanStatus.BUILT,
                time_limit_s=1,
            )
            for _ in range(2)
        ]
        session.add_all(built)
    urls = [f"/api/v1/plans/{plan.id}/publish" for plan in built]
    answers = race(*[lambda url=url: client.post(url, headers=dispatcher) for url in urls])
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    statuses = sorted(p.status.value for p in _plans(committed))
    assert statuses == ["published", "superseded"]


def test_a_publication_and_a_replan_of_one_plan_at_once_do_not_deadlock(
    committed: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Publishing a plan while it is re-planned: both take the post offices before the plan
    (the other order deadlocked on PostgreSQL: the re-plan's new plan references this one)."""
    settings = Settings(environment="test")
    with committed() as session, session.begin():
        plan = Plan(
            service_on=booking_day(),
            depot_ids=[site_id(session, DEPOT)],
            status=PlanStatus.BUILT,
            time_limit_s=1,
        )
        session.add(plan)
    hold = service.hold_offices

    def slow_publisher(session: Session, depot_ids: list[int] | None) -> None:
        if threading.current_thread().name == "publish":
            time.sleep(1.0)  # the re-plan comes in meanwhile
        hold(session, depot_ids)

    monkeypatch.setattr(service, "hold_offices", slow_publisher)
    monkeypatch.setattr("courier.outbox.service.enqueue", lambda *args, **kwargs: None)
    outcome: dict[str, str] = {}

    def run(name: str, delay_s: float) -> None:
        time.sleep(delay_s)
        try:
            with committed() as session, session.begin():
                if name == "publish":
                    publishing.publish(session, plan.id, SYSTEM, settings)
                else:
                    changes.replan(session, plan.id, SYSTEM, at=None, settings=settings)
            outcome[name] = "ok"
        except Exception as exc:
            outcome[name] = f"{type(exc).__name__}: {exc}"

    threads = [
        threading.Thread(target=run, args=("publish", 0.0), name="publish"),
        threading.Thread(target=run, args=("replan", 0.3), name="replan"),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcome == {"publish": "ok", "replan": "ok"}, outcome


@pytest.mark.parametrize("change", ["lock", "replan", "rebuild"])
def test_a_change_racing_a_discard_finds_no_plan(
    committed: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    """A lock, a re-plan or a rebuild of a plan a discard is deleting: the change waits for the
    post offices and the plan, as publish and discard take them, and then finds no plan
    (`PlanNotFound`, a 404), instead of inserting a row that references the deleted plan (an
    IntegrityError, a 500 on PostgreSQL)."""
    settings = Settings(environment="test")
    with committed() as session, session.begin():
        book_near_depot(session, settings, booking_day(), 1)
        office = site_id(session, DEPOT)
        plan = Plan(
            service_on=booking_day(),
            depot_ids=[office],
            status=PlanStatus.FAILED if change == "rebuild" else PlanStatus.BUILT,
            time_limit_s=1,
        )
        session.add(plan)
        pickup = session.scalars(select(Job.id).where(Job.kind == JobKind.PICKUP)).first()
        courier = session.scalar(select(Courier.id).where(Courier.home_post_office_id == office))
    assert pickup is not None
    assert courier is not None
    monkeypatch.setattr("courier.outbox.service.enqueue", lambda *args, **kwargs: None)
    outcome: dict[str, str] = {}

    def run(name: str, delay_s: float) -> None:
        time.sleep(delay_s)
        try:
            with committed() as session, session.begin():
                if name == "discard":
                    discarding.discard(session, plan.id, SYSTEM)
                    time.sleep(1.0)  # the change comes in before the discard commits
                elif change == "lock":
                    changes.lock(
                        session, plan.id, SYSTEM, job_id=pickup, courier_id=courier, position=None
                    )
                elif change == "replan":
                    changes.replan(session, plan.id, SYSTEM, at=None, settings=settings)
                else:
                    requesting.rebuild(session, plan.id, SYSTEM)
            outcome[name] = "ok"
        except Exception as exc:
            outcome[name] = type(exc).__name__

    threads = [
        threading.Thread(target=run, args=("discard", 0.0)),
        threading.Thread(target=run, args=(change, 0.4)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcome == {"discard": "ok", change: "PlanNotFound"}, outcome
