"""Literature benchmark: our solver, OR-Tools common defaults and VROOM side by side.

Usage: python -m bench.literature [--time-limit 30] [--set dev|all|solomon|lilim] [--only NAME...]
                                  [--jobs 2] [--data /work/shared/bench-data] [--out rows.jsonl]
Each instance runs in its own process (one core; --jobs processes side by side), its solvers one
after the other; prints one markdown row per run, then the summary per family and solver.
With --out, rows are also appended as JSON lines, and instances already there are not run again
(a long run that was stopped resumes where it was).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import csv
import dataclasses
import itertools
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import vroom

from bench.params import parse_overrides
from routing.literature import SCALE, Instance, euclidean_distance, read_instance
from routing.model import Plan, Problem, Route, SolverStats, Stop, Visit
from routing.solver import SolveParams, solve
from routing.validate import validate

Runner = Callable[[Instance, float], Plan]
# SolveParams of "ours" other than the defaults (--params), to measure a lever
OVERRIDES: dict[str, object] = {}


def run_ours(instance: Instance, seconds: float) -> Plan:
    """Our solver, hierarchical objective (default SolveParams unless --params)."""
    return solve(instance.problem, SolveParams(time_limit_s=seconds, **OVERRIDES))  # type: ignore[arg-type]


def run_ortools_defaults(instance: Instance, seconds: float) -> Plan:
    """OR-Tools with the common defaults: PATH_CHEAPEST_ARC + GLS, fixed vehicle cost 1000."""
    problem = instance.problem
    vehicles = tuple(dataclasses.replace(v, fixed_cost=1000 * SCALE) for v in problem.vehicles)
    plain = dataclasses.replace(problem, vehicles=vehicles, objective="distance")
    params = SolveParams(
        time_limit_s=seconds,
        first_solution="PATH_CHEAPEST_ARC",
        metaheuristic="GUIDED_LOCAL_SEARCH",
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


@dataclasses.dataclass(frozen=True, slots=True)
class Row:
    """One solver's run on one instance."""

    name: str
    solver: str
    vehicles: int | None  # None: no solution
    distance: float
    feasible: bool
    seconds: float
    # the run's settings, so that a resumed run never mixes two (rows of older runs: unknown)
    time_limit: float | None = None
    params: str | None = None

    @property
    def family(self) -> str:
        """Solomon names are upper case, Li & Lim lower case."""
        return "Li & Lim" if self.name.startswith("l") else "Solomon"


def run_instance(
    path: Path, solvers: list[str], seconds: float, overrides: dict[str, object]
) -> list[Row]:
    """Every solver on one instance, one after the other (this process: one core)."""
    OVERRIDES.update(overrides)
    instance = read_instance(path)
    rows = []
    for solver in solvers:
        started = time.monotonic()
        plan = SOLVERS[solver](instance, seconds)
        elapsed = time.monotonic() - started
        if plan.stats.status == "no_solution":
            rows.append(Row(path.stem, solver, None, float("nan"), False, elapsed))
            continue
        feasible = not validate(instance.problem, plan)
        distance = euclidean_distance(instance, plan)
        rows.append(Row(path.stem, solver, plan.vehicles_used, distance, feasible, elapsed))
    return rows


def instance_names(data: Path, which: str) -> list[str]:
    """The development set, or every instance of one family or of both."""
    if which == "dev":
        return (data / "DEV-SET").read_text().split()
    folders = {"solomon": ["solomon"], "lilim": ["lilim"], "all": ["solomon", "lilim"]}[which]
    return [p.stem for folder in folders for p in sorted((data / folder).glob("*.txt"))]


