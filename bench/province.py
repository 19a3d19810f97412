"""Province-scale benchmark: a generated Binh Duong day split per depot and solved in parallel.

Run: .venv/bin/python -m bench.province --sizes 2000 5000 10000 --workers 2 --budget 100
Side by side with VROOM (the `bench` extra), each part given the production plan's time:
     .venv/bin/python -m bench.province --sizes 2000 --max-jobs 40 80 160 10000 --part-seconds 20 --peer

Numbers come from /work/shared/demo-province.md (sites, bounds, speeds, opening hours), hard-coded
so the benchmark does not depend on the demo database. A "stop" is one end of a job: a day of
10,000 stops is 5,000 dossiers, each a pickup-delivery pair between a citizen and the center or
branch that receives it (inbound) or hands back the result (return).
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from bench.params import parse_overrides
from routing.matrix import (
    MOTORBIKE_RURAL,
    MOTORBIKE_TOWN,
    GreatCircleProvider,
    LatLon,
    haversine_m,
)
from routing.model import Break, Plan, Problem
from routing.partition import (
    Call,
    Courier,
    Day,
    Depot,
    Job,
    build_problem,
    merge_plans,
    solve_partitioned,
    split_day,
)
from routing.solver import part_params
from routing.validate import validate

BOUNDS = ((10.85, 11.50), (106.33, 106.98))
CENTER = LatLon(11.053, 106.668)


def hm(text: str) -> int:
    """Seconds since midnight of an "HH:MM" clock time."""
    hours, minutes = text.split(":")
    return int(hours) * 3600 + int(minutes) * 60


@dataclass(frozen=True, slots=True)
class Town:
    """A district-level town: its branch, share of the bookings, spread, and post offices."""

    name: str
    branch: LatLon
    weight: float
    spread_km: float
    post_offices: int
    urban: bool


TOWNS = (
    Town("Thu Dau Mot", LatLon(10.980, 106.652), 0.22, 3.0, 3, True),
    Town("Thuan An", LatLon(10.905, 106.700), 0.20, 3.0, 3, True),
    Town("Di An", LatLon(10.907, 106.769), 0.18, 3.0, 2, True),
    Town("Tan Uyen", LatLon(11.066, 106.795), 0.10, 5.0, 1, False),
    Town("Ben Cat", LatLon(11.154, 106.594), 0.10, 5.0, 1, False),
    Town("Bau Bang", LatLon(11.260, 106.630), 0.05, 7.0, 1, False),
    Town("Bac Tan Uyen", LatLon(11.142, 106.847), 0.05, 7.0, 1, False),
    Town("Phu Giao", LatLon(11.292, 106.798), 0.05, 7.0, 1, False),
    Town("Dau Tieng", LatLon(11.280, 106.365), 0.05, 7.0, 1, False),
)
CENTER_WINDOWS = ((hm("07:30"), hm("11:30")), (hm("13:00"), hm("17:00")))
CITIZEN_WINDOWS = (((hm("08:00"), hm("11:30")),), ((hm("13:30"), hm("17:00")),))
SHIFT = (hm("07:00"), hm("17:30"))
LUNCH = Break(hm("11:30"), hm("12:30"), 3600)
KM_PER_DEGREE = 111.2
PENALTY = 1_000_000
"""Drop cost of a dossier (m): far above a courier's day, so only what cannot fit is dropped."""


def _offset(point: LatLon, north_km: float, east_km: float) -> LatLon:
    """A point moved by some kilometres, clipped to the province box."""
    lat = point.lat + north_km / KM_PER_DEGREE
    lon = point.lon + east_km / (KM_PER_DEGREE * math.cos(math.radians(point.lat)))
    return LatLon(float(np.clip(lat, *BOUNDS[0])), float(np.clip(lon, *BOUNDS[1])))


