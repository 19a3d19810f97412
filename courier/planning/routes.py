"""A courier's day as their phone shows it: the published plan's stops, then the jobs a dispatcher
assigned by hand, each with how it went (pending, done, failed) and what it asks of the courier.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload

from courier import calendar
from courier.actors import Actor
from courier.catalogue import service as catalogue
from courier.catalogue.models import Site
from courier.dossiers.jobs import window_on
from courier.dossiers.models import Dossier, Job, JobAttempt, JobKind, JobStatus, Leg
from courier.enums import PartyKind, Role
from courier.errors import NotFound, PermissionDenied
from courier.fleet.models import Courier
from courier.handovers.models import Handover, HandoverItem
from courier.planning.models import Plan, PlanStatus, RouteStop
from courier.text import mark

# catalogue ids: the API answers them in the caller's language
COURIERS_ONLY = mark("Only couriers have a courier profile and a route.")
NO_COURIER_RECORD = mark(
    "This courier account is bound to no courier record; an admin must bind it to one."
)

StopStatus = Literal["pending", "done", "failed"]
_CLOSED_FAILED = (JobStatus.FAILED, JobStatus.CANCELLED)


@dataclass(frozen=True, slots=True)
class RouteItem:
    """One stop of a courier's day: its job and dossier, and how it stands."""

    position: int
    job: Job
    dossier: Dossier
    planned_arrival: datetime | None  # None for a job assigned by hand
    window: tuple[datetime, datetime]  # the job's window that day (`jobs.window_on`)
    planned: bool
    status: StopStatus
    fee_to_collect_vnd: int
    # the courier's post office, when this stop leaves the dossier there for the night
    held_at: Site | None = None

    @property
    def place(self) -> Site | None:
        """Where the stop happens (`stop_place`)."""
        return stop_place(self.job, self.held_at)

    @property
    def action(self) -> str:
        """What the courier does there (`stop_action`)."""
        return stop_action(self.job, self.held_at)


ACTIONS = {
    (Leg.INBOUND, JobKind.PICKUP): "Nhận hồ sơ / Collect dossier",
    (Leg.INBOUND, JobKind.DELIVERY): "Nộp hồ sơ / Hand dossier in",
    (Leg.RETURN, JobKind.PICKUP): "Nhận kết quả / Collect result",
    (Leg.RETURN, JobKind.DELIVERY): "Phát kết quả / Deliver result",
    (Leg.RELAY, JobKind.PICKUP): "Nhận hồ sơ tại bưu cục / Collect at the post office",
    (Leg.RELAY, JobKind.DELIVERY): "Nộp hồ sơ / Hand dossier in",
}
HOLD_ACTION = "Để lại bưu cục qua đêm / Leave at the post office overnight"
FROM_OFFICE_ACTION = ACTIONS[(Leg.RELAY, JobKind.PICKUP)]


def held_office(courier: Courier | None, at_post_office: bool) -> Site | None:
    """The courier's post office when the plan's stop leaves the dossier there for the night (the
    hold, a pair's alternative delivery), else None."""
    return courier.home_post_office if courier is not None and at_post_office else None


def stop_place(job: Job, held_at: Site | None) -> Site | None:
    """Where the stop happens: the post office keeping the dossier overnight, else the job's site;
    None at the citizen's."""
    return held_at or job.site


def stop_action(job: Job, held_at: Site | None) -> str:
    """What the courier does there, in both languages (the route sheet, the app and the API)."""
    return HOLD_ACTION if held_at is not None else ACTIONS[(job.leg, job.kind)]


def stop_window(
    job: Job, held_at: Site | None, service_on: date, zone: ZoneInfo
) -> tuple[datetime, datetime]:
    """When the stop may be made that day: the job's window, or the post office's hours (first
    opening to last closing) when the dossier is left there overnight."""
    if held_at is not None and (hours := catalogue.opening_windows(held_at, service_on, zone)):
        return hours[0][0], hours[-1][1]
    return window_on(job, job.dossier.slot, service_on, zone)


def own_courier(session: Session, actor: Actor) -> Courier:
    """The courier record of the signed-in courier account."""
    if not actor.has_role(Role.COURIER):
        raise PermissionDenied(COURIERS_ONLY)
    courier = session.get(Courier, actor.courier_id) if actor.courier_id is not None else None
    if courier is None:
        raise NotFound(NO_COURIER_RECORD)
    return courier


def courier_day(
    session: Session, actor: Actor, service_on: date, zone: ZoneInfo
) -> list[RouteItem]:
    """The signed-in courier's stops of the day: the published plan's in order, then by hand."""
    courier = own_courier(session, actor)
    return day_of(session, courier.id, service_on, zone)


