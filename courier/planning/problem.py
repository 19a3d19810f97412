"""From the database to routing's plain data: the open job pairs of a day, the couriers on shift.

Times are seconds since local midnight of the service day. A citizen's stop keeps the job's window
(the chosen slot for a pickup, and that slot of the day for a result brought back); a site's stop gets the job's window cut by the site's opening
hours that day, so a center's lunch break becomes two windows. A pair the day cannot serve at all
(a center closed, a window on another day) is left for its own day.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from courier import calendar, dispatch
from courier.catalogue import service as catalogue
from courier.catalogue.models import Site
from courier.dossiers.jobs import COUNTER_SETUP_S, window_on
from courier.dossiers.models import Dossier, Job, JobKind, JobStatus, Leg, Slot
from courier.fleet.models import Courier
from routing.matrix import MOTORBIKE_TOWN, LatLon
from routing.model import Break
from routing.partition import Call, Day, Depot
from routing.partition import Courier as RouteCourier
from routing.partition import Job as RouteJob

DAY_S = 24 * 3600
BASE_PENALTY = 50_000
LOCKED_WEIGHT = 100  # a locked stop's drop penalty over the heaviest unlocked one
PROFILE = MOTORBIKE_TOWN  # the depots' matrix; each courier's own speed scales it
LUNCH = Break(earliest_start=11 * 3600 + 1800, latest_start=12 * 3600 + 1800, duration=3600)
_OPEN = (JobStatus.PENDING, JobStatus.ASSIGNED)


@dataclass(frozen=True, slots=True)
class Horizon:
    """The service day in the service's zone."""

    day: date
    midnight: datetime

    def seconds(self, moment: datetime) -> int:
        """Seconds since local midnight, clipped to the day."""
        return max(0, min(DAY_S, int((moment - self.midnight).total_seconds())))

    def moment(self, seconds: int) -> datetime:
        """Back from seconds to an aware time."""
        return self.midnight + timedelta(seconds=seconds)


def horizon(day: date, zone: ZoneInfo) -> Horizon:
    """The day's local midnight."""
    return Horizon(day, datetime.combine(day, time(0), tzinfo=zone))


def pair_id(pickup: Job, delivery: Job) -> str:
    """The routing job id of a pair: both job ids, so results need no lookup table."""
    return f"{pickup.id}-{delivery.id}"


def job_ids(routing_id: str) -> tuple[int, int]:
    """(pickup job id, delivery job id) of a routing job id."""
    pickup, delivery = routing_id.split("-")
    return int(pickup), int(delivery)


Locks = dict[int, tuple[int, int | None]]  # pickup job id -> (courier id, position)


@dataclass(frozen=True, slots=True)
class DayInput:
    """The day as routing data, each courier's speed over the depot profile's, and what to report."""

    day: Day
    speeds: dict[str, float]
    notes: tuple[str, ...]


def build_day(
    session: Session,
    *,
    span: Horizon,
    depot_ids: list[int] | None,
    zone: ZoneInfo,
    locks: Locks | None = None,
    now: datetime | None = None,
    hold_cost: int | None = None,
) -> DayInput:
    """Open pairs of the chosen depots (all when None) for the day and their couriers on shift.

    A pair belongs to the post office that serves its dossier (`Dossier.post_office_id`, the
    one whose dispatcher sees it), as routing's split keeps it while the office has room. With
    `now` (a re-plan during the day) each courier starts where their last finished stop was, at
    that moment; the dossiers a courier carries stay on that courier's route.
    """
    couriers = _couriers(session, span.day, depot_ids)
    carried = _carried(session, span, zone, {c.id for c in couriers})
    routed = {}
    for courier in couriers:
        load = sum(1 for j in carried if j.couriers == (str(courier.id),))
        found = _route_courier(session, courier, span, load, now)
        if found is not None:
            routed[courier.id] = found
    kept, notes = _usable_locks(locks or {}, set(routed))
    pairs = [job for job in _pairs(session, span, zone, kept, hold_cost) if job is not None]
    jobs = _weigh_locked(_of_depots(session, pairs, depot_ids) + carried)
    depots = {c.home_post_office_id: c.home_post_office for c in couriers if c.id in routed}
    return DayInput(
        day=Day(
            depots=tuple(
                Depot(str(site.id), LatLon(site.lat, site.lon), PROFILE)
                for site in sorted(depots.values(), key=lambda s: s.id)
            ),
            couriers=tuple(routed.values()),
            jobs=tuple(jobs),
        ),
        speeds={str(c.id): c.speed_kmh / PROFILE.speed_kmh for c in couriers if c.id in routed},
        notes=tuple(notes),
    )


