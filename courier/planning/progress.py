"""How a plan's day goes: each courier's stops done, failed and late against the plan, where the
courier was last seen, and the day's dossiers of the plan's post offices that it does not route.

A stop is late when it was done after its planned arrival plus the tolerance, or when it is still
pending and now is past its planned arrival plus the tolerance. A failed stop counts as failed,
never as late.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, joinedload

from courier.catalogue.models import Site
from courier.dossiers.models import Dossier, Job, JobAttempt, JobKind, JobStatus, Leg
from courier.dossiers.states import Event
from courier.enums import PartyKind
from courier.fleet.models import Courier
from courier.handovers.models import Handover, HandoverItem
from courier.planning import problem, routes
from courier.planning.models import Plan, PlanPart, RouteStop

Span = tuple[datetime, datetime]
_OPEN = (JobStatus.PENDING, JobStatus.ASSIGNED)
# the handover event that closes each kind of stop (see courier.handovers.service)
_CLOSED_BY = {
    (Leg.INBOUND, JobKind.PICKUP): Event.PICK_UP.value,
    (Leg.INBOUND, JobKind.DELIVERY): Event.RECEIVE_AT_CENTER.value,
    (Leg.RETURN, JobKind.PICKUP): Event.RESULT_PICK_UP.value,
    (Leg.RETURN, JobKind.DELIVERY): Event.DELIVER.value,
    (Leg.RELAY, JobKind.PICKUP): Event.LEAVE_POST_OFFICE.value,
    (Leg.RELAY, JobKind.DELIVERY): Event.RECEIVE_AT_CENTER.value,
}


@dataclass(frozen=True, slots=True)
class StopProgress:
    """How one stop of the plan stands."""

    courier_id: int
    job_id: int
    planned_arrival: datetime
    status: routes.StopStatus
    done_at: datetime | None
    late: bool


@dataclass(frozen=True, slots=True)
class Position:
    """Where a courier was last seen, when, and by which record."""

    lat: float
    lon: float
    at: datetime
    source: Literal["handover", "attempt"]


@dataclass(frozen=True, slots=True)
class CourierProgress:
    """One courier's day against the plan."""

    courier_id: int
    courier_code: str
    stops: int
    done: int
    failed: int
    pending: int
    late: int
    last_position: Position | None


@dataclass(frozen=True, slots=True)
class Unrouted:
    """An open pickup of the day the plan does not route: dropped by it, or come after it."""

    job: Job
    dossier: Dossier
    reason: Literal["dropped", "after_plan"]


@dataclass(frozen=True, slots=True)
class PlanProgress:
    """The plan's day as of `at`."""

    plan: Plan
    at: datetime
    tolerance: timedelta
    stops: list[StopProgress]
    couriers: list[CourierProgress]
    unrouted: list[Unrouted]


def plan_progress(
    session: Session, plan: Plan, *, now: datetime, tolerance: timedelta, zone: ZoneInfo
) -> PlanProgress:
    """Each courier's stops done, failed, pending and late, their last position, and the day's
    open pickups of the plan's post offices it does not route."""
    span = routes.day_span(plan.service_on, zone)
    rows = session.execute(
        select(RouteStop.courier_id, RouteStop.arrival_at, Job)
        .join(Job, Job.id == RouteStop.job_id)
        .where(RouteStop.plan_id == plan.id)
        .order_by(RouteStop.courier_id, RouteStop.position)
    ).all()
    planned = list(rows)
    failed = routes.failed_that_day(session, [job.id for _, _, job in planned], span)
    done_at = done_times(session, [job for _, _, job in planned if job.status is JobStatus.DONE])
    stops = []
    for courier_id, arrival, job in planned:
        status = routes.stop_status(job, job.id in failed)
        finished = done_at.get(job.id) if status == "done" else None
        moment = finished if status == "done" else now
        late = status != "failed" and moment is not None and moment > arrival + tolerance
        stops.append(StopProgress(courier_id, job.id, arrival, status, finished, late))
    return PlanProgress(
        plan=plan,
        at=now,
        tolerance=tolerance,
        stops=stops,
        couriers=_per_courier(session, stops, span),
        unrouted=unrouted(session, plan, span, {s.job_id for s in stops}),
    )


def _per_courier(session: Session, stops: list[StopProgress], span: Span) -> list[CourierProgress]:
    """The stops counted per courier, with each one's last known position; by courier code."""
    ids = {s.courier_id for s in stops}
    couriers = session.scalars(select(Courier).where(Courier.id.in_(ids)).order_by(Courier.code))
    seen = last_positions(session, ids, span)
    found = []
    for courier in couriers:
        own = [s for s in stops if s.courier_id == courier.id]
        found.append(
            CourierProgress(
                courier_id=courier.id,
                courier_code=courier.code,
                stops=len(own),
                done=sum(s.status == "done" for s in own),
                failed=sum(s.status == "failed" for s in own),
                pending=sum(s.status == "pending" for s in own),
                late=sum(s.late for s in own),
                last_position=seen.get(courier.id),
            )
        )
    return found


