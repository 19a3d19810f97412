"""The plan build as Celery tasks: cut the parts, solve each, finish the plan with the last."""

import logging
import time

from celery import shared_task

from courier import calendar, embedded, runtime
from courier.db import DATABASE_UNAVAILABLE, utcnow
from courier.outbox.service import enqueue
from courier.planning import building, requesting
from courier.planning.service import PlanNotFound
from courier.settings import Settings, get_settings

log = logging.getLogger(__name__)


@shared_task(name="planning.build", acks_late=True)
def build(plan_id: int) -> int:
    """Cut the plan into parts, one outbox message each: workers on any machine take them.

    Each part is a task of its own, relayed again if its worker dies, so a plan always ends.
    """
    settings = get_settings()
    try:
        with runtime.unit_of_work() as session:
            part_ids = building.prepare_parts(session, plan_id, settings)
            for part_id in part_ids:
                enqueue(session, SOLVE_PART, part_id=part_id)
            if not part_ids:
                building.finish(session, plan_id, settings)
    except DATABASE_UNAVAILABLE:
        raise  # not the plan's fault: the outbox runs the build again
    except PlanNotFound:
        log.info("plan %s was discarded before it was built", plan_id)
        return 0
    except Exception as exc:
        _fail(plan_id, exc)
        return 0
    return len(part_ids)


def prepare(plan_id: int, settings: Settings) -> list[int] | None:
    """The parts still to solve, cut here (`courier plan build` without workers solves them
    itself); None when cutting failed (the plan records why)."""
    try:
        with runtime.unit_of_work() as session:
            return building.prepare_parts(session, plan_id, settings)
    except DATABASE_UNAVAILABLE:
        raise
    except PlanNotFound:
        return None
    except Exception as exc:
        _fail(plan_id, exc)
        return None


def _fail(plan_id: int, exc: Exception) -> None:
    """Record why the plan could not be cut (nothing to do once it was discarded)."""
    log.exception("plan %s could not be cut into parts", plan_id)
    with runtime.unit_of_work() as session:
        building.fail(session, plan_id, f"{type(exc).__name__}: {exc}")


SOLVE_PART = "planning.solve_part"


@shared_task(name=SOLVE_PART, acks_late=True)
def solve_part(part_id: int) -> bool:
    """Solve one part (no transaction open meanwhile); the plan is finished once all are solved.

    A solver error fails the part and its plan with the message; building again retries it.
    Run twice, the second run finds the part solved and only makes sure the plan is finished.
    """
    settings = get_settings()
    with runtime.unit_of_work() as session:
        loaded = building.load_part(session, part_id)
    stored = False
    if loaded is not None:
        started = time.perf_counter()
        try:
            routed = embedded.run_solver(building.solve_frozen, *loaded)
        except embedded.SolverInterrupted:
            raise  # not the part's fault: the outbox runs it again
        except Exception as exc:
            log.exception("part %s of a plan could not be solved", part_id)
            with runtime.unit_of_work() as session:
                building.fail_part(session, part_id, f"{type(exc).__name__}: {exc}")
            return False
        with runtime.unit_of_work() as session:
            stored = building.store_result(session, part_id, routed, time.perf_counter() - started)
    with runtime.unit_of_work() as session:
        building.finish_part_plan(session, part_id, settings)
    return stored


@shared_task(name="planning.nightly", acks_late=True)
def nightly() -> list[int]:
    """Plan the next working day, one plan per post office not planned yet (Celery beat).

    One plan per office, so each office's dispatcher can read, adjust and publish their own.
    """
    settings = get_settings()
    today = calendar.local_today(utcnow(), settings.zone)
    day = calendar.next_working_day(today)
    with runtime.unit_of_work() as session:
        plan_ids = [
            requesting.request_plan(
                session, None, service_on=day, depot_codes=[office.code], settings=settings
            ).id
            for office in requesting.unplanned_offices(session, day)
        ]
    log.info("nightly plans %s requested for %s", plan_ids or "none", day)
    return plan_ids
