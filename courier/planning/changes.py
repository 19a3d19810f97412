"""A dispatcher's changes to a built plan: lock a job on a courier (at a position), and re-plan
the day from the plan with its locks.
"""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from courier import access
from courier.actors import Actor
from courier.dossiers.jobs import pair_of
from courier.dossiers.models import Job, JobKind, JobStatus
from courier.errors import Conflict, FieldProblem, InvalidInput
from courier.planning import service
from courier.planning.models import Plan, PlanLock, PlanStatus, RouteStop
from courier.settings import Settings
from courier.text import mark

AFTER_THE_DAY = mark("please choose a moment on or before the plan's day, %(day)s")
LOCK_BUILT = mark("Plan %(id)s is %(status)s; stops are locked on a built plan only.")
REPLAN_BUILT = mark("Plan %(id)s is %(status)s; only a built plan is re-planned.")
NO_OPEN_JOB = mark("no open job has this id")
NOT_THE_PLANS_COURIER = mark("this courier does not work at the plan's post offices")
PAST_THE_ROUTE = mark(
    "the courier's route has %(stops)s other stops: choose a position from 0 to %(stops)s"
)


def lock(
    session: Session,
    plan_id: int,
    actor: Actor,
    *,
    job_id: int,
    courier_id: int,
    position: int | None,
) -> PlanLock:
    """Keep a job's pair on a courier (at a place in the route) in every re-plan of this plan.

    Without a position it is a move: the pair goes to that courier wherever it fits best.
    """
    plan = service.held_plan(session, plan_id, actor)
    if plan.status not in service.READY:
        raise Conflict(LOCK_BUILT, params=service.status_params(plan))
    problems = []
    pickup = _open_pickup(session, actor, job_id)
    if pickup is None:
        problems.append(FieldProblem(("job_id",), NO_OPEN_JOB, "unknown_job"))
    if not _courier_of(session, plan, courier_id):
        problems.append(FieldProblem(("courier_id",), NOT_THE_PLANS_COURIER, "courier_not_in_plan"))
    if not problems and pickup is not None and position is not None:
        problems += _check_position(session, plan.id, courier_id, pickup, position)
    if problems or pickup is None:
        raise InvalidInput(problems)
    existing = session.scalar(
        select(PlanLock).where(PlanLock.plan_id == plan.id, PlanLock.pickup_job_id == pickup.id)
    )
    if existing is None:
        existing = PlanLock(plan_id=plan.id, pickup_job_id=pickup.id, courier_id=courier_id)
        session.add(existing)
    existing.courier_id, existing.position = courier_id, position
    existing.created_by_id = actor.id if actor.kind == "user" else None
    session.flush()
    return existing


def _open_pickup(session: Session, actor: Actor, job_id: int) -> Job | None:
    """The open pickup of the job's pair, if the actor may see the job (another office's job is
    as unknown to a dispatcher as one that does not exist)."""
    job = session.get(Job, job_id)
    if job is None or not access.can_view_job(session, actor, job):
        return None
    pickup = pair_of(session, job)[0]
    if pickup.kind is not JobKind.PICKUP or pickup.status not in (
        JobStatus.PENDING,
        JobStatus.ASSIGNED,
    ):
        return None
    return pickup


def _courier_of(session: Session, plan: Plan, courier_id: int) -> bool:
    """True when the courier is active and works at one of the plan's post offices."""
    from courier.fleet.models import Courier

    courier = session.get(Courier, courier_id)
    if courier is None or not courier.active:
        return False
    return plan.depot_ids is None or courier.home_post_office_id in plan.depot_ids


def _check_position(
    session: Session, plan_id: int, courier_id: int, pickup: Job, position: int
) -> list[FieldProblem]:
    """A position past the end of the courier's route (without this pair) is refused."""
    pair = select(Job.id).where(Job.dossier_id == pickup.dossier_id, Job.leg == pickup.leg)
    length = (
        session.scalar(
            select(func.count()).where(
                RouteStop.plan_id == plan_id,
                RouteStop.courier_id == courier_id,
                RouteStop.job_id.not_in(pair),
            )
        )
        or 0
    )
    if position <= length:
        return []
    return [FieldProblem(("position",), PAST_THE_ROUTE, "position_past_route", {"stops": length})]


def locks_of(session: Session, plan_id: int) -> list[PlanLock]:
    """The plan's locks and moves."""
    return list(
        session.scalars(select(PlanLock).where(PlanLock.plan_id == plan_id).order_by(PlanLock.id))
    )


def replan(
    session: Session, plan_id: int, actor: Actor, *, at: datetime | None, settings: Settings
) -> Plan:
    """A new plan for the rest of the day from `at` (or the whole day), keeping the locks.

    Stops already done are not in it; couriers start where they are, with what they carry.
    """
    from courier.outbox.service import enqueue

    base = service.held_plan(session, plan_id, actor)
    if base.status not in service.READY:
        raise Conflict(REPLAN_BUILT, params=service.status_params(base))
    if at is not None and at.astimezone(settings.zone).date() > base.service_on:
        # nothing of the day is left to plan after it (a moment before it: all of it is)
        day = {"day": base.service_on.isoformat()}
        raise InvalidInput([FieldProblem(("at",), AFTER_THE_DAY, "replan_after_day", day)])
    service.refuse_in_progress(session, base)
    plan = Plan(
        service_on=base.service_on,
        depot_ids=base.depot_ids,
        status=PlanStatus.QUEUED,
        time_limit_s=settings.plan_part_seconds,
        created_by_id=actor.id if actor.kind == "user" else None,
        parent_id=base.id,
        replan_at=at,
    )
    session.add(plan)
    session.flush()
    for old in locks_of(session, base.id):
        session.add(
            PlanLock(
                plan_id=plan.id,
                pickup_job_id=old.pickup_job_id,
                courier_id=old.courier_id,
                position=old.position,
                created_by_id=old.created_by_id,
            )
        )
    session.flush()
    enqueue(session, "planning.build", plan_id=plan.id)
    return plan
