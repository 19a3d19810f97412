"""SIGKILL of a Celery worker in the middle of a task: the work completes once, on another worker.

Two workers (prefork, one child each) on a redis-server of the test's own; the victim's whole
process group is killed while it runs a plan part or draws a receipt. Its message stays
unacknowledged in Redis (redelivered only after the visibility timeout, over an hour), so it is the
outbox that sends it again once its lease has run out; the test relays every second as beat does.
"""

import hashlib
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from api.main import create_app
from courier.planning import requesting
from courier.planning.models import PartStatus, Plan, PlanPart, PlanStatus, RouteStop
from courier.planning.tasks import SOLVE_PART
from courier.proofs.models import Receipt
from courier.proofs.storage import storage_for
from courier.runtime import unit_of_work
from courier.settings import Settings
from tests.builders import book, booking_day, pick_up
from tests.courier.planning.bookings import DEPOT, book_near_depot
from tests.faults.scene import Timeline, all_done, outbox_summary, unsettled, wait_until
from tests.faults.workers import Run, Stage, Worker, all_runs, effective_runs, stage, wait_running

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.parametrize("committed", ["postgresql"], indirect=True),
]
RENDER = "proofs.render_receipt"


def _kill_when_running(
    running_on: Stage, task: str, timeline: Timeline, *, after_s: float
) -> tuple[Worker, Run]:
    """SIGKILL the first worker seen running `task`, `after_s` into its run."""
    victim, run = wait_running(running_on.workers, task, timeout_s=90)
    time.sleep(after_s)
    victim.kill()
    timeline.note(
        f"SIGKILLed worker {victim.name} (process group {victim.process.pid}) "
        f"{after_s} s into {task} {run.kwargs}"
    )
    return victim, run


def _taken_over_once(pool: list[Worker], killed: Run, timeline: Timeline) -> None:
    """Print every run; the killed message had its effect once, on another worker, and so did
    every message of its task."""
    runs = all_runs(pool)
    for run in runs:
        end = "killed" if run.ended_at is None else f"ended {run.ended_at - timeline.start:.1f} s"
        timeline.note(
            f"worker {run.worker}: {run.task} {run.kwargs} (message {run.message_id}), {end}, "
            f"returned {run.retval}",
            at=run.started_at,
        )
    once = effective_runs(runs, killed.task)
    timeline.note(f"runs with an effect per {killed.task} message: {once}")
    redone = [r.worker for r in runs if r.message_id == killed.message_id and r.retval is True]
    assert redone == [w.name for w in pool if w.name != killed.worker], "not redone elsewhere"
    assert set(once.values()) == {1}, f"a {killed.task} message had its effect twice, or never"


def _plan_ended(factory: sessionmaker[Session], plan_id: int) -> bool:
    with factory() as session:
        return session.get_one(Plan, plan_id).status not in (PlanStatus.QUEUED, PlanStatus.BUILDING)


@pytest.mark.timeout(240)
def test_a_plan_is_built_once_when_a_worker_dies_solving_a_part(
    committed: sessionmaker[Session], tmp_path: Path
) -> None:
    """The killed worker's part is sent again when its lease ends and solved by the other
    worker; the plan ends built, every part solved and stored once, no job routed twice."""
    timeline = Timeline("SIGKILL of a worker solving a plan part")
    day = booking_day()
    with unit_of_work(committed) as session:
        book_near_depot(session, Settings(), day, 24)
    with stage(committed, tmp_path, timeline) as running_on:
        with unit_of_work(committed) as session:
            settings = running_on.scenario.settings()
            plan_id = requesting.request_plan(
                session, None, service_on=day, depot_codes=[DEPOT], settings=settings
            ).id
        timeline.note(f"plan {plan_id} requested: 24 bookings, parts of 5 jobs, 3 s each")
        _, killed = _kill_when_running(running_on, SOLVE_PART, timeline, after_s=1)
        with committed() as session:
            part_at_kill = session.get_one(PlanPart, killed.kwargs["part_id"]).status
        ended = wait_until(lambda: _plan_ended(committed, plan_id), timeout_s=150)
        timeline.note(f"plan ended: {ended}")
    with committed() as session:
        plan = session.get_one(Plan, plan_id)
        parts = session.scalars(select(PlanPart).where(PlanPart.plan_id == plan_id)).all()
        stops = session.scalar(select(func.count()).where(RouteStop.plan_id == plan_id))
        jobs = session.scalar(
            select(func.count(func.distinct(RouteStop.job_id))).where(RouteStop.plan_id == plan_id)
        )
    timeline.note(
        f"plan {plan.status}: {plan.parts_done}/{plan.parts_total} parts, {stops} stops for "
        f"{jobs} jobs (served {plan.stops_served}); {outbox_summary(committed)}"
    )
    assert part_at_kill is PartStatus.PENDING, "the kill landed after the part was stored"
    assert plan.status is PlanStatus.BUILT, plan.error
    assert len(parts) == plan.parts_done == plan.parts_total >= 3
    assert all(p.status is PartStatus.DONE for p in parts)
    assert stops == jobs == plan.stops_served > 0, "a job routed twice, or a part stored twice"
    _taken_over_once(running_on.workers, killed, timeline)
    assert unsettled(committed) == []


@pytest.mark.timeout(240)
def test_each_receipt_is_rendered_once_when_a_worker_dies_rendering(
    committed: sessionmaker[Session], tmp_path: Path
) -> None:
    """Handovers go on while the worker drawing a receipt is killed: every handover ends with
    one receipt whose stored files match its digests, and every outbox message is done."""
    timeline = Timeline("SIGKILL of a worker drawing a receipt")
    slow = {"COURIER_FAULT_RENDER_DELAY_S": "3"}  # drawn, then 3 s before it is stored
    with (
        stage(committed, tmp_path, timeline, env=slow) as running_on,
        TestClient(create_app(running_on.scenario.settings(), committed)) as client,
        committed() as session,
    ):
        pick_up(client, session, book(client)["tracking_code"])
        _, killed = _kill_when_running(running_on, RENDER, timeline, after_s=0.5)
        for _ in range(3):
            pick_up(client, session, book(client)["tracking_code"])
        timeline.note("3 more bookings picked up, 4 handovers in all")
        done = wait_until(all_done(committed), timeout_s=150)
        timeline.note(f"every outbox message done: {done}")
    storage = storage_for(Settings())
    with committed() as session:
        receipts = session.scalars(select(Receipt).order_by(Receipt.handover_id)).all()
        stored = [
            hashlib.sha256(storage.get(r.png_key)).hexdigest() == r.png_sha256
            and hashlib.sha256(storage.get(r.pdf_key)).hexdigest() == r.pdf_sha256
            for r in receipts
        ]
    timeline.note(
        f"{len(receipts)} receipts for handovers {[r.handover_id for r in receipts]}, files "
        f"match: {stored}; {outbox_summary(committed)}"
    )
    assert len(receipts) == 4
    assert all(stored), "a receipt's files differ from its digests"
    _taken_over_once(running_on.workers, killed, timeline)
    assert unsettled(committed) == []
