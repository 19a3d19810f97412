"""Literature benchmark: our solver, OR-Tools common defaults and VROOM side by side.

Usage: python bench/literature.py [--time-limit 30] [--data /work/shared/bench-data] [--only NAME]
Runs one solver process at a time (one core each) and prints one markdown row per run.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import itertools
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import vroom

from routing.literature import SCALE, Instance, euclidean_distance, read_instance
from routing.model import Plan, Problem, Route, SolverStats, Stop, Visit
from routing.solver import SolveParams, solve
from routing.validate import validate

Runner = Callable[[Instance, float], Plan]


def run_ours(instance: Instance, seconds: float) -> Plan:
    """Our solver, hierarchical objective."""
    return solve(instance.problem, SolveParams(time_limit_s=seconds))


def run_ortools_defaults(instance: Instance, seconds: float) -> Plan:
    """OR-Tools with the common defaults: PATH_CHEAPEST_ARC + GLS, fixed vehicle cost 1000."""
    problem = instance.problem
    vehicles = tuple(dataclasses.replace(v, fixed_cost=1000 * SCALE) for v in problem.vehicles)
    plain = dataclasses.replace(problem, vehicles=vehicles, objective="distance")
    params = SolveParams(
        time_limit_s=seconds,
        first_solution="PATH_CHEAPEST_ARC",
        reduce_vehicles=False,
        drop_mandatory=False,
    )
    return solve(plain, params)


def run_vroom(instance: Instance, seconds: float) -> Plan:
    """VROOM through pyvroom, exploration level 5, one thread, fixed vehicle cost 1000."""
    problem = instance.problem
    started = time.monotonic()
    data = vroom.Input()
    data.set_durations_matrix("car", [list(row) for row in problem.matrix.durations])
    data.set_costs_matrix("car", [list(row) for row in problem.matrix.distances])
    for k, vehicle in enumerate(problem.vehicles):
        data.add_vehicle(
            vroom.Vehicle(
                id=k,
                start=vehicle.start,
                end=vehicle.end,
                capacity=[vehicle.capacity],
                time_window=vroom.TimeWindow(*vehicle.shift),
                costs=vroom.VehicleCosts(fixed=1000 * SCALE),
            )
        )
    _add_vroom_tasks(data, problem)
    solution = data.solve(exploration_level=5, nb_threads=1, timeout=timedelta(seconds=seconds))
    frame = solution.routes
    tasks = frame[frame["type"].isin(["job", "pickup", "delivery"])]
    orders: dict[str, list[str]] = {v.id: [] for v in problem.vehicles}
    for vehicle_k, task_id in zip(tasks["vehicle_id"], tasks["id"], strict=True):
        orders[problem.vehicles[int(vehicle_k)].id].append(str(int(task_id)))
    return timed_plan(problem, orders, time.monotonic() - started)


def _add_vroom_tasks(data: vroom.Input, problem: Problem) -> None:
    paired = problem.partner()
    for pair in problem.pairs:
        pickup, delivery = problem.stop(pair.pickup), problem.stop(pair.delivery)
        data.add_shipment(
            pickup=_vroom_step(pickup),
            delivery=_vroom_step(delivery),
            amount=vroom.Amount([pickup.demand]),
        )
    for stop in problem.stops:
        if stop.id in paired:
            continue
        data.add_job(
            vroom.Job(
                id=int(stop.id),
                location=stop.location,
                default_service=stop.service_s,
                pickup=[stop.demand],
                time_windows=[vroom.TimeWindow(*w) for w in stop.windows],
            )
        )


def _vroom_step(stop: Stop) -> vroom.ShipmentStep:
    return vroom.ShipmentStep(
        id=int(stop.id),
        location=stop.location,
        default_service=stop.service_s,
        time_windows=[vroom.TimeWindow(*w) for w in stop.windows],
    )


def timed_plan(problem: Problem, orders: dict[str, list[str]], seconds: float) -> Plan:
    """A Plan for given visiting orders with earliest service starts (literature: one window)."""
    routes = []
    served: set[str] = set()
    for vehicle in problem.vehicles:
        clock, location, load, visits = vehicle.shift[0], vehicle.start, 0, []
        for stop_id in orders[vehicle.id]:
            stop = problem.stop(stop_id)
            arrival = clock + vehicle.travel_s(problem.matrix.durations[location][stop.location])
            begin = max(arrival, stop.windows[0][0])
            load += stop.demand
            visits.append(Visit(stop_id, arrival, begin, begin + stop.service_s, load))
            clock, location = begin + stop.service_s, stop.location
            served.add(stop_id)
        end = clock + vehicle.travel_s(problem.matrix.durations[location][vehicle.end])
        routes.append(Route(vehicle.id, tuple(visits), vehicle.shift[0], end))
    routes = [_with_totals(problem, route) for route in routes]
    stats = SolverStats("external", seconds, 0, sum(1 for r in routes if r.used))
    return Plan(
        routes=tuple(routes),
        dropped=tuple(s.id for s in problem.stops if s.id not in served),
        travel_s=sum(r.travel_s for r in routes),
        distance_m=sum(r.distance_m for r in routes),
        stats=stats,
    )


def _with_totals(problem: Problem, route: Route) -> Route:
    if not route.used:
        return dataclasses.replace(route, end=route.start)
    vehicle = next(v for v in problem.vehicles if v.id == route.vehicle_id)
    path = [vehicle.start, *(problem.stop(v.stop_id).location for v in route.visits), vehicle.end]
    legs = list(itertools.pairwise(path))
    travel = sum(vehicle.travel_s(problem.matrix.durations[a][b]) for a, b in legs)
    distance = sum(problem.matrix.distances[a][b] for a, b in legs)
    return dataclasses.replace(route, travel_s=travel, distance_m=distance)


def load_bks(data: Path) -> dict[str, tuple[int, float]]:
    """Best-known (vehicles, distance) per instance name, hierarchical objective."""
    bks: dict[str, tuple[int, float]] = {}
    for name in ("solomon_hierarchical.csv", "lilim_hierarchical.csv"):
        with (data / "bks" / name).open() as handle:
            for row in csv.DictReader(handle):
                bks[row["instance"].lower()] = (int(row["vehicles"]), float(row["distance"]))
    return bks


def instance_path(data: Path, name: str) -> Path:
    """Where a DEV-SET name lives: Solomon names are upper case, Li & Lim lower case."""
    folder = "lilim" if name.startswith("l") else "solomon"
    return data / folder / f"{name}.txt"


SOLVERS: dict[str, Runner] = {
    "ours": run_ours,
    "ortools-defaults": run_ortools_defaults,
    "vroom": run_vroom,
}


def main() -> None:
    """Run every solver on the development set and print the side-by-side table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "bench-data"
    )
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--solvers", nargs="*", default=list(SOLVERS))
    args = parser.parse_args()
    names = args.only or (args.data / "DEV-SET").read_text().split()
    bks = load_bks(args.data)
    print("| instance | solver | vehicles | BKS veh | distance | BKS dist | gap % | feasible | s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    results: dict[str, list[tuple[str, int, float, bool]]] = {s: [] for s in args.solvers}
    for name in names:
        instance = read_instance(instance_path(args.data, name))
        best_vehicles, best_distance = bks[name.lower()]
        for solver in args.solvers:
            started = time.monotonic()
            plan = SOLVERS[solver](instance, args.time_limit)
            seconds = time.monotonic() - started
            feasible = not validate(instance.problem, plan)
            distance = euclidean_distance(instance, plan)
            gap = 100 * (distance - best_distance) / best_distance
            results[solver].append((name, plan.vehicles_used, gap, feasible))
            if plan.stats.status == "no_solution":
                print(
                    f"| {name} | {solver} | - | {best_vehicles} | no solution "
                    f"| {best_distance:.2f} | - | NO | {seconds:.1f} |",
                    flush=True,
                )
                continue
            print(
                f"| {name} | {solver} | {plan.vehicles_used} | {best_vehicles} | {distance:.2f} "
                f"| {best_distance:.2f} | {gap:.2f} | {'yes' if feasible else 'NO'} "
                f"| {seconds:.1f} |",
                flush=True,
            )
    _summary(results, bks)


def _summary(
    results: dict[str, list[tuple[str, int, float, bool]]], bks: dict[str, tuple[int, float]]
) -> None:
    print()
    print(
        "| solver | feasible | BKS vehicles reached | max extra vehicles | mean gap % where reached |"
    )
    print("| --- | --- | --- | --- | --- |")
    for solver, rows in results.items():
        feasible = [row for row in rows if row[3]]
        reached = [row for row in feasible if row[1] <= bks[row[0].lower()][0]]
        extra = max((row[1] - bks[row[0].lower()][0] for row in feasible), default=0)
        gap = statistics.mean(row[2] for row in reached) if reached else float("nan")
        print(
            f"| {solver} | {len(feasible)}/{len(rows)} | {len(reached)}/{len(rows)} | {extra} "
            f"| {gap:.2f} |",
            flush=True,
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
