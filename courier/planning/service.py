"""The daily plan: build it in parts (solved by Celery workers), then publish it to the couriers.

`request_plan` writes the plan and enqueues its build (one plan per post office and day is built
at a time: a second request gets the first). `prepare_parts` turns the day into frozen
sub-problems stored with the plan (once: a re-run finds them); `solve_part` solves one and stores
its routes; once every part is solved `finish` writes each courier's ordered stops.
Nothing reaches couriers until a dispatcher calls `publish`: jobs are assigned then, and the pairs
the plan could not fit roll over to the next working day with a higher priority.
"""

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, joinedload

from courier import access, calendar, dispatch
from courier.actors import Actor
from courier.catalogue.models import Site
from courier.db import utcnow
from courier.dossiers import service as dossiers
from courier.dossiers.jobs import follow_couriers, pair_of, window_on
from courier.dossiers.models import Dossier, Job, JobKind, JobStatus
from courier.dossiers.states import Event
from courier.enums import SiteKind
from courier.errors import Conflict, FieldProblem, InvalidInput, NotFound, PermissionDenied
from courier.planning import problem, routes
from courier.planning.models import PartStatus, Plan, PlanLock, PlanPart, PlanStatus, RouteStop
from courier.settings import Settings
from routing import codec
from routing.diagnose import why_dropped
from routing.matrix import GreatCircleProvider
from routing.partition import HOLD, build_problem, split_day
from routing.solver import SolveParams, solve


class PlanNotFound(NotFound):
    """No plan with that id."""


IN_PROGRESS = (PlanStatus.QUEUED, PlanStatus.BUILDING)
_READY = (PlanStatus.BUILT, PlanStatus.PUBLISHED)


class PlanInProgress(Conflict):
    """A plan of the day sharing a post office with the one asked for is queued or building."""


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """What asking for a plan did: the plan, whether it was already being built (nothing new
    then), and the day's other plans sharing a post office with it (built or published ones)."""

    plan: Plan
    existing: bool
    same_day: list[Plan]


def request_plan(
    session: Session,
    actor: Actor | None,
    *,
    service_on: date,
    depot_codes: list[str] | None,
    settings: Settings,
    enqueue_build: bool = True,
) -> Plan:
    """The plan of `ask_for_plan`: new and enqueued, or the one already being built."""
    return ask_for_plan(
        session,
        actor,
        service_on=service_on,
        depot_codes=depot_codes,
        settings=settings,
        enqueue_build=enqueue_build,
    ).plan


def ask_for_plan(
    session: Session,
    actor: Actor | None,
    *,
    service_on: date,
    depot_codes: list[str] | None,
    settings: Settings,
    enqueue_build: bool = True,
) -> PlanRequest:
    """Record a plan to build for the day (all depots, or the named post offices) and enqueue it,
    unless a plan of the day for exactly these post offices is queued or building: that one is
    answered, and nothing new is built. One in progress for some of them only is refused.

    A dispatcher plans their own post office only (the default when no depot is named).
    """
    from courier.outbox.service import enqueue

    depot_ids = _requested_depots(session, actor, service_on, depot_codes, settings)
    _hold_offices(session, depot_ids)
    plan = _in_progress(session, service_on, depot_ids, joinable=True)
    existing = plan is not None
    if plan is None:
        plan = Plan(
            service_on=service_on,
            depot_ids=depot_ids,
            status=PlanStatus.QUEUED,
            time_limit_s=settings.plan_part_seconds,
            created_by_id=actor.id if actor is not None and actor.kind == "user" else None,
        )
        session.add(plan)
        session.flush()
        if enqueue_build:
            enqueue(session, "planning.build", plan_id=plan.id)
    others = _sharing_offices(session, plan.service_on, plan.depot_ids, (*IN_PROGRESS, *_READY))
    return PlanRequest(plan, existing, [p for p in others if p.id != plan.id])


def _requested_depots(
    session: Session,
    actor: Actor | None,
    service_on: date,
    depot_codes: list[str] | None,
    settings: Settings,
) -> list[int] | None:
    """The ids of the post offices to plan (None: all), or why the request is refused."""
    office = access.office_scope(actor) if actor is not None else None
    problems = []
    if service_on < calendar.local_today(utcnow(), settings.zone):
        problems.append(FieldProblem(("service_on",), "must not be in the past"))
    elif not calendar.is_working_day(service_on):
        problems.append(FieldProblem(("service_on",), "not a working day"))
    depot_ids, unknown = _depots(session, depot_codes)
    if office is not None and set(depot_ids or ()) - {office}:
        raise PermissionDenied("a dispatcher plans only their own post office")
    if unknown:
        problems.append(FieldProblem(("depots",), f"no post offices {unknown}"))
    if problems:
        raise InvalidInput(problems)
    return [office] if office is not None else depot_ids


