"""Readers for the Solomon (VRPTW) and Li & Lim (PDPTW) benchmark text formats.

Euclidean distances and travel times are scaled by `SCALE` into integers: distances are
rounded, travel times rounded up so that a plan feasible on the integer matrix is feasible in
exact arithmetic too. Reported distances are recomputed unrounded from the coordinates.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path

from routing.model import Matrix, Objective, Pair, Plan, Problem, Stop, Vehicle

SCALE = 10_000


@dataclass(frozen=True, slots=True)
class Instance:
    """A literature instance as a Problem, its coordinates and stop id -> customer number."""

    name: str
    problem: Problem
    coordinates: tuple[tuple[float, float], ...]
    customers: dict[str, int]


@dataclass(frozen=True, slots=True)
class _Row:
    number: int
    x: float
    y: float
    demand: int
    ready: int
    due: int
    service: int
    delivery_of: int = 0


def read_instance(path: Path, objective: Objective = "hierarchical") -> Instance:
    """Read a Solomon or a Li & Lim file, telling them apart by their first lines."""
    text = path.read_text()
    if "VEHICLE" in text.upper():
        return read_solomon(path, objective)
    return read_lilim(path, objective)


def read_solomon(path: Path, objective: Objective = "hierarchical") -> Instance:
    """Read a Solomon VRPTW file (header, VEHICLE and CUSTOMER sections)."""
    lines = path.read_text().splitlines()
    numbers = [line.split() for line in lines if line.split() and line.split()[0].isdigit()]
    fleet, capacity = int(numbers[0][0]), int(numbers[0][1])
    rows = [_row(fields[:7]) for fields in numbers[1:]]
    return _build(path.stem, rows, fleet, capacity, (), objective)


def read_lilim(path: Path, objective: Objective = "hierarchical") -> Instance:
    """Read a Li & Lim PDPTW file: `vehicles capacity speed`, then one line per node."""
    lines = [line.split() for line in path.read_text().splitlines() if line.strip()]
    fleet, capacity = int(lines[0][0]), int(lines[0][1])
    rows = [_row(fields[:7], int(fields[8])) for fields in lines[1:]]
    pairs = tuple(
        Pair(pickup=str(row.number), delivery=str(row.delivery_of))
        for row in rows[1:]
        if row.delivery_of > 0
    )
    return _build(path.stem, rows, fleet, capacity, pairs, objective)


def _row(fields: list[str], delivery_of: int = 0) -> _Row:
    number, x, y, demand, ready, due, service = fields
    return _Row(
        int(number),
        float(x),
        float(y),
        int(float(demand)),
        _scaled(float(ready)),
        _scaled(float(due)),
        _scaled(float(service)),
        delivery_of,
    )


def _scaled(value: float) -> int:
    return round(value * SCALE)


def _build(
    name: str,
    rows: list[_Row],
    fleet: int,
    capacity: int,
    pairs: tuple[Pair, ...],
    objective: Objective,
) -> Instance:
    coordinates = tuple((row.x, row.y) for row in rows)
    depot = rows[0]
    vehicles = tuple(
        Vehicle(id=f"v{k}", start=0, end=0, shift=(depot.ready, depot.due), capacity=capacity)
        for k in range(fleet)
    )
    stops = tuple(
        Stop(
            id=str(row.number),
            location=index,
            windows=((row.ready, row.due),),
            service_s=row.service,
            demand=row.demand,
        )
        for index, row in enumerate(rows)
        if index > 0
    )
    problem = Problem(
        vehicles=vehicles,
        stops=stops,
        pairs=pairs,
        matrix=_matrix(coordinates),
        objective=objective,
    )
    customers = {stop.id: int(stop.id) for stop in stops}
    return Instance(name, problem, coordinates, customers)


def _matrix(coordinates: tuple[tuple[float, float], ...]) -> Matrix:
    exact = [[math.dist(a, b) * SCALE for b in coordinates] for a in coordinates]
    durations = tuple(tuple(math.ceil(value - 1e-9) for value in row) for row in exact)
    distances = tuple(tuple(round(value) for value in row) for row in exact)
    return Matrix(durations=durations, distances=distances)


def customer_routes(instance: Instance, plan: Plan) -> list[list[int]]:
    """The plan's non-empty routes as lists of the instance's customer numbers, depot left out."""
    return [
        [instance.customers[visit.stop_id] for visit in route.visits]
        for route in plan.routes
        if route.used
    ]


def euclidean_distance(instance: Instance, plan: Plan) -> float:
    """Total unrounded Euclidean length of the plan's routes, depot to depot."""
    problem = instance.problem
    locations = {stop.id: stop.location for stop in problem.stops}
    vehicles = {vehicle.id: vehicle for vehicle in problem.vehicles}
    total = 0.0
    for route in plan.routes:
        if not route.used:
            continue
        vehicle = vehicles[route.vehicle_id]
        path = [vehicle.start, *(locations[v.stop_id] for v in route.visits), vehicle.end]
        total += sum(
            math.dist(instance.coordinates[a], instance.coordinates[b])
            for a, b in itertools.pairwise(path)
        )
    return total
