"""Splitting a province day into per-depot parts and solving the parts in parallel."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import numpy as np
import pytest

from routing.matrix import MOTORBIKE_TOWN, GreatCircleProvider, LatLon
from routing.model import Break, InvalidProblem
from routing.partition import (
    Call,
    Courier,
    Day,
    Depot,
    Job,
    assign_jobs,
    build_problem,
    merge_plans,
    solve_partitioned,
    split_day,
)
from routing.solver import SolveParams
from routing.validate import validate

HOUR = 3600
COUNTER = ((7 * HOUR + 1800, 11 * HOUR + 1800), (13 * HOUR, 17 * HOUR))
MORNING = ((8 * HOUR, 11 * HOUR + 1800),)
NORTH = Depot("PO-north", LatLon(11.05, 106.67), MOTORBIKE_TOWN)
SOUTH = Depot("PO-south", LatLon(10.91, 106.70), MOTORBIKE_TOWN)


def make_courier(depot: Depot, n: int) -> Courier:
    """A full-day courier of a depot, capacity 30, an hour's lunch."""
    lunch = Break(11 * HOUR + 1800, 12 * HOUR + 1800, HOUR)
    return Courier(f"{depot.id}-{n}", depot.id, (7 * HOUR, 17 * HOUR + 1800), 30, lunch)


def make_jobs(near: Depot, count: int, seed: int, prefix: str) -> list[Job]:
    """Inbound dossiers from citizens scattered ~2 km around a depot to the depot's branch."""
    rng = np.random.default_rng(seed)
    jobs = []
    for n in range(count):
        dlat, dlon = rng.normal(0.0, 0.02, 2)
        citizen = Call(LatLon(near.point.lat + dlat, near.point.lon + dlon), MORNING, 300)
        branch = Call(LatLon(near.point.lat + 0.003, near.point.lon), COUNTER, 120)
        jobs.append(Job(f"{prefix}{n:03d}", citizen, branch, penalty=1_000_000))
    return jobs


def make_day(north_jobs: int = 8, south_jobs: int = 8, couriers: int = 2) -> Day:
    """Two depots with their couriers and jobs around each."""
    return Day(
        depots=(NORTH, SOUTH),
        couriers=tuple(make_courier(d, n) for d in (NORTH, SOUTH) for n in range(couriers)),
        jobs=tuple(make_jobs(NORTH, north_jobs, 1, "N") + make_jobs(SOUTH, south_jobs, 2, "S")),
    )


def test_every_job_lands_in_exactly_one_part() -> None:
    """No dossier is lost or planned twice by the split."""
    day = make_day(north_jobs=37, south_jobs=23, couriers=3)
    parts = split_day(day, max_jobs=10, jobs_per_courier=20)
    counts = Counter(job.id for part in parts for job in part.jobs)
    assert set(counts) == {job.id for job in day.jobs}
    assert set(counts.values()) == {1}


def test_parts_respect_the_size_cap_and_keep_couriers_home() -> None:
    """Each part holds at most max_jobs jobs and only couriers of its own depot, none twice."""
    day = make_day(north_jobs=37, south_jobs=23, couriers=3)
    parts = split_day(day, max_jobs=10, jobs_per_courier=10)
    assert max(len(part.jobs) for part in parts) <= 10
    assert all(c.depot_id == part.depot.id for part in parts for c in part.couriers)
    courier_ids = [c.id for part in parts for c in part.couriers]
    assert len(courier_ids) == len(set(courier_ids)) == len(day.couriers)


def test_no_part_is_left_without_a_courier() -> None:
    """When the cap would need more sectors than a depot has couriers, each part still gets one."""
    day = make_day(north_jobs=37, south_jobs=23, couriers=3)
    parts = split_day(day, max_jobs=5, jobs_per_courier=20)
    assert all(part.couriers for part in parts)
    assert sum(len(part.jobs) for part in parts) == 60


def test_jobs_go_to_the_nearest_depot() -> None:
    """With room everywhere, every job goes to the depot its citizen is nearest to."""
    assigned = assign_jobs(make_day(), jobs_per_courier=20)
    assert {job.id[0] for job in assigned["PO-north"]} == {"N"}
    assert {job.id[0] for job in assigned["PO-south"]} == {"S"}


def test_an_overloaded_depot_hands_its_overflow_to_the_next_nearest() -> None:
    """A depot with room for 10 jobs keeps 10 and the other depot takes the rest."""
    day = make_day(north_jobs=16, south_jobs=2, couriers=1)
    assigned = assign_jobs(day, jobs_per_courier=10)
    assert len(assigned["PO-north"]) == 10
    assert len(assigned["PO-south"]) == 8


def test_problem_puts_the_depot_first_and_shares_places() -> None:
    """Location 0 is the depot; jobs handed to the same counter share one location."""
    day = make_day(north_jobs=5, south_jobs=0)
    (part,) = split_day(day, max_jobs=10)
    problem = build_problem(part, GreatCircleProvider())
    assert {v.start for v in problem.vehicles} == {0}
    assert problem.matrix.size == 1 + 5 + 1
    assert len({problem.stop(f"N{n:03d}/delivery").location for n in range(5)}) == 1


