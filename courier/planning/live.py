"""The live day of a post office, with or without a plan: each courier's stops of the day (a
published plan's and those a dispatcher assigned by hand, as the courier's phone lists them) done,
failed, pending and late, where the courier was last seen, and the day's open jobs of the office's
dossiers that no courier has.

A planned stop is late as in `progress` (against its planned arrival plus the tolerance); a stop
assigned by hand has no planned time and is late against the end of its window plus the tolerance.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from courier.dossiers.models import Dossier, Job, JobStatus
from courier.fleet.models import Courier
from courier.planning import progress, routes


@dataclass(frozen=True, slots=True)
class CourierDay:
    """One courier's stops of the day, counted, and where they were last seen."""

    courier_id: int
    courier_code: str
    stops: int
    done: int
    failed: int
    pending: int
    late: int
    by_hand: int
    last_position: progress.Position | None


@dataclass(frozen=True, slots=True)
class LiveDay:
    """The office's day as of `at`."""

    at: datetime
    couriers: list[CourierDay]
    unassigned: list[Job]


def office_day(
    session: Session,
    office_id: int | None,
    service_on: date,
    *,
    now: datetime,
    tolerance: timedelta,
    zone: ZoneInfo,
) -> LiveDay:
    """The day of the post office's couriers (all offices' for None) and its jobs no one has."""
    span = routes.day_span(service_on, zone)
    query = select(Courier).where(Courier.active).order_by(Courier.code)
    if office_id is not None:
        query = query.where(Courier.home_post_office_id == office_id)
    couriers = list(session.scalars(query))
    seen = progress.last_positions(session, {c.id for c in couriers}, span)
    found = []
    for courier in couriers:
        items = routes.day_of(session, courier.id, service_on, zone)
        if not items and courier.id not in seen:
            continue
        done_at = progress.done_times(session, [i.job for i in items if i.status == "done"])
        late = sum(_late(i, done_at.get(i.job.id), now, tolerance) for i in items)
        found.append(
            CourierDay(
                courier_id=courier.id,
                courier_code=courier.code,
                stops=len(items),
                done=sum(i.status == "done" for i in items),
                failed=sum(i.status == "failed" for i in items),
                pending=sum(i.status == "pending" for i in items),
                late=late,
                by_hand=sum(not i.planned for i in items),
                last_position=seen.get(courier.id),
            )
        )
    return LiveDay(now, found, unassigned(session, office_id, span))


def _late(
    item: routes.RouteItem, done_at: datetime | None, now: datetime, tolerance: timedelta
) -> bool:
    """Done after, or still pending past, the planned arrival (by hand: the window's end) plus
    the tolerance; a failed stop is never late."""
    if item.status == "failed":
        return False
    due = item.planned_arrival if item.planned_arrival is not None else item.window[1]
    moment = done_at if item.status == "done" else now
    return moment is not None and moment > due + tolerance


def unassigned(session: Session, office_id: int | None, span: progress.Span) -> list[Job]:
    """The open jobs no courier has whose window meets the day, of the office's dossiers."""
    query = (
        select(Job)
        .join(Dossier, Dossier.id == Job.dossier_id)
        .options(joinedload(Job.dossier))
        .where(
            Job.status == JobStatus.PENDING,
            Job.courier_id.is_(None),
            Job.window_start < span[1],
            Job.window_end > span[0],
        )
        .order_by(Job.window_start, Job.id)
    )
    if office_id is not None:
        query = query.where(Dossier.post_office_id == office_id)
    return list(session.scalars(query))
