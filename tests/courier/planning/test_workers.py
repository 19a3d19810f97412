"""The plan build through the Redis broker: a real worker process solves the parts as a group."""

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from courier.db import make_engine, make_session_factory
from courier.demo.load import load_demo
from courier.planning import requesting
from courier.planning.models import PartStatus, Plan, PlanPart, PlanStatus, RouteStop
from courier.runtime import unit_of_work
from courier.settings import Settings
from courier.worker import make_celery, use_sender
from tests import services
from tests.builders import booking_day
from tests.conftest import migrate
from tests.courier.planning.bookings import DEPOT, book_near_depot

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def committed_db(tmp_path: Path) -> str:
    """A migrated SQLite file with the demo province and sixteen bookings near the depot."""
    url = f"sqlite:///{tmp_path / 'plans.sqlite3'}"
    migrate(url)
    factory = make_session_factory(make_engine(url))
    with unit_of_work(factory) as session:
        load_demo(session)
        book_near_depot(session, Settings(), booking_day(), 16)
    return url


@pytest.fixture
def worker(committed_db: str, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`celery worker` with two processes on the Redis broker; parts of five jobs, 1 s each."""
    parts = {"COURIER_PLAN_PART_SECONDS": "1", "COURIER_PLAN_PART_MAX_JOBS": "5"}
    pool = ["--pool=prefork", "--concurrency=2"]
    with services.celery_worker(committed_db, tmp_path / "worker.log", pool=pool, env=parts) as w:
        yield w


def test_workers_solve_the_parts_as_a_group_and_finish_the_plan(
    committed_db: str, worker: subprocess.Popen[bytes]
) -> None:
    """POST-like request → outbox → Redis → build task → one message per part → built plan."""
    settings = Settings(broker_url=services.REDIS_URL, plan_part_seconds=1, plan_part_max_jobs=5)
    factory = make_session_factory(make_engine(committed_db))
    use_sender(make_celery(settings))
    try:
        with unit_of_work(factory) as session:
            plan_id = requesting.request_plan(
                session, None, service_on=booking_day(), depot_codes=[DEPOT], settings=settings
            ).id
        deadline = time.monotonic() + 120
        status = PlanStatus.QUEUED
        while status in (PlanStatus.QUEUED, PlanStatus.BUILDING) and time.monotonic() < deadline:
            assert worker.poll() is None, "the worker process died"
            time.sleep(0.5)
            with factory() as session:
                status = session.get_one(Plan, plan_id).status
    finally:
        use_sender(None)
    with factory() as session:
        plan = session.get_one(Plan, plan_id)
        assert plan.status is PlanStatus.BUILT, plan.error
        parts = session.scalars(select(PlanPart).where(PlanPart.plan_id == plan_id)).all()
        assert len(parts) == plan.parts_done == plan.parts_total >= 2
        assert all(p.status is PartStatus.DONE and p.solved_at is not None for p in parts)
        stops = session.scalar(select(func.count()).where(RouteStop.plan_id == plan_id))
        assert stops == plan.stops_served > 0