def make_depots() -> list[tuple[Town, Depot]]:
    """Post offices: one a few hundred metres from each branch, the rest across dense towns."""
    depots: list[tuple[Town, Depot]] = []
    directions = ((0.3, 0.2), (2.5, -2.0), (-2.0, 2.5))
    for town in TOWNS:
        profile = MOTORBIKE_TOWN if town.urban else MOTORBIKE_RURAL
        for k in range(town.post_offices):
            point = _offset(town.branch, *directions[k])
            depots.append((town, Depot(f"PO-{town.name}-{k + 1}", point, profile)))
    return depots


def make_couriers(depots: Sequence[tuple[Town, Depot]], jobs: Sequence[Job]) -> list[Courier]:
    """About one courier per 40 stops, staffed in proportion to the dossiers near each office."""
    total = max(len(depots), round(len(jobs) * 2 / 40))
    nearest = np.argmin(
        haversine_m([job.citizen_point for job in jobs], [d.point for _, d in depots]), axis=1
    )
    # Offices are staffed for their usual demand; a rural stop costs more riding.
    weight = [
        float(np.sum(nearest == k)) * (1.0 if town.urban else 2.0) + 1.0
        for k, (town, _) in enumerate(depots)
    ]
    counts = [max(1, math.floor(total * w / sum(weight))) for w in weight]
    for i in np.argsort(weight)[::-1][: max(0, total - sum(counts))]:
        counts[int(i)] += 1
    return [
        Courier(f"{depot.id}-C{k + 1:02d}", depot.id, SHIFT, 30, LUNCH)
        for (_, depot), count in zip(depots, counts, strict=True)
        for k in range(count)
    ]