def day_of(session: Session, courier_id: int, service_on: date, zone: ZoneInfo) -> list[RouteItem]:
    """A courier's stops of the day (see `courier_day`)."""
    span = day_span(service_on, zone)
    planned = _planned(session, courier_id, service_on)
    known = {job.id for _, job, _ in planned}
    by_hand = [j for j in _by_hand(session, courier_id, span) if j.id not in known]
    jobs = [job for _, job, _ in planned] + by_hand
    failed = failed_that_day(session, [j.id for j in jobs], span)
    courier = session.get_one(Courier, courier_id)
    items = []
    stops = [*planned, *((None, j, False) for j in by_hand)]
    for position, (arrival, job, held) in enumerate(stops):
        held_at = held_office(courier, held)
        items.append(
            RouteItem(
                position=position,
                job=job,
                dossier=job.dossier,
                planned_arrival=arrival,
                window=stop_window(job, held_at, service_on, zone),
                planned=arrival is not None,
                status=stop_status(job, job.id in failed),
                fee_to_collect_vnd=fee_to_collect(session, job),
                held_at=held_at,
            )
        )
    return items


def _planned(
    session: Session, courier_id: int, service_on: date
) -> list[tuple[datetime, Job, bool]]:
    """The courier's stops of the day's latest published plan (a stop moved to someone else by
    hand since is theirs now)."""
    plan_id = session.scalar(
        select(Plan.id)
        .join(RouteStop, RouteStop.plan_id == Plan.id)
        .where(
            Plan.service_on == service_on,
            Plan.status == PlanStatus.PUBLISHED,
            RouteStop.courier_id == courier_id,
        )
        .order_by(Plan.published_at.desc(), Plan.id.desc())
        .limit(1)
    )
    if plan_id is None:
        return []
    rows = session.execute(
        select(RouteStop.arrival_at, Job, RouteStop.at_post_office)
        .join(Job, Job.id == RouteStop.job_id)
        .options(joinedload(Job.dossier), joinedload(Job.site))
        .where(RouteStop.plan_id == plan_id, RouteStop.courier_id == courier_id)
        .order_by(RouteStop.position)
    ).all()
    return [
        (arrival, job, held)
        for arrival, job, held in rows
        if not (job.status is JobStatus.ASSIGNED and job.courier_id != courier_id)
    ]


def _by_hand(session: Session, courier_id: int, span: tuple[datetime, datetime]) -> list[Job]:
    """The courier's open jobs whose window meets the day, closed ones whose window opens that day
    or that were closed that day, and those they failed that day (a failed stop goes back to the
    queue but stays on the day's list)."""
    start, end = span
    attempted = select(JobAttempt.job_id).where(
        JobAttempt.courier_id == courier_id,
        func.coalesce(JobAttempt.device_at, JobAttempt.attempted_at) >= start,
        func.coalesce(JobAttempt.device_at, JobAttempt.attempted_at) < end,
    )
    mine = (
        (Job.courier_id == courier_id)
        & (Job.window_start < end)
        & (Job.window_end > start)
        & (
            Job.status.in_([JobStatus.PENDING, JobStatus.ASSIGNED])
            | (Job.window_start >= start)
            | ((Job.updated_at >= start) & (Job.updated_at < end))
        )
    )
    query = (
        select(Job)
        .options(joinedload(Job.dossier), joinedload(Job.site))
        .where(or_(mine, Job.id.in_(attempted)))
        .order_by(Job.window_start, Job.id)
    )
    return list(session.scalars(query))


def day_span(service_on: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """From local midnight of the day to the next."""
    start = calendar.at(service_on, time.min, zone)
    return start, start + timedelta(days=1)


def failed_that_day(
    session: Session, job_ids: Iterable[int], span: tuple[datetime, datetime]
) -> set[int]:
    """The jobs among `job_ids` with a failed attempt recorded (by the phone's time) in `span`."""
    moment = func.coalesce(JobAttempt.device_at, JobAttempt.attempted_at)
    query = select(JobAttempt.job_id).where(
        JobAttempt.job_id.in_(list(job_ids)), moment >= span[0], moment < span[1]
    )
    return set(session.scalars(query))


def stop_status(job: Job, failed: bool) -> StopStatus:
    """Done, failed (an attempt that day, or closed as failed or cancelled), else pending."""
    if job.status is JobStatus.DONE:
        return "done"
    if failed or job.status in _CLOSED_FAILED:
        return "failed"
    return "pending"


def fee_to_collect(session: Session, job: Job) -> int:
    """What the courier collects at the stop: the whole fee at the citizen's pickup; on a result's
    delivery, whatever the pickup did not collect of it (nothing when it was paid in full)."""
    dossier = job.dossier
    owed = dossier.procedure_fee_vnd + dossier.service_fee_vnd
    if job.site_id is not None:
        return 0
    if (job.leg, job.kind) == (Leg.INBOUND, JobKind.PICKUP):
        return owed
    if (job.leg, job.kind) != (Leg.RETURN, JobKind.DELIVERY):
        return 0
    paid = session.scalar(
        select(func.coalesce(func.sum(Handover.fees_collected_vnd), 0))
        .join(HandoverItem, HandoverItem.handover_id == Handover.id)
        .where(HandoverItem.dossier_id == dossier.id, Handover.from_kind == PartyKind.CITIZEN)
    )
    return max(0, owed - int(paid or 0))


def navigation_url(lat: float, lon: float) -> str:
    """A geo: URI: opens the phone's map app at the point (Android)."""
    return f"geo:{lat:.6f},{lon:.6f}?q={lat:.6f},{lon:.6f}"
