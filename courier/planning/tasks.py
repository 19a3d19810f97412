"""The plan build as Celery tasks: prepare the parts, solve them as a group, finish with the last."""

import logging
import time

from celery import group, shared_task

from courier import calendar, runtime
from courier.db import utcnow
from courier.planning import service
from courier.settings import Settings, get_settings

log = logging.getLogger(__name__)


@shared_task(name="planning.build", acks_late=True)
def build(plan_id: int) -> int:
    """Cut the plan into parts and solve them: in-process one by one, or as a group on workers."""
    settings = get_settings()
    part_ids = prepare(plan_id, settings)
    if part_ids is None:
        return 0
    if not part_ids:
        with runtime.unit_of_work() as session:
            service.finish(session, plan_id, settings)
        return 0
    if settings.tasks_in_process:
        for part_id in part_ids:
            if not solve_part(part_id):
                break  # the part failed: the plan says why, the rest waits for a rebuild
    else:  # one message per part: idle workers on any machine take them
        group(solve_part.s(part_id) for part_id in part_ids).apply_async()
    return len(part_ids)


def prepare(plan_id: int, settings: Settings) -> list[int] | None:
    """The parts of the plan still to solve; None when cutting failed (the plan records why)."""
    try:
        with runtime.unit_of_work() as session:
            return service.prepare_parts(session, plan_id, settings)
    except Exception as exc:
        log.exception("plan %s could not be cut into parts", plan_id)
        with runtime.unit_of_work() as session:
            service.fail(session, plan_id, f"{type(exc).__name__}: {exc}")
        return None


@shared_task(name="planning.solve_part", acks_late=True)
def solve_part(part_id: int) -> bool:
    """Solve one part (no transaction open meanwhile); the last part of a plan finishes it.

    A solver error fails the part and its plan with the message; building again retries it.
    """
    with runtime.unit_of_work() as session:
        loaded = service.load_part(session, part_id)
    if loaded is None:
        return False
    started = time.perf_counter()
    try:
        routed = service.solve_frozen(*loaded)
    except Exception as exc:
        log.exception("part %s of a plan could not be solved", part_id)
        with runtime.unit_of_work() as session:
            service.fail_part(session, part_id, f"{type(exc).__name__}: {exc}")
        return False
    with runtime.unit_of_work() as session:
        outcome = service.store_result(session, part_id, routed, time.perf_counter() - started)
    if outcome is not None and outcome.last:
        with runtime.unit_of_work() as session:
            service.finish(session, outcome.plan_id, get_settings())
    return outcome is not None


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
            service.request_plan(
                session, None, service_on=day, depot_codes=[office.code], settings=settings
            ).id
            for office in service.unplanned_offices(session, day)
        ]
    log.info("nightly plans %s requested for %s", plan_ids or "none", day)
    return plan_ids