def done_times(session: Session, jobs: Iterable[Job]) -> dict[int, datetime]:
    """When each done job was done: the phone's time of the handover that closed it (the job's
    last change when no such handover is found)."""
    jobs = list(jobs)
    rows = session.execute(
        select(HandoverItem.dossier_id, HandoverItem.event, func.max(Handover.device_at))
        .join(Handover, Handover.id == HandoverItem.handover_id)
        .where(HandoverItem.dossier_id.in_({j.dossier_id for j in jobs}))
        .group_by(HandoverItem.dossier_id, HandoverItem.event)
    ).all()
    closed = {(dossier_id, event): at for dossier_id, event, at in rows}
    return {
        j.id: closed.get((j.dossier_id, _CLOSED_BY[(j.leg, j.kind)]), j.updated_at) for j in jobs
    }


def last_positions(session: Session, courier_ids: set[int], span: Span) -> dict[int, Position]:
    """Each courier's latest place of the day: a handover they gave or took with a position (its
    GPS point, else its site's: a center's counter records no point), or a failed attempt of
    theirs with one, whichever is later (by the phone's time)."""
    courier = PartyKind.COURIER
    has_point = Handover.lat.is_not(None) & Handover.lon.is_not(None)
    handovers = session.execute(
        select(
            Handover.from_kind,
            Handover.from_id,
            Handover.to_kind,
            Handover.to_id,
            case((has_point, Handover.lat), else_=Site.lat),
            case((has_point, Handover.lon), else_=Site.lon),
            Handover.device_at,
        )
        .outerjoin(Site, Site.id == Handover.site_id)
        .where(
            Handover.device_at >= span[0],
            Handover.device_at < span[1],
            has_point | Handover.site_id.is_not(None),
            or_(
                and_(Handover.from_kind == courier, Handover.from_id.in_(courier_ids)),
                and_(Handover.to_kind == courier, Handover.to_id.in_(courier_ids)),
            ),
        )
    ).all()
    seen: dict[int, Position] = {}
    for from_kind, from_id, to_kind, to_id, lat, lon, at in handovers:
        parties = {(from_kind, from_id), (to_kind, to_id)}
        for who in {i for kind, i in parties if kind is courier and i in courier_ids}:
            _keep_latest(seen, who, Position(lat or 0.0, lon or 0.0, at, "handover"))
    moment = func.coalesce(JobAttempt.device_at, JobAttempt.attempted_at)
    attempts = session.execute(
        select(JobAttempt.courier_id, JobAttempt.lat, JobAttempt.lon, moment).where(
            JobAttempt.courier_id.in_(courier_ids),
            moment >= span[0],
            moment < span[1],
            JobAttempt.lat.is_not(None),
            JobAttempt.lon.is_not(None),
        )
    ).all()
    for by, lat, lon, at in attempts:
        if by is not None:
            _keep_latest(seen, by, Position(lat or 0.0, lon or 0.0, at, "attempt"))
    return seen


def _keep_latest(seen: dict[int, Position], courier_id: int, position: Position) -> None:
    known = seen.get(courier_id)
    if known is None or position.at > known.at:
        seen[courier_id] = position


def unrouted(session: Session, plan: Plan, span: Span, routed: set[int]) -> list[Unrouted]:
    """The open pickups whose window meets the day, of dossiers served by the plan's post offices
    (`Dossier.post_office_id`, the rule a dispatcher's view follows), that none of its stops is."""
    query = (
        select(Job)
        .join(Dossier, Dossier.id == Job.dossier_id)
        .options(joinedload(Job.dossier))
        .where(
            Job.kind == JobKind.PICKUP,
            Job.status.in_(_OPEN),
            Job.window_start < span[1],
            Job.window_end > span[0],
        )
        .order_by(Job.window_start, Job.id)
    )
    if plan.depot_ids is not None:
        query = query.where(Dossier.post_office_id.in_(plan.depot_ids))
    jobs = [j for j in session.scalars(query) if j.id not in routed]
    dropped = _in_plan_input(session, plan.id)
    return [Unrouted(j, j.dossier, "dropped" if j.id in dropped else "after_plan") for j in jobs]


def _in_plan_input(session: Session, plan_id: int) -> set[int]:
    """The pickup jobs the plan's parts were given to route."""
    return {
        problem.job_ids(job["id"])[0]
        for part in session.scalars(select(PlanPart.problem).where(PlanPart.plan_id == plan_id))
        for job in part["jobs"]
    }