def _hold_offices(session: Session, depot_ids: list[int] | None) -> None:
    """Hold the post offices (all when None) until commit: requests for and publications of one
    office's plans run one at a time, so two at the same instant cannot both miss each other.

    PostgreSQL: a row lock that leaves the rows' foreign keys free (bookings and builds go on).
    SQLite: a writing transaction begins IMMEDIATE, so writers are one at a time already.
    """
    query = select(Site.id).where(Site.kind == SiteKind.POST_OFFICE).order_by(Site.id)
    if depot_ids is not None:
        query = query.where(Site.id.in_(depot_ids))
    session.execute(query.with_for_update(key_share=True)).all()


def _sharing_offices(
    session: Session,
    service_on: date,
    depot_ids: list[int] | None,
    statuses: tuple[PlanStatus, ...],
) -> list[Plan]:
    """The day's plans in these statuses with a post office in common with `depot_ids`."""
    plans = session.scalars(
        select(Plan)
        .where(Plan.service_on == service_on, Plan.status.in_(statuses))
        .order_by(Plan.id)
    )
    return [
        p
        for p in plans
        if p.depot_ids is None or depot_ids is None or set(p.depot_ids) & set(depot_ids)
    ]


def _in_progress(
    session: Session,
    service_on: date,
    depot_ids: list[int] | None,
    *,
    joinable: bool,
    exclude: int | None = None,
) -> Plan | None:
    """The plan of the day being built for exactly these post offices, when `joinable`;
    `PlanInProgress` when another plan being built shares a post office with them."""
    for plan in _sharing_offices(session, service_on, depot_ids, IN_PROGRESS):
        if plan.id == exclude:
            continue
        if joinable and _same_offices(plan.depot_ids, depot_ids):
            return plan
        raise PlanInProgress(
            f"plan {plan.id} of {service_on} is {plan.status.value} for post offices of this "
            "plan; one plan per post office and day is built at a time"
        )
    return None


def _same_offices(one: list[int] | None, other: list[int] | None) -> bool:
    """True when both name the same post offices (None: all of them)."""
    return (one is None) == (other is None) and set(one or ()) == set(other or ())


def _refuse_in_progress(session: Session, plan: Plan, *, exclude: int | None = None) -> None:
    """`PlanInProgress` when another plan of the day sharing a post office is being built."""
    _hold_offices(session, plan.depot_ids)
    _in_progress(session, plan.service_on, plan.depot_ids, joinable=False, exclude=exclude)


def _depots(session: Session, codes: list[str] | None) -> tuple[list[int] | None, list[str]]:
    """(ids of the named post offices, or None for all; the codes that name none)."""
    if not codes:
        return None, []
    found = dict(
        session.execute(
            select(Site.code, Site.id).where(
                Site.code.in_(codes), Site.kind == SiteKind.POST_OFFICE
            )
        ).all()
    )
    return sorted(set(found.values())), sorted(set(codes) - set(found))


def unplanned_offices(session: Session, service_on: date) -> list[Site]:
    """Post offices with couriers that no plan of the day (other than a failed one) covers."""
    covered: set[int] = set()
    for depot_ids in session.scalars(
        select(Plan.depot_ids).where(
            Plan.service_on == service_on, Plan.status != PlanStatus.FAILED
        )
    ):
        if depot_ids is None:
            return []
        covered.update(depot_ids)
    return [o for o in dispatch.offices_with_couriers(session) if o.id not in covered]


def rebuild(session: Session, plan_id: int, actor: Actor) -> Plan:
    """Send an unfinished or failed build again; solved parts are kept, the rest are solved."""
    from courier.outbox.service import enqueue

    plan = visible_plan(session, plan_id, actor)
    if plan.status not in (*IN_PROGRESS, PlanStatus.FAILED):
        raise Conflict(f"plan {plan.id} is {plan.status.value}; nothing to build")
    _refuse_in_progress(session, plan, exclude=plan.id)
    if plan.status is PlanStatus.FAILED:  # in progress at once: a plan request meanwhile gets it
        plan.status, plan.error = PlanStatus.QUEUED, None
    enqueue(session, "planning.build", plan_id=plan.id)
    session.flush()
    return plan