@pytest.mark.slow
def test_parallel_solving_gives_the_same_valid_plans_as_serial() -> None:
    """Two parts solved in two processes give the serial plans, and every route is feasible."""
    day = make_day(north_jobs=6, south_jobs=6, couriers=2)
    problems = [build_problem(p, GreatCircleProvider()) for p in split_day(day, max_jobs=6)]
    params = SolveParams(time_limit_s=20, solution_limit=30)
    serial = solve_partitioned(problems, params, workers=1)
    parallel = solve_partitioned(problems, params, workers=2)
    assert len(problems) == 2
    assert [p.routes for p in parallel] == [p.routes for p in serial]
    for problem, plan in zip(problems, parallel, strict=True):
        assert validate(problem, plan) == []
        assert plan.dropped == ()


def test_merged_plan_adds_up_the_parts() -> None:
    """The day's plan has every part's routes and the sums of their travel and distance."""
    day = make_day(north_jobs=3, south_jobs=3, couriers=1)
    problems = [build_problem(p, GreatCircleProvider()) for p in split_day(day, max_jobs=6)]
    plans = solve_partitioned(problems, SolveParams(time_limit_s=5, solution_limit=5), workers=1)
    merged = merge_plans(plans, wall_s=1.0)
    assert len(merged.routes) == sum(len(p.routes) for p in plans) == 2
    assert merged.travel_s == sum(p.travel_s for p in plans)
    assert merged.distance_m == sum(p.distance_m for p in plans)
    assert merged.vehicles_used == sum(p.vehicles_used for p in plans)


def test_a_job_locked_to_an_unknown_courier_is_refused_by_name() -> None:
    """A lock naming a courier the day lacks raises InvalidProblem (it was a bare KeyError)."""
    day = make_day(north_jobs=2, south_jobs=1, couriers=1)
    locked = replace(day.jobs[1], couriers=("ghost",))
    day = replace(day, jobs=(day.jobs[0], locked, *day.jobs[2:]))
    with pytest.raises(
        InvalidProblem, match=r"^job 'N001' is restricted to unknown couriers \['ghost'\]$"
    ):
        split_day(day)


def _lock(day: Day, every: int) -> tuple[Day, dict[str, str]]:
    """Every `every`-th job bound to a courier of its depot, round the couriers; job → courier."""
    couriers = {d.id: [c.id for c in day.couriers if c.depot_id == d.id] for d in day.depots}
    bound: dict[str, str] = {}
    jobs = []
    for n, job in enumerate(day.jobs):
        if n % every == 0:
            depot = "PO-north" if job.id.startswith("N") else "PO-south"
            bound[job.id] = couriers[depot][n // every % len(couriers[depot])]
            job = replace(job, couriers=(bound[job.id],))
        jobs.append(job)
    return replace(day, jobs=tuple(jobs)), bound


def test_locked_jobs_join_their_couriers_part_and_parts_stay_small() -> None:
    """A re-plan with locks keeps parts at the cap (free jobs), each lock with its courier."""
    day, bound = _lock(make_day(north_jobs=120, south_jobs=60, couriers=6), every=9)
    parts = split_day(day, max_jobs=30, jobs_per_courier=30)
    assert len(parts) >= 6  # not one part per depot
    for part in parts:
        free = [job for job in part.jobs if not job.couriers]
        assert len(free) <= 30
        crew = {c.id for c in part.couriers}
        assert all(bound[job.id] in crew for job in part.jobs if job.couriers)
        assert crew
    counts = Counter(job.id for part in parts for job in part.jobs)
    assert set(counts) == {job.id for job in day.jobs}
    assert set(counts.values()) == {1}
    couriers = [c.id for part in parts for c in part.couriers]
    assert sorted(couriers) == sorted(c.id for c in day.couriers)


def test_locked_parts_solve_to_valid_plans_that_keep_every_lock() -> None:
    """Solved, each bound job is served by its courier."""
    day, bound = _lock(make_day(north_jobs=40, south_jobs=20, couriers=3), every=7)
    problems = [build_problem(p, GreatCircleProvider()) for p in split_day(day, max_jobs=15)]
    assert len(problems) >= 4
    plans = solve_partitioned(problems, SolveParams(time_limit_s=1.0), workers=1)
    served_by = {}
    for problem, plan in zip(problems, plans, strict=True):
        assert validate(problem, plan) == []
        served_by.update({v.stop_id: r.vehicle_id for r in plan.routes for v in r.visits})
    for job_id, courier in bound.items():
        assert served_by[f"{job_id}/pickup"] == courier


def test_a_job_stays_with_the_depot_that_serves_it_while_it_has_room() -> None:
    """Served by the south depot, a northern job goes south (the rule dispatchers see by);
    with the south full it falls back to the nearest."""
    day = make_day(north_jobs=4, south_jobs=2, couriers=1)
    moved = replace(day.jobs[0], depot_id="PO-south")
    day = replace(day, jobs=(moved, *day.jobs[1:]))
    assert moved.id in {job.id for job in assign_jobs(day, jobs_per_courier=10)["PO-south"]}
    assert moved.id in {job.id for job in assign_jobs(day, jobs_per_courier=2)["PO-south"]}
    full = replace(day, jobs=(moved, *make_jobs(SOUTH, 3, 9, "T")))
    assigned = assign_jobs(full, jobs_per_courier=3)
    assert len(assigned["PO-south"]) == 3