def _usable_locks(locks: Locks, couriers: set[int]) -> tuple[Locks, list[str]]:
    """The locks whose courier is planned; a note for each lock that cannot be kept."""
    kept = {job: lock for job, lock in locks.items() if lock[0] in couriers}
    notes = [
        f"lock of job {job} on courier {lock[0]} not kept: the courier is not on shift "
        "(or less than 30 min of the shift is left); the job is planned as unlocked"
        for job, lock in sorted(locks.items())
        if job not in kept
    ]
    return kept, notes


def _of_depots(
    session: Session, jobs: list[RouteJob], depot_ids: list[int] | None
) -> list[RouteJob]:
    """The jobs that `depot_ids`' post offices serve (the office stored on the dossier, which
    their dispatchers see; the nearest office with couriers for a dossier that has none).

    Locked jobs stay: their courier is one of the plan's.
    """
    if depot_ids is None:
        return jobs
    unknown = [job for job in jobs if not job.couriers and job.depot_id is None]
    nearest = dispatch.nearest_offices(session, [job.citizen_point for job in unknown])
    office = {job.id: str(o) for job, o in zip(unknown, nearest, strict=True)}
    wanted = {str(d) for d in depot_ids}
    return [job for job in jobs if job.couriers or office.get(job.id, job.depot_id) in wanted]


def _weigh_locked(jobs: list[RouteJob]) -> list[RouteJob]:
    """Locked, moved and carried jobs weigh far more than any other, so they are served first."""
    heaviest = max((j.penalty or 0 for j in jobs if not j.couriers), default=BASE_PENALTY)
    locked = LOCKED_WEIGHT * max(heaviest, BASE_PENALTY)
    return [replace(job, penalty=locked) if job.couriers else job for job in jobs]


def _route_courier(
    session: Session, courier: Courier, span: Horizon, load: int, now: datetime | None
) -> RouteCourier | None:
    start, end = _clock(courier.shift_start), _clock(courier.shift_end)
    here = None
    if now is not None:
        start = max(start, span.seconds(now))
        here = _last_place(session, courier, span, now)
    if end - start < 1800 and load == 0:  # less than half an hour left: nothing to plan
        return None
    return RouteCourier(
        id=str(courier.id),
        depot_id=str(courier.home_post_office_id),
        shift=(start, max(start, end)),
        capacity=max(courier.capacity, load),
        lunch=lunch_break(start, end),
        start=here,
        start_load=load,
    )


def lunch_break(start: int, end: int) -> Break | None:
    """The lunch break while its window is still ahead of `start` and inside the shift.

    A re-plan at 11:45 still gives lunch, starting between 11:45 and 12:30 (the service does
    not record breaks, so a courier is taken not to have had it yet).
    """
    if start > LUNCH.latest_start or LUNCH.latest_start + LUNCH.duration > end:
        return None
    return Break(max(start, LUNCH.earliest_start), LUNCH.latest_start, LUNCH.duration)


def _last_place(session: Session, courier: Courier, span: Horizon, now: datetime) -> LatLon | None:
    last = session.scalar(
        select(Job)
        .where(
            Job.courier_id == courier.id,
            Job.status == JobStatus.DONE,
            Job.updated_at >= span.midnight,
            Job.updated_at <= now,
        )
        .order_by(Job.updated_at.desc(), Job.id.desc())
        .limit(1)
    )
    return LatLon(last.lat, last.lon) if last is not None else None


def urgency(due_on: date | None, day: date) -> int:
    """x4 on or after the dossier's due date, x3 one working day before, x2 two, else x1."""
    if due_on is None:
        return 1
    left, cursor = 0, day
    while cursor < due_on and left < 3:
        cursor, left = calendar.next_working_day(cursor), left + 1
    return 4 - left


def _carried(session: Session, span: Horizon, zone: ZoneInfo, couriers: set[int]) -> list[RouteJob]:
    """Deliveries of dossiers a courier on shift already holds: they stay on that courier."""
    pickup = aliased(Job)
    rows = session.execute(
        select(Job, pickup.id, Dossier.slot)
        .join(Dossier, Dossier.id == Job.dossier_id)
        .join(
            pickup,
            (pickup.dossier_id == Job.dossier_id)
            & (pickup.leg == Job.leg)
            & (pickup.kind == JobKind.PICKUP),
        )
        .where(
            Job.kind == JobKind.DELIVERY,
            Job.status.in_(_OPEN),
            pickup.status == JobStatus.DONE,
            Job.courier_id.in_(couriers),
        )
        .order_by(Job.id)
    ).all()
    sites = {s.id: s for s in session.scalars(select(Site))}
    found = []
    for job, pickup_id, slot in rows:
        call = _call(job, slot, span, sites, zone)
        if call is None or job.courier_id is None:
            continue
        found.append(
            RouteJob(
                id=f"{pickup_id}-{job.id}",
                pickup=None,
                delivery=call,
                penalty=BASE_PENALTY * (1 + job.priority),
                citizen_end="delivery",
                couriers=(str(job.courier_id),),
            )
        )
    return found