def get_plan(session: Session, plan_id: int, *, lock: bool = False) -> Plan:
    """The plan, or `PlanNotFound`."""
    query = select(Plan).where(Plan.id == plan_id)
    if lock:  # the row as it is once locked, not as this session first read it
        query = query.with_for_update().execution_options(populate_existing=True)
    plan = session.scalar(query)
    if plan is None:
        raise PlanNotFound(f"no plan {plan_id}")
    return plan


def visible_plan(session: Session, plan_id: int, actor: Actor, *, lock: bool = False) -> Plan:
    """A plan for admins, or for a dispatcher when all its depots are their post office."""
    office = access.office_scope(actor)
    plan = get_plan(session, plan_id, lock=lock)
    if not shown_to(plan, office):
        raise PermissionDenied(f"plan {plan_id} is not of your post office")
    return plan


def shown_to(plan: Plan, office: int | None) -> bool:
    """True when the plan is for exactly that post office (any plan for None: an admin)."""
    return office is None or (bool(plan.depot_ids) and set(plan.depot_ids or ()) == {office})


def prepare_parts(session: Session, plan_id: int, settings: Settings) -> list[int]:
    """Cut the day into parts once and store them; the ids of the parts still to solve.

    A plan that failed or was interrupted before its parts were cut is cut now; failed parts
    are solved again, solved parts are kept.
    """
    plan = get_plan(session, plan_id, lock=True)
    if plan.status not in (PlanStatus.QUEUED, PlanStatus.BUILDING, PlanStatus.FAILED):
        return []
    if not session.scalar(select(func.count()).where(PlanPart.plan_id == plan.id)):
        _cut(session, plan, settings)
    session.execute(
        update(PlanPart)
        .where(PlanPart.plan_id == plan.id, PlanPart.status == PartStatus.FAILED)
        .values(status=PartStatus.PENDING, error=None)
    )
    plan.status = PlanStatus.BUILDING
    plan.started_at = plan.started_at or utcnow()
    plan.error = None
    session.flush()
    return list(
        session.scalars(
            select(PlanPart.id)
            .where(PlanPart.plan_id == plan.id, PlanPart.status == PartStatus.PENDING)
            .order_by(PlanPart.stops.desc(), PlanPart.id)
        )
    )


def _cut(session: Session, plan: Plan, settings: Settings) -> None:
    """Turn the day into frozen parts stored with the plan, and count its stops."""
    locks = {
        lock.pickup_job_id: (lock.courier_id, lock.position)
        for lock in session.scalars(select(PlanLock).where(PlanLock.plan_id == plan.id))
    }
    built = problem.build_day(
        session,
        span=problem.horizon(plan.service_on, settings.zone),
        depot_ids=plan.depot_ids,
        zone=settings.zone,
        locks=locks,
        now=plan.replan_at,
        hold_cost=settings.plan_hold_cost_m,
    )
    parts = split_day(
        built.day,
        max_jobs=settings.plan_part_max_jobs,
        jobs_per_courier=settings.plan_jobs_per_courier,
    )
    for position, part in enumerate(parts):
        session.add(
            PlanPart(
                plan_id=plan.id,
                position=position,
                depot_id=int(part.depot.id),
                status=PartStatus.PENDING,
                problem=codec.part_to_json(part, built.speeds),
                stops=problem.stop_count(part.jobs),
            )
        )
    assigned = {j.id for p in parts for j in p.jobs}
    plan.parts_total, plan.parts_done = len(parts), 0
    plan.stops_served = plan.travel_s = plan.distance_m = 0
    plan.stops_total = problem.stop_count(built.day.jobs)
    plan.stops_dropped = problem.stop_count([j for j in built.day.jobs if j.id not in assigned])
    plan.notes = list(built.notes) or None


def load_part(session: Session, part_id: int) -> tuple[codec.PartJSON, int] | None:
    """(frozen problem, time limit) of a part still to solve; None when it is solved already,
    or when its plan is not building (a failed part stopped it: a rebuild sends the rest again).
    """
    part = session.get(PlanPart, part_id)
    if part is None or part.status is not PartStatus.PENDING:
        return None
    plan = get_plan(session, part.plan_id)
    if plan.status is not PlanStatus.BUILDING:
        return None
    return part.problem, plan.time_limit_s


