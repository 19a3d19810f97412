"""Publishing a plan: its jobs are assigned to the couriers, an older plan of the same offices is
superseded, and the pairs it could not fit roll over to the next working day with a higher
priority.
"""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from courier import calendar
from courier.actors import Actor
from courier.db import utcnow
from courier.dossiers import service as dossiers
from courier.dossiers.jobs import follow_couriers
from courier.dossiers.models import Job, JobStatus
from courier.dossiers.states import Event
from courier.errors import Conflict
from courier.planning import problem, service
from courier.planning.models import Plan, PlanPart, PlanStatus, RouteStop
from courier.settings import Settings
from courier.text import mark

ONLY_BUILT = mark("Plan %(id)s is %(status)s; only a built plan is published.")


def publish(session: Session, plan_id: int, actor: Actor, settings: Settings) -> Plan:
    """Make a built plan the couriers' routes: assign its jobs, roll the dropped pairs over."""
    # post offices first, then the plan: the order every plan request, re-plan and rebuild takes
    # (the other order deadlocked against a re-plan, whose new plan references this one)
    service.hold_offices(session, service.visible_plan(session, plan_id, actor).depot_ids)
    plan = service.get_plan(session, plan_id, lock=True)
    if plan.status is not PlanStatus.BUILT:
        raise Conflict(ONLY_BUILT, params=service.status_params(plan))
    for older in session.scalars(
        select(Plan).where(
            Plan.service_on == plan.service_on,
            Plan.status == PlanStatus.PUBLISHED,
            Plan.id != plan.id,
        )
    ):
        if _covers(plan.depot_ids, older.depot_ids):
            older.status = PlanStatus.SUPERSEDED
    routed: set[int] = set()
    given: list[Job] = []
    for courier_id, job in session.execute(
        select(RouteStop.courier_id, Job)
        .join(Job, Job.id == RouteStop.job_id)
        .where(RouteStop.plan_id == plan.id)
    ).all():
        if job.status in (JobStatus.PENDING, JobStatus.ASSIGNED):
            job.courier_id, job.status = courier_id, JobStatus.ASSIGNED
            given.append(job)
        routed.add(job.id)
    session.flush()
    follow_couriers(session, given)  # each dossier is now its courier's office's
    _roll_over(session, plan, routed, actor, settings)
    plan.status = PlanStatus.PUBLISHED
    plan.published_at = utcnow()
    plan.published_by_id = actor.id if actor.kind == "user" else None
    session.flush()
    return plan


def _covers(newer: list[int] | None, older: list[int] | None) -> bool:
    """True when the newer plan replaces all of the older one's depots (None: every depot).

    A plan of one post office never retires a plan of several: the other offices' couriers keep
    their routes, and each courier reads the newest published plan that includes them.
    """
    if newer is None:
        return True
    return older is not None and set(older) <= set(newer)


def _roll_over(
    session: Session, plan: Plan, routed: set[int], actor: Actor, settings: Settings
) -> None:
    """Open pairs the plan could not fit are unassigned; those due by the end of the day move
    to the next working day, weighing more."""
    next_day = calendar.next_working_day(plan.service_on)
    day_end = problem.horizon(plan.service_on, settings.zone).moment(problem.DAY_S)
    dropped = [
        problem.job_ids(job_json["id"])
        for part in session.scalars(select(PlanPart).where(PlanPart.plan_id == plan.id))
        for job_json in part.problem["jobs"]
    ]
    dropped = [ids for ids in dropped if not set(ids) & routed]
    by_id = _jobs_by_id(session, [job_id for ids in dropped for job_id in ids])
    for pickup_id, delivery_id in dropped:
        pair = [by_id[pickup_id], by_id[delivery_id]]
        if any(j.status not in (JobStatus.PENDING, JobStatus.ASSIGNED) for j in pair):
            continue
        for job in pair:
            job.status, job.courier_id = JobStatus.PENDING, None
        if all(j.window_end > day_end for j in pair):
            continue  # its windows stay open after this day: nothing to move
        for job in pair:
            job.priority += 1
            _move_window(job, next_day - plan.service_on, day_end)
        dossier = pair[0].dossier
        dossiers.record_event(
            session,
            dossier,
            Event.ROLL_OVER,
            actor,
            from_status=dossier.status,
            due_on=next_day,
        )


def _jobs_by_id(session: Session, ids: list[int]) -> dict[int, Job]:
    """The jobs with their dossiers, read a thousand ids at a time (not one query per job)."""
    found: dict[int, Job] = {}
    for start in range(0, len(ids), 1000):
        query = (
            select(Job)
            .options(joinedload(Job.dossier))
            .where(Job.id.in_(ids[start : start + 1000]))
        )
        found.update((job.id, job) for job in session.scalars(query))
    return found


def _move_window(job: Job, shift: timedelta, day_end: datetime) -> None:
    """A window ending on the plan's day moves by `shift` (to the same hours of the next working
    day); a window spanning later days is still open then, and its end is the citizen's."""
    if job.window_end <= day_end:
        job.window_start += shift
        job.window_end += shift