def main() -> None:
    """Run every solver on the chosen instances and print the side-by-side tables."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "bench-data"
    )
    parser.add_argument("--set", choices=["dev", "all", "solomon", "lilim"], default="dev")
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--solvers", nargs="*", default=list(SOLVERS))
    parser.add_argument("--jobs", type=int, default=1, help="instances solved side by side")
    parser.add_argument("--out", type=Path, default=None, help="JSON lines, appended; resumes")
    parser.add_argument(
        "--params", nargs="*", default=[], help="SolveParams of ours, e.g. metaheuristic=..."
    )
    args = parser.parse_args()
    overrides = parse_overrides(args.params)
    names = args.only or instance_names(args.data, args.set)
    bks = load_bks(args.data)
    settings = (args.time_limit, json.dumps(overrides, sort_keys=True))
    done: list[Row] = []
    if args.out and args.out.exists():
        done = [Row(**json.loads(line)) for line in args.out.read_text().splitlines() if line]
        done = [row for row in done if row.name in names and row.solver in args.solvers]
        if any((row.time_limit, row.params) != settings for row in done):
            raise SystemExit(f"{args.out} holds runs with other settings: give another --out")
    finished = {(row.name, row.solver) for row in done}
    todo = {
        name: [s for s in args.solvers if (name, s) not in finished]
        for name in names
        if any((name, s) not in finished for s in args.solvers)
    }
    print("| instance | solver | vehicles | BKS veh | distance | BKS dist | gap % | feasible | s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for row in done:
        _print_row(row, bks)
    with concurrent.futures.ProcessPoolExecutor(args.jobs, max_tasks_per_child=1) as pool:
        futures = [
            pool.submit(
                run_instance,
                instance_path(args.data, name),
                solvers,
                args.time_limit,
                overrides,
            )
            for name, solvers in todo.items()
        ]
        for future in concurrent.futures.as_completed(futures):
            for found in future.result():
                row = dataclasses.replace(found, time_limit=settings[0], params=settings[1])
                done.append(row)
                _print_row(row, bks)
                if args.out:
                    with args.out.open("a") as handle:
                        handle.write(json.dumps(dataclasses.asdict(row)) + "\n")
    _summary(done, bks, args.solvers)


def _print_row(row: Row, bks: dict[str, tuple[int, float]]) -> None:
    best_vehicles, best_distance = bks[row.name.lower()]
    if row.vehicles is None:
        print(
            f"| {row.name} | {row.solver} | - | {best_vehicles} | no solution "
            f"| {best_distance:.2f} | - | NO | {row.seconds:.1f} |",
            flush=True,
        )
        return
    gap = 100 * (row.distance - best_distance) / best_distance
    print(
        f"| {row.name} | {row.solver} | {row.vehicles} | {best_vehicles} | {row.distance:.2f} "
        f"| {best_distance:.2f} | {gap:.2f} | {'yes' if row.feasible else 'NO'} "
        f"| {row.seconds:.1f} |",
        flush=True,
    )


def _summary(rows: list[Row], bks: dict[str, tuple[int, float]], solvers: list[str]) -> None:
    print()
    print(
        "| family | solver | feasible | BKS fleet reached | one extra | more than one extra "
        "| mean gap % where reached | max gap % where reached |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for family in ("Solomon", "Li & Lim"):
        for solver in solvers:
            mine = [r for r in rows if r.family == family and r.solver == solver]
            if not mine:
                continue
            feasible = [r for r in mine if r.feasible and r.vehicles is not None]
            extra = [(r, (r.vehicles or 0) - bks[r.name.lower()][0]) for r in feasible]
            reached = [r for r, over in extra if over <= 0]
            gaps = [
                100 * (r.distance - bks[r.name.lower()][1]) / bks[r.name.lower()][1]
                for r in reached
            ]
            mean = f"{statistics.mean(gaps):.2f}" if gaps else "-"
            top = f"{max(gaps):.2f}" if gaps else "-"
            print(
                f"| {family} | {solver} | {len(feasible)}/{len(mine)} "
                f"| {len(reached)}/{len(mine)} | {sum(1 for _, o in extra if o == 1)} "
                f"| {sum(1 for _, o in extra if o > 1)} | {mean} | {top} |",
                flush=True,
            )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
