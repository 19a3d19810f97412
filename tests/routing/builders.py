"""Small typed builders of routing problems for the tests."""

from __future__ import annotations

from routing.model import Break, Matrix, Pair, Problem, Stop, Vehicle

# Four locations on a line, 10 s / 100 m apart: 0 (depot) - 1 - 2 - 3.
LINE = [[abs(a - b) for b in range(4)] for a in range(4)]


def make_matrix(units: list[list[int]] | None = None) -> Matrix:
    """Durations of 10 s and distances of 100 m per unit of `units` (default: the line)."""
    rows = units or LINE
    return Matrix(
        durations=tuple(tuple(10 * v for v in row) for row in rows),
        distances=tuple(tuple(100 * v for v in row) for row in rows),
    )


def make_vehicle(
    vehicle_id: str = "v1", capacity: int = 10, lunch: Break | None = None, **extra: object
) -> Vehicle:
    """A vehicle at the depot (location 0) with a 0..1000 s shift."""
    fields: dict[str, object] = {"start": 0, "end": 0, "shift": (0, 1000)}
    fields.update(extra)
    return Vehicle(id=vehicle_id, capacity=capacity, lunch=lunch, **fields)  # type: ignore[arg-type]


def make_stop(stop_id: str, location: int, **extra: object) -> Stop:
    """A stop open all day with 5 s of service and demand 1 unless told otherwise."""
    fields: dict[str, object] = {"windows": ((0, 1000),), "service_s": 5, "demand": 1}
    fields.update(extra)
    return Stop(id=stop_id, location=location, **fields)  # type: ignore[arg-type]


def make_problem(
    stops: tuple[Stop, ...],
    vehicles: tuple[Vehicle, ...] | None = None,
    pairs: tuple[Pair, ...] = (),
    matrix: Matrix | None = None,
    objective: str = "hierarchical",
) -> Problem:
    """A problem on the line matrix with one default vehicle unless told otherwise."""
    return Problem(
        vehicles=vehicles or (make_vehicle(),),
        stops=stops,
        pairs=pairs,
        matrix=matrix or make_matrix(),
        objective=objective,  # type: ignore[arg-type]
    )