def solve_frozen(frozen: codec.PartJSON, time_limit_s: int) -> codec.ResultJSON:
    """Solve a stored part at each courier's own speed, and name why each dropped pair is left
    out: no database is open while OR-Tools works."""
    routing_problem = build_problem(codec.part_from_json(frozen), GreatCircleProvider())
    speeds = frozen.get("speeds", {})
    vehicles = tuple(
        replace(v, speed_factor=speeds.get(v.id, 1.0)) for v in routing_problem.vehicles
    )
    routing_problem = replace(routing_problem, vehicles=vehicles)
    # One search phase: the fleet is already sized per office, and route elimination leaves the
    # first construction a fifth of a few seconds (bench/plans.py, 2,000 jobs, 5 s parts, the
    # same day: 82.5 % of stops served with it, 84.6 % without)
    routed = solve(
        routing_problem, SolveParams(time_limit_s=float(time_limit_s), reduce_vehicles=False)
    )
    return codec.result_to_json(routed, why_dropped(routing_problem, routed))


def store_result(session: Session, part_id: int, routed: codec.ResultJSON, solve_s: float) -> bool:
    """Store a part's routes once (compare-and-set); False when another run stored them first."""
    plan_id = session.scalar(select(PlanPart.plan_id).where(PlanPart.id == part_id))
    if plan_id is None:
        return False
    plan = get_plan(session, plan_id, lock=True)
    claimed = session.execute(
        update(PlanPart)
        .where(PlanPart.id == part_id, PlanPart.status == PartStatus.PENDING)
        .values(status=PartStatus.DONE, solved_at=utcnow(), solve_s=solve_s, result=routed)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    plan.parts_done = (
        session.scalar(
            select(func.count())
            .select_from(PlanPart)
            .where(PlanPart.plan_id == plan.id, PlanPart.status == PartStatus.DONE)
        )
        or 0
    )
    plan.stops_served += sum(len(r["visits"]) for r in routed["routes"])
    plan.stops_dropped += len(routed["dropped"])
    plan.travel_s += routed.get("travel_s", 0)
    plan.distance_m += routed.get("distance_m", 0)
    session.flush()
    return True


def finish_part_plan(session: Session, part_id: int, settings: Settings) -> None:
    """Finish the plan of a part when every part of it is solved (safe to run twice)."""
    plan_id = session.scalar(select(PlanPart.plan_id).where(PlanPart.id == part_id))
    if plan_id is not None:
        finish(session, plan_id, settings)


def finish(session: Session, plan_id: int, settings: Settings) -> Plan:
    """Write every courier's ordered stops from the solved parts; safe to run twice."""
    plan = get_plan(session, plan_id, lock=True)
    if plan.status is not PlanStatus.BUILDING or plan.parts_done < plan.parts_total:
        return plan
    session.execute(delete(RouteStop).where(RouteStop.plan_id == plan.id))
    span = problem.horizon(plan.service_on, settings.zone)
    for part in session.scalars(select(PlanPart).where(PlanPart.plan_id == plan.id)):
        _write_stops(session, plan, part, span)
    plan.status = PlanStatus.BUILT
    plan.finished_at = utcnow()
    session.flush()
    return plan


def _write_stops(session: Session, plan: Plan, part: PlanPart, span: problem.Horizon) -> None:
    """A solved part's routes as route stops; the stops of locked and moved pairs are marked."""
    locked = {j["id"] for j in part.problem["jobs"] if j.get("couriers") and j["pickup"]}
    for route in part.result["routes"] if part.result else []:
        for position, (stop_id, arrival, start, departure, load) in enumerate(route["visits"]):
            routing_id, end = stop_id.rsplit("/", 1)
            pickup_id, delivery_id = problem.job_ids(routing_id)
            session.add(
                RouteStop(
                    plan_id=plan.id,
                    courier_id=route["courier_id"],
                    position=position,
                    job_id=pickup_id if end == "pickup" else delivery_id,
                    at_post_office=end == HOLD,
                    arrival_at=span.moment(arrival),
                    start_at=span.moment(start),
                    departure_at=span.moment(departure),
                    load_after=load,
                    locked=routing_id in locked,
                )
            )


def fail(session: Session, plan_id: int, error: str) -> None:
    """Record why a build stopped; building it again resumes from the parts already solved."""
    plan = get_plan(session, plan_id, lock=True)
    if plan.status in (PlanStatus.QUEUED, PlanStatus.BUILDING):
        plan.status = PlanStatus.FAILED
        plan.error = error[:2000]
    session.flush()


def fail_part(session: Session, part_id: int, error: str) -> None:
    """Record that a part could not be solved, and fail its plan with the reason."""
    part = session.get(PlanPart, part_id)
    if part is None or part.status is not PartStatus.PENDING:
        return
    part.status, part.error = PartStatus.FAILED, error[:2000]
    fail(session, part.plan_id, f"part {part.position} (depot {part.depot_id}): {error}")


def publish(session: Session, plan_id: int, actor: Actor, settings: Settings) -> Plan:
    """Make a built plan the couriers' routes: assign its jobs, roll the dropped pairs over."""
    # post offices first, then the plan: the order every plan request, re-plan and rebuild takes
    # (the other order deadlocked against a re-plan, whose new plan references this one)
    _hold_offices(session, visible_plan(session, plan_id, actor).depot_ids)
    plan = get_plan(session, plan_id, lock=True)
    if plan.status is not PlanStatus.BUILT:
        raise Conflict(f"plan {plan.id} is {plan.status.value}; only a built plan is published")
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
    plan = visible_plan(session, plan_id, actor)
    if plan.status not in _READY:
        raise Conflict(f"plan {plan.id} is {plan.status.value}; lock stops of a built plan")
    problems = []
    pickup = _open_pickup(session, actor, job_id)
    if pickup is None:
        problems.append(FieldProblem(("job_id",), "no open job with this id"))
    if not _courier_of(session, plan, courier_id):
        problems.append(FieldProblem(("courier_id",), "no courier of this plan's post offices"))
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
    return [
        FieldProblem(
            ("position",), f"the courier's route has {length} other stops: at most {length}"
        )
    ]


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

    base = visible_plan(session, plan_id, actor)
    if base.status not in _READY:
        raise Conflict(f"plan {base.id} is {base.status.value}; re-plan a built plan")
    _refuse_in_progress(session, base)
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


@dataclass(frozen=True, slots=True)
class CourierStop:
    """One stop of a courier's published route, with the job and its dossier."""

    stop: RouteStop
    job: Job
    dossier: Dossier


def route_of(session: Session, plan_id: int, courier_id: int) -> list[CourierStop]:
    """One courier's stops in a plan, in order."""
    rows = session.execute(
        select(RouteStop, Job, Dossier)
        .join(Job, Job.id == RouteStop.job_id)
        .join(Dossier, Dossier.id == Job.dossier_id)
        .where(RouteStop.plan_id == plan_id, RouteStop.courier_id == courier_id)
        .order_by(RouteStop.position)
    ).all()
    return [CourierStop(stop, job, dossier) for stop, job, dossier in rows]


def route_sheet(
    session: Session,
    courier_id: int,
    service_on: date,
    stops: list[routes.RouteItem],
    zone: ZoneInfo,
) -> bytes:
    """The printable route sheet (PDF) of a courier's stops (a stop assigned by hand is printed
    at its window's start)."""
    from courier.fleet.models import Courier
    from courier.planning import sheets

    courier = session.get_one(Courier, courier_id)
    depot = courier.home_post_office
    data = sheets.SheetData(
        courier=f"{courier.full_name} ({courier.code})",
        day=service_on.strftime("%d/%m/%Y"),
        depot=depot.name_vi,
        depot_point=(depot.lat, depot.lon),
        stops=tuple(
            sheets.SheetStop(
                position=item.position,
                lat=item.place.lat if item.place else item.job.lat,
                lon=item.place.lon if item.place else item.job.lon,
                arrival=item.planned_arrival or item.window[0],
                window=item.window,
                action=item.action,
                address=item.place.address if item.place else item.job.address_text,
                tracking_code=item.dossier.tracking_code,
                fee_vnd=item.fee_to_collect_vnd,
            )
            for item in stops
        ),
        zone=zone,
    )
    return sheets.render(data)


def sheet_for_dispatcher(
    session: Session, plan_id: int, courier_id: int, actor: Actor, zone: ZoneInfo
) -> bytes:
    """A courier's sheet of a plan, for dispatchers (built or published plans)."""
    plan = visible_plan(session, plan_id, actor)
    from courier.fleet.models import Courier

    office = access.office_scope(actor)
    courier = session.get(Courier, courier_id)
    if office is not None and (courier is None or courier.home_post_office_id != office):
        raise PermissionDenied("a dispatcher prints the sheets of their own couriers only")
    stops = [
        routes.RouteItem(
            position=s.stop.position,
            job=s.job,
            dossier=s.dossier,
            planned_arrival=s.stop.arrival_at,
            window=window_on(s.job, s.dossier.slot, plan.service_on, zone),
            held_at=courier.home_post_office if courier and s.stop.at_post_office else None,
            planned=True,
            status="pending",
            fee_to_collect_vnd=routes.fee_to_collect(session, s.job),
        )
        for s in route_of(session, plan.id, courier_id)
    ]
    if not stops:
        raise PlanNotFound(f"courier {courier_id} has no stops in plan {plan_id}")
    return route_sheet(session, courier_id, plan.service_on, stops, zone)


ACTIONS = routes.ACTIONS  # kept importable from here
