"""Building a plan: cut the day into frozen parts stored with the plan (once: a re-run finds
them), solve each (Celery workers, or in-process), store its routes and why pairs were left out,
and once every part is solved write each courier's ordered stops.
"""

from dataclasses import replace

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from courier.db import utcnow
from courier.planning import problem, service
from courier.planning.models import PartStatus, Plan, PlanLock, PlanPart, PlanStatus, RouteStop
from courier.settings import Settings
from routing import codec
from routing.diagnose import why_dropped
from routing.matrix import GreatCircleProvider
from routing.partition import HOLD, build_problem, split_day
from routing.solver import part_params, solve


def prepare_parts(session: Session, plan_id: int, settings: Settings) -> list[int]:
    """Cut the day into parts once and store them; the ids of the parts still to solve.

    A plan that failed or was interrupted before its parts were cut is cut now; failed parts
    are solved again, solved parts are kept.
    """
    plan = service.get_plan(session, plan_id, lock=True)
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
    plan = service.get_plan(session, part.plan_id)
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
    routed = solve(routing_problem, part_params(float(time_limit_s)))
    return codec.result_to_json(routed, why_dropped(routing_problem, routed))


def store_result(session: Session, part_id: int, routed: codec.ResultJSON, solve_s: float) -> bool:
    """Store a part's routes once (compare-and-set); False when another run stored them first."""
    plan_id = session.scalar(select(PlanPart.plan_id).where(PlanPart.id == part_id))
    if plan_id is None:
        return False
    try:
        plan = service.get_plan(session, plan_id, lock=True)
    except service.PlanNotFound:  # discarded (another part failed it) while this one was solved
        return False
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
    if plan_id is None:
        return
    try:
        finish(session, plan_id, settings)
    except service.PlanNotFound:  # discarded meanwhile: nothing to finish
        return


def finish(session: Session, plan_id: int, settings: Settings) -> Plan:
    """Write every courier's ordered stops from the solved parts; safe to run twice."""
    plan = service.get_plan(session, plan_id, lock=True)
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
    """Record why a build stopped; building it again resumes from the parts already solved.
    Nothing to do when the plan was discarded meanwhile."""
    try:
        plan = service.get_plan(session, plan_id, lock=True)
    except service.PlanNotFound:
        return
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
