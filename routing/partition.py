"""Province scale: split a day into independent per-depot sub-problems and solve them in parallel.

A day is plain data with coordinates (depots, couriers, jobs). Each job (one dossier, a
pickup→delivery pair) goes to the depot that serves it (else the one nearest its citizen end)
unless that depot is full; a depot's jobs are cut into angular sectors of bounded size, each with
a share of the depot's couriers, and a job bound to a courier joins that courier's sector.
Sub-problems share no courier and no job, so their plans simply add up.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Literal

import numpy as np

from routing.matrix import LatLon, MatrixProvider, Profile, haversine_m
from routing.model import (
    Break,
    InvalidProblem,
    Objective,
    Pair,
    Plan,
    Problem,
    Route,
    SolverStats,
    Stop,
    Vehicle,
)
from routing.solver import SolveParams, solve


@dataclass(frozen=True, slots=True)
class Call:
    """One end of a job: where, the time windows for the start of service, how long it takes."""

    point: LatLon
    windows: tuple[tuple[int, int], ...]
    service_s: int = 0
    # once on arriving from another place (a counter's wait), before the service (`Stop.setup_s`)
    setup_s: int = 0


@dataclass(frozen=True, slots=True)
class Job:
    """One dossier carried from `pickup` to `delivery` on one route.

    `citizen_end` tells which end is the citizen's (pickup for inbound dossiers, delivery for
    results): the job belongs to the depot serving that neighbourhood. `depot_id`, when known,
    is the depot that serves the dossier (the one whose dispatcher sees it): the split keeps it
    there while the depot has room.
    """

    id: str
    pickup: Call | None
    delivery: Call
    demand: int = 1
    penalty: int | None = None
    citizen_end: Literal["pickup", "delivery"] = "pickup"
    # a dispatcher's lock or move, or the courier already carrying it (then `pickup` is None)
    couriers: tuple[str, ...] | None = None
    position: int | None = None
    depot_id: str | None = None
    # when set, the dossier may instead be left at the depot the route ends at (a post office
    # holding it overnight), at this cost in metres on top of the riding
    hold_cost: int | None = None

    @property
    def citizen_point(self) -> LatLon:
        """Where the citizen is."""
        if self.citizen_end == "pickup" and self.pickup is not None:
            return self.pickup.point
        return self.delivery.point


@dataclass(frozen=True, slots=True)
class Depot:
    """A post office couriers start from and return to, with how its couriers travel."""

    id: str
    point: LatLon
    profile: Profile


@dataclass(frozen=True, slots=True)
class Courier:
    """A courier of a depot: shift (s since midnight), capacity in dossiers, lunch break."""

    id: str
    depot_id: str
    shift: tuple[int, int]
    capacity: int
    lunch: Break | None = None
    fixed_cost: int = 0
    # where and with how many dossiers the courier is now, when re-planning during the day
    start: LatLon | None = None
    start_load: int = 0


@dataclass(frozen=True, slots=True)
class Day:
    """Everything to plan for one day in a province."""

    depots: tuple[Depot, ...]
    couriers: tuple[Courier, ...]
    jobs: tuple[Job, ...]


@dataclass(frozen=True, slots=True)
class Part:
    """An independent sub-problem: one depot, some of its couriers, the jobs they share."""

    depot: Depot
    couriers: tuple[Courier, ...]
    jobs: tuple[Job, ...]


def assign_jobs(day: Day, jobs_per_courier: int) -> dict[str, list[Job]]:
    """Jobs per depot id: the depot serving the job, else the one nearest the citizen; the next
    nearest while it is full.

    A depot holds at most `jobs_per_courier` × its couriers. Jobs with a serving depot choose
    first, then those that lose most by moving (largest regret: second-nearest minus nearest
    distance); when every depot is full a job stays with its first choice, where the solver
    drops it if it cannot fit.
    """
    depots = day.depots
    by_depot: dict[str, list[Job]] = {depot.id: [] for depot in depots}
    if not day.jobs or not depots:
        return by_depot
    room = {depot.id: 0 for depot in depots}
    for courier in day.couriers:
        room[courier.depot_id] += jobs_per_courier
    home = {courier.id: courier.depot_id for courier in day.couriers}
    _check_locks(day.jobs, home)
    free = [job for job in day.jobs if not job.couriers]
    for job in day.jobs:
        if job.couriers:  # locked, moved or on board: its courier's depot, whatever the room
            depot_id = home[job.couriers[0]]
            room[depot_id] -= 1
            by_depot[depot_id].append(job)
    if not free:
        return by_depot
    distance = haversine_m([job.citizen_point for job in free], [d.point for d in depots])
    preference = np.argsort(distance, axis=1, kind="stable")
    ranked = np.sort(distance, axis=1)
    regret = ranked[:, 1] - ranked[:, 0] if len(depots) > 1 else np.zeros(len(free))
    served = np.array([job.depot_id in by_depot for job in free])
    regret[served] = np.inf
    for j in np.argsort(-regret, kind="stable"):
        choices = [depots[int(k)].id for k in preference[j]]
        if served[j]:
            choices.insert(0, str(free[int(j)].depot_id))
        chosen = next((d for d in choices if room[d] > 0), choices[0])
        room[chosen] -= 1
        by_depot[chosen].append(free[int(j)])
    return by_depot


def _check_locks(jobs: Sequence[Job], home: dict[str, str]) -> None:
    """Refuse a job restricted to a courier the day does not have."""
    for job in jobs:
        unknown = sorted(set(job.couriers or ()) - home.keys())
        if unknown:
            raise InvalidProblem(f"job {job.id!r} is restricted to unknown couriers {unknown}")


def split_day(day: Day, *, max_jobs: int = 100, jobs_per_courier: int = 20) -> list[Part]:
    """Cut the day into parts of about `max_jobs` jobs, each with its depot's couriers' share.

    The cap holds for the free jobs when `max_jobs` >= `jobs_per_courier`; a job bound to a
    courier (locked, moved, on board) joins its courier's part on top. Below that, or when every
    depot is full, a depot keeps one part per courier and its parts may be larger.
    """
    if max_jobs < 1:
        raise ValueError("max_jobs must be at least 1")
    by_depot = assign_jobs(day, jobs_per_courier)
    parts: list[Part] = []
    for depot in day.depots:
        jobs = by_depot[depot.id]
        couriers = [c for c in day.couriers if c.depot_id == depot.id]
        if jobs:
            parts.extend(_depot_parts(depot, couriers, jobs, max_jobs))
    return parts


def _depot_parts(
    depot: Depot, couriers: list[Courier], jobs: list[Job], max_jobs: int
) -> list[Part]:
    """A depot's parts: sectors of its free jobs, couriers shared among them, bound jobs with
    their courier. A part without a courier could only drop its jobs: never more sectors than
    couriers."""
    free = [job for job in jobs if not job.couriers]
    count = max(1, min(math.ceil(len(jobs) / max_jobs), len(couriers)))
    if len(free) < count:
        return [Part(depot, tuple(couriers), tuple(jobs))]
    sectors = _sectors(depot, free, count)
    bound: dict[str, list[Job]] = {}
    for job in jobs:
        if job.couriers:
            bound.setdefault(job.couriers[0], []).append(job)
    crews = _crews(sectors, couriers, bound, _shares([len(s) for s in sectors], len(couriers)))
    return [
        Part(
            depot, tuple(crew), tuple(sector) + tuple(j for c in crew for j in bound.get(c.id, ()))
        )
        for sector, crew in zip(sectors, crews, strict=True)
    ]


def _crews(
    sectors: list[list[Job]],
    couriers: list[Courier],
    bound: dict[str, list[Job]],
    shares: list[int],
) -> list[list[Courier]]:
    """Couriers per sector, `shares[i]` for sector i: a courier with bound jobs goes to the
    sector nearest those jobs that still has room, the others fill the rest in order."""
    centres = [_centre([job.citizen_point for job in sector]) for sector in sectors]
    crews: list[list[Courier]] = [[] for _ in sectors]
    for courier in (c for c in couriers if c.id in bound):
        where = _centre([job.citizen_point for job in bound[courier.id]])
        order = np.argsort(haversine_m([where], centres)[0], kind="stable")
        room = [int(i) for i in order if len(crews[int(i)]) < shares[int(i)]]
        crews[room[0] if room else int(order[0])].append(courier)
    others = iter(c for c in couriers if c.id not in bound)
    for crew, share in zip(crews, shares, strict=True):
        crew.extend(c for _, c in zip(range(share - len(crew)), others, strict=False))
    return crews


def _centre(points: list[LatLon]) -> LatLon:
    """The mean of some points (near enough on a province's scale)."""
    return LatLon(
        sum(p.lat for p in points) / len(points), sum(p.lon for p in points) / len(points)
    )


def _sectors(depot: Depot, jobs: list[Job], count: int) -> list[list[Job]]:
    """Split jobs into `count` near-equal angular sectors around the depot (a sweep)."""
    if count <= 1:
        return [jobs]
    angle = np.array(
        [
            math.atan2(j.citizen_point.lat - depot.point.lat, j.citizen_point.lon - depot.point.lon)
            for j in jobs
        ]
    )
    order = np.argsort(angle, kind="stable")
    # Start the sweep at the widest angular gap so no sector straddles a dense cluster's cut.
    gaps = np.diff(np.append(angle[order], angle[order][0] + 2 * math.pi))
    order = np.roll(order, -int(np.argmax(gaps)) - 1)
    return [[jobs[int(i)] for i in chunk] for chunk in np.array_split(order, count)]


def _shares(sizes: list[int], couriers: int) -> list[int]:
    """Couriers per sector in proportion to its jobs (largest remainder), one each if possible."""
    total = sum(sizes)
    base = [min(1, couriers) if couriers >= len(sizes) else 0 for _ in sizes]
    spare = couriers - sum(base)
    exact = [spare * size / total for size in sizes]
    shares = [b + math.floor(e) for b, e in zip(base, exact, strict=True)]
    leftovers = sorted(range(len(sizes)), key=lambda i: math.floor(exact[i]) - exact[i])
    for i in leftovers[: couriers - sum(shares)]:
        shares[i] += 1
    return shares


def build_problem(
    part: Part, provider: MatrixProvider, objective: Objective = "hierarchical"
) -> Problem:
    """The solver's problem for one part: location 0 is the depot, then each distinct place."""
    places: dict[LatLon, int] = {part.depot.point: 0}
    for courier in part.couriers:
        if courier.start is not None:
            places.setdefault(courier.start, len(places))
    for job in part.jobs:
        for call in (job.pickup, job.delivery):
            if call is not None:
                places.setdefault(call.point, len(places))
    matrix = provider.matrix(list(places), part.depot.profile).to_model()
    stops: list[Stop] = []
    pairs: list[Pair] = []
    hold = _holding_call(part)
    for job in part.jobs:
        delivery = f"{job.id}/delivery"
        pair = None
        if job.pickup is not None:
            pickup = f"{job.id}/pickup"
            stops.append(_stop(pickup, job.pickup, places, job.demand, job, job.position))
            pair = _pair(job, pickup, delivery, hold)
            pairs.append(pair)
        at = job.position if job.pickup is None else None
        stops.append(_stop(delivery, job.delivery, places, -job.demand, job, at))
        if pair is not None and pair.alternative is not None and hold is not None:
            stops.append(_stop(pair.alternative, hold, places, -job.demand, job, None))
    vehicles = tuple(
        Vehicle(
            c.id,
            places[c.start] if c.start is not None else 0,
            0,
            c.shift,
            c.capacity,
            c.lunch,
            c.fixed_cost,
            start_load=c.start_load,
        )
        for c in part.couriers
    )
    return Problem(
        vehicles=vehicles,
        stops=tuple(stops),
        matrix=matrix,
        pairs=tuple(pairs),
        objective=objective,
    )


HOLD = "overnight"  # the stop id suffix of a dossier left at the depot for the night


def _holding_call(part: Part) -> Call | None:
    """Leaving a dossier at the depot: any time its couriers are on shift, a minute's handover."""
    if not part.couriers:
        return None
    opens = min(c.shift[0] for c in part.couriers)
    closes = max(c.shift[1] for c in part.couriers)
    return Call(part.depot.point, ((opens, closes),), HOLD_SERVICE_S)


HOLD_SERVICE_S = 60


def _pair(job: Job, pickup: str, delivery: str, hold: Call | None) -> Pair:
    """The job's pair, with leaving it at the depot as the alternative delivery when allowed."""
    if job.hold_cost is None or hold is None:
        return Pair(pickup, delivery)
    return Pair(pickup, delivery, f"{job.id}/{HOLD}", job.hold_cost)


def _stop(
    stop_id: str,
    call: Call,
    places: dict[LatLon, int],
    demand: int,
    job: Job,
    position: int | None,
) -> Stop:
    return Stop(
        stop_id,
        places[call.point],
        call.windows,
        call.service_s,
        demand,
        job.penalty,
        vehicles=job.couriers,
        position=position,
        setup_s=call.setup_s,
    )


def solve_partitioned(
    problem_parts: Sequence[Problem], params: SolveParams, workers: int
) -> list[Plan]:
    """Solve independent problems, in `workers` processes (in this process when 1); same order."""
    if workers <= 1 or len(problem_parts) <= 1:
        return [solve(problem, params) for problem in problem_parts]
    # Largest parts first so a long solve does not start last and leave a worker idle.
    order = sorted(range(len(problem_parts)), key=lambda i: -len(problem_parts[i].stops))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures: dict[int, Future[Plan]] = {
            i: pool.submit(solve, problem_parts[i], params) for i in order
        }
        return [futures[i].result() for i in range(len(problem_parts))]


def merge_plans(plans: Sequence[Plan], wall_s: float) -> Plan:
    """One plan for the whole day from the parts' plans (routes and drops side by side)."""
    routes: list[Route] = [route for plan in plans for route in plan.routes]
    statuses = sorted({plan.stats.status for plan in plans})
    stats = SolverStats(
        status=statuses[0] if len(statuses) == 1 else "+".join(statuses),
        wall_s=wall_s,
        objective=sum(plan.stats.objective for plan in plans),
        vehicles_used=sum(plan.vehicles_used for plan in plans),
    )
    return Plan(
        routes=tuple(routes),
        dropped=tuple(stop for plan in plans for stop in plan.dropped),
        travel_s=sum(plan.travel_s for plan in plans),
        distance_m=sum(plan.distance_m for plan in plans),
        stats=stats,
    )
