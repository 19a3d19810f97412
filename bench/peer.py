"""VROOM as a benchmark peer: the same routing `Problem` (matrix, shifts, capacities, windows,
service times, lunch breaks, couriers' speeds) solved by VROOM through pyvroom, its answer read
back as a `Plan` that `routing.validate` checks like ours. Benchmark-only (the `bench` extra).

A stop VROOM leaves unassigned counts as dropped, as a stop our solver drops for its penalty.
Fixed vehicle costs of the problem are given to VROOM as they are (none in a daily plan). VROOM
has no alternative deliveries: a pair that may be left at the post office overnight is given to
it as a plain pair (compare with the hold off for a like-for-like search).
"""

from __future__ import annotations

import dataclasses
import itertools
import time
from datetime import timedelta

import vroom

from routing.model import Plan, Problem, Route, SolverStats, Stop, Vehicle, Visit

# VROOM's search depth (0-5, its command line's -x): 5 is its most thorough
EXPLORATION = 5


def solve_with_vroom(problem: Problem, seconds: float, *, fixed_cost: int | None = None) -> Plan:
    """VROOM on one thread for at most `seconds`; `fixed_cost` overrides each vehicle's."""
    if any(v.start_load for v in problem.vehicles) or any(s.vehicles for s in problem.stops):
        raise ValueError("VROOM peer: loaded starts and locked stops are not modelled")
    started = time.monotonic()
    data = vroom.Input()
    data.set_durations_matrix("car", [list(row) for row in problem.matrix.durations])
    data.set_costs_matrix("car", [list(row) for row in problem.matrix.distances])
    for k, vehicle in enumerate(problem.vehicles):
        data.add_vehicle(_vehicle(k, vehicle, fixed_cost))
    ids = _add_tasks(data, problem)
    solution = data.solve(
        exploration_level=EXPLORATION, nb_threads=1, timeout=timedelta(seconds=seconds)
    )
    return _plan(problem, solution.routes, ids, time.monotonic() - started)


def _vehicle(k: int, vehicle: Vehicle, fixed_cost: int | None) -> vroom.Vehicle:
    lunch = vehicle.lunch
    breaks = (
        [
            vroom.Break(
                id=k,
                time_windows=[vroom.TimeWindow(lunch.earliest_start, lunch.latest_start)],
                service=lunch.duration,
            )
        ]
        if lunch
        else []
    )
    return vroom.Vehicle(
        id=k,
        start=vehicle.start,
        end=vehicle.end,
        capacity=[vehicle.capacity],
        time_window=vroom.TimeWindow(*vehicle.shift),
        breaks=breaks,
        costs=vroom.VehicleCosts(fixed=vehicle.fixed_cost if fixed_cost is None else fixed_cost),
        speed_factor=vehicle.speed_factor,
    )


def _add_tasks(data: vroom.Input, problem: Problem) -> list[str]:
    """Shipments for pairs and jobs for single stops; VROOM's integer id → our stop id."""
    ids = [stop.id for stop in problem.stops]
    number = {stop_id: n for n, stop_id in enumerate(ids)}
    paired = problem.partner()
    for pair in problem.pairs:
        pickup, delivery = problem.stop(pair.pickup), problem.stop(pair.delivery)
        data.add_shipment(
            pickup=_step(number[pickup.id], pickup),
            delivery=_step(number[delivery.id], delivery),
            amount=vroom.Amount([pickup.demand]),
        )
    for stop in problem.stops:
        if stop.id not in paired:
            data.add_job(
                vroom.Job(
                    id=number[stop.id],
                    location=stop.location,
                    default_setup=stop.setup_s,
                    default_service=stop.service_s,
                    pickup=[stop.demand],
                    time_windows=_windows(stop),
                )
            )
    return ids


def _step(number: int, stop: Stop) -> vroom.ShipmentStep:
    return vroom.ShipmentStep(
        id=number,
        location=stop.location,
        default_setup=stop.setup_s,
        default_service=stop.service_s,
        time_windows=_windows(stop),
    )


def _windows(stop: Stop) -> list[vroom.TimeWindow]:
    """VROOM's windows bound the start of the setup, ours the service after it: a setup moves
    VROOM's windows earlier by its length. For a stop that follows another at the same place
    (no setup) that lets VROOM start its service up to a setup's length before the window opens,
    which `routing.validate` counts as a window violation of VROOM's plan."""
    return [
        vroom.TimeWindow(max(0, a - stop.setup_s), max(0, b - stop.setup_s))
        for a, b in stop.windows
    ]


def _plan(problem: Problem, frame: object, ids: list[str], seconds: float) -> Plan:
    """VROOM's routes as ours: its arrival and service start times, the break where it put it."""
    rows = frame.to_dict("records")  # type: ignore[attr-defined]
    routes = []
    for k, vehicle in enumerate(problem.vehicles):
        mine = [r for r in rows if int(r["vehicle_id"]) == k]
        visits, load, break_start = [], 0, None
        for row in mine:
            begin = int(row["arrival"]) + int(row["waiting_time"]) + int(row.get("setup", 0))
            if row["type"] == "break":
                break_start = begin
            if row["type"] not in ("job", "pickup", "delivery"):
                continue
            stop = problem.stop(ids[int(row["id"])])
            load += stop.demand
            visits.append(Visit(stop.id, int(row["arrival"]), begin, begin + stop.service_s, load))
        start = int(mine[0]["arrival"]) if mine else vehicle.shift[0]
        end = int(mine[-1]["arrival"]) if mine else vehicle.shift[0]
        route = Route(vehicle.id, tuple(visits), start, end, break_start if visits else None)
        routes.append(_with_totals(problem, vehicle, route))
    served = {v.stop_id for r in routes for v in r.visits}
    return Plan(
        routes=tuple(routes),
        dropped=problem.unserved(served),
        travel_s=sum(r.travel_s for r in routes),
        distance_m=sum(r.distance_m for r in routes),
        stats=SolverStats("vroom", seconds, 0, sum(1 for r in routes if r.used)),
    )


def _with_totals(problem: Problem, vehicle: Vehicle, route: Route) -> Route:
    """The route's travel time at the vehicle's speed and its distance, over our matrix."""
    if not route.used:
        return dataclasses.replace(route, end=route.start)
    path = [vehicle.start, *(problem.stop(v.stop_id).location for v in route.visits), vehicle.end]
    legs = list(itertools.pairwise(path))
    travel = sum(vehicle.travel_s(problem.matrix.durations[a][b]) for a, b in legs)
    distance = sum(problem.matrix.distances[a][b] for a, b in legs)
    return dataclasses.replace(route, travel_s=travel, distance_m=distance)