def stop_count(jobs: Iterable[RouteJob]) -> int:
    """Stops of the jobs: two for a pair, one for a delivery already on board."""
    return sum(1 if job.pickup is None else 2 for job in jobs)


def _clock(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60


def _couriers(session: Session, day: date, depot_ids: list[int] | None) -> list[Courier]:
    if not calendar.is_working_day(day):
        return []
    query = select(Courier).where(Courier.active.is_(True)).order_by(Courier.id)
    if depot_ids is not None:
        query = query.where(Courier.home_post_office_id.in_(depot_ids))
    return list(session.scalars(query))


def _pairs(
    session: Session, span: Horizon, zone: ZoneInfo, locks: Locks, hold_cost: int | None
) -> list[RouteJob | None]:
    """Open pickup→delivery pairs whose windows meet the day."""
    end = span.midnight + timedelta(days=1)
    delivery = aliased(Job)
    rows = session.execute(
        select(Job, delivery, Dossier)
        .join(Dossier, Dossier.id == Job.dossier_id)
        .join(
            delivery,
            (delivery.dossier_id == Job.dossier_id)
            & (delivery.leg == Job.leg)
            & (delivery.kind == JobKind.DELIVERY),
        )
        .where(
            Job.kind == JobKind.PICKUP,
            Job.status.in_(_OPEN),
            delivery.status.in_(_OPEN),
            Job.window_start < end,
            Job.window_end > span.midnight,
        )
        .order_by(Job.id)
    ).all()
    day = _Stops(span, {s.id: s for s in session.scalars(select(Site))}, zone, hold_cost)
    return [
        _route_job(day, pickup, drop, dossier, locks.get(pickup.id))
        for pickup, drop, dossier in rows
    ]


@dataclass(frozen=True, slots=True)
class _Stops:
    """What turns a job into a stop of the day: the day, the sites, the service's zone."""

    span: Horizon
    sites: dict[int, Site]
    zone: ZoneInfo
    hold_cost: int | None  # a citizen's dossier may spend the night at the post office, at this


def _route_job(
    day: _Stops,
    pickup: Job,
    delivery: Job,
    dossier: Dossier,
    lock: tuple[int, int | None] | None,
) -> RouteJob | None:
    """The pair for routing, at the post office that serves its dossier; None if the day cannot
    serve it."""
    calls = [_call(job, dossier.slot, day.span, day.sites, day.zone) for job in (pickup, delivery)]
    if calls[0] is None or calls[1] is None:
        return None
    weight = urgency(dossier.due_on, day.span.day)
    return RouteJob(
        id=pair_id(pickup, delivery),
        pickup=calls[0],
        delivery=calls[1],
        penalty=BASE_PENALTY * (1 + pickup.priority) * weight,
        citizen_end="pickup" if pickup.site_id is None else "delivery",
        couriers=(str(lock[0]),) if lock else None,
        position=lock[1] if lock else None,
        depot_id=str(dossier.post_office_id) if dossier.post_office_id is not None else None,
        hold_cost=day.hold_cost if _from_citizen_inbound(pickup) else None,
    )


def _from_citizen_inbound(pickup: Job) -> bool:
    """A dossier collected at the citizen's on its way to the center (the one a post office may
    keep overnight)."""
    return pickup.leg is Leg.INBOUND and pickup.site_id is None


def _call(
    job: Job, slot: Slot, span: Horizon, sites: dict[int, Site], zone: ZoneInfo
) -> Call | None:
    start, end = window_on(job, slot, span.day, zone)
    window = (span.seconds(start), span.seconds(end))
    windows = [window]
    if job.site_id is not None:
        site = sites[job.site_id]
        opening = [
            (span.seconds(a), span.seconds(b))
            for a, b in catalogue.opening_windows(site, span.day, zone)
        ]
        windows = [(max(a, window[0]), min(b, window[1])) for a, b in opening]
    windows = [(a, b) for a, b in windows if a < b]
    if not windows:
        return None
    setup = min(job.service_s, COUNTER_SETUP_S) if job.site_id is not None else 0
    return Call(LatLon(job.lat, job.lon), tuple(windows), job.service_s - setup, setup)