def make_jobs(stops: int, rng: np.random.Generator) -> list[Job]:
    """Half the stops' worth of dossiers: 60 % inbound to a center, 40 % results going back."""
    weights = np.array([town.weight for town in TOWNS])
    jobs: list[Job] = []
    for n in range(stops // 2):
        town = TOWNS[int(rng.choice(len(TOWNS), p=weights / weights.sum()))]
        north, east = rng.normal(0.0, town.spread_km, 2)
        citizen = Call(
            _offset(town.branch, float(north), float(east)),
            CITIZEN_WINDOWS[int(rng.integers(2))],
            300,
        )
        receiving = CENTER if rng.random() < 0.25 else town.branch
        counter = Call(receiving, CENTER_WINDOWS, 120)
        if rng.random() < 0.6:
            jobs.append(Job(f"IN{n:05d}", citizen, counter, 1, PENALTY, "pickup"))
        else:
            jobs.append(Job(f"RE{n:05d}", counter, citizen, 1, PENALTY, "delivery"))
    return jobs


def make_day(stops: int, seed: int = 2024) -> Day:
    """A generated province day with `stops` stops (stops / 2 dossiers)."""
    depots = make_depots()
    jobs = make_jobs(stops, np.random.default_rng(seed))
    return Day(
        depots=tuple(depot for _, depot in depots),
        couriers=tuple(make_couriers(depots, jobs)),
        jobs=tuple(jobs),
    )


@dataclass(frozen=True, slots=True)
class Result:
    """What one benchmark size measured, for one solver and one part size."""

    solver: str
    max_jobs: int
    mean_pairs: float
    stops: int
    wall_s: float
    parts: int
    served_share: float
    vehicles_used: int
    couriers: int
    travel_s: int
    distance_m: int
    violations: int


def run(
    stops: int,
    *,
    workers: int,
    budget_s: float,
    max_jobs: int,
    part_seconds: float | None = None,
    peer: bool = False,
    lunch: bool = True,
    overrides: dict[str, object] | None = None,
) -> list[Result]:
    """Generate, split, solve in parallel, validate and measure one day of `stops` stops; with
    `peer`, VROOM solves the same parts with the same time each; without `lunch`, no courier
    takes a lunch break (to compare the searches on the simpler problem)."""
    started = time.perf_counter()
    day = make_day(stops)
    if not lunch:
        day = replace(day, couriers=tuple(replace(c, lunch=None) for c in day.couriers))
    parts = split_day(day, max_jobs=max_jobs, jobs_per_courier=22)
    provider = GreatCircleProvider()
    problems = [build_problem(part, provider) for part in parts]
    # Parts run `workers` at a time; leave a tenth of the budget for setup and process start.
    rounds = math.ceil(len(problems) / workers)
    seconds = part_seconds or max(1.0, 0.9 * budget_s / rounds)
    params = part_params(seconds, **(overrides or {}))  # as the daily plan solves a part
    plans = solve_partitioned(problems, params, workers)
    found = [_result("ours", day, problems, plans, started, max_jobs)]
    if peer:
        from bench.peer import solve_with_vroom

        started = time.perf_counter()
        with ProcessPoolExecutor(max_workers=workers) as pool:
            theirs = list(pool.map(solve_with_vroom, problems, [seconds] * len(problems)))
        found.append(_result("vroom", day, problems, theirs, started, max_jobs))
    return found


def _result(
    solver: str,
    day: Day,
    problems: Sequence[Problem],
    plans: Sequence[Plan],
    started: float,
    max_jobs: int,
) -> Result:
    """One solver's plans of the day's parts, merged and checked."""
    plan = merge_plans(plans, time.perf_counter() - started)
    stops = sum(len(p.stops) for p in problems)
    violations = sum(_violations(p, q) for p, q in zip(problems, plans, strict=True))
    return Result(
        solver=solver,
        max_jobs=max_jobs,
        mean_pairs=stops / 2 / max(1, len(problems)),
        stops=stops,
        wall_s=time.perf_counter() - started,
        parts=len(problems),
        served_share=1 - len(plan.dropped) / max(1, stops),
        vehicles_used=plan.vehicles_used,
        couriers=len(day.couriers),
        travel_s=plan.travel_s,
        distance_m=plan.distance_m,
        violations=violations,
    )


def _violations(problem: Problem, plan: Plan) -> int:
    """Number of constraint violations of one part's plan (0 when every route is feasible)."""
    return len(validate(problem, plan))


def table(results: Sequence[Result]) -> str:
    """The results as a Markdown table."""
    lines = [
        "| solver | stops | pairs / part | wall s | parts | served | couriers used / on duty "
        "| travel h | distance km | travel s / stop | m / stop | violations |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        served = max(1, round(r.served_share * r.stops))
        lines.append(
            f"| {r.solver} | {r.stops:,} | {r.mean_pairs:.0f} | {r.wall_s:.1f} | {r.parts} "
            f"| {r.served_share:.1%} "
            f"| {r.vehicles_used} / {r.couriers} | {r.travel_s / 3600:,.1f} "
            f"| {r.distance_m / 1000:,.1f} | {r.travel_s / served:.0f} "
            f"| {r.distance_m / served:.0f} | {r.violations} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark for the requested sizes and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 5000, 10000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--budget", type=float, default=100.0, help="solve seconds per size")
    parser.add_argument(
        "--max-jobs", type=int, nargs="+", default=[80], help="dossiers per sub-problem"
    )
    parser.add_argument(
        "--part-seconds", type=float, help="seconds per part (instead of sharing --budget)"
    )
    parser.add_argument("--peer", action="store_true", help="also solve every part with VROOM")
    parser.add_argument("--no-lunch", action="store_true", help="couriers take no lunch break")
    parser.add_argument(
        "--params", nargs="*", default=[], help="SolveParams changes, e.g. reduce_vehicles=true"
    )
    args = parser.parse_args(argv)
    overrides = parse_overrides(args.params)
    results = []
    for stops in args.sizes:
        for max_jobs in args.max_jobs:
            found = run(
                stops,
                workers=args.workers,
                budget_s=args.budget,
                max_jobs=max_jobs,
                part_seconds=args.part_seconds,
                peer=args.peer,
                lunch=not args.no_lunch,
                overrides=overrides,
            )
            for line in table(found).splitlines()[2:]:
                print(line, flush=True)
            results.extend(found)
    print(table(results))


if __name__ == "__main__":
    main()
