"""Routing problem and plan values: frozen data in, a plan value out.

Units are integers: seconds for times and durations, metres for distances, a unit of load for
demands. Locations are indices into the `Matrix`.

Load convention: a stop's `demand` is the change of the vehicle's load at that stop. The load is
zero when the vehicle leaves its start and must stay within [0, capacity]. A pickup has a
demand >= 0 and its delivery the opposite demand; a stop outside any pair has a demand >= 0 (it
is collected and carried to the end of the route, which for capacity is the same as delivering
it from the start).

Time convention: a stop's windows constrain the start of its service, which comes after its setup
when the vehicle arrives from another location; a vehicle's shift bounds
the time it leaves its start and the time it reaches its end. A vehicle with a speed factor f
travels an arc of matrix duration d in ceil(d / f) seconds (`Vehicle.travel_s`).
"""

from __future__ import annotations

import math
import operator
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Objective = Literal["hierarchical", "distance"]
OBJECTIVES: tuple[Objective, ...] = ("hierarchical", "distance")

MAX_VALUE = 2**40
"""Largest size of any number in a problem (about 35,000 years in seconds): the sums the solver
builds from them (horizon, the drop penalty of mandatory stops) then stay within OR-Tools' int64."""


class InvalidProblem(ValueError):
    """The problem's data is inconsistent; the message says what and where."""


@dataclass(frozen=True, slots=True)
class Break:
    """A break (lunch) of fixed duration whose start lies in [earliest_start, latest_start]."""

    earliest_start: int
    latest_start: int
    duration: int


@dataclass(frozen=True, slots=True)
class Vehicle:
    """A vehicle (courier) with its start and end locations, shift, capacity and costs."""

    id: str
    start: int
    end: int
    shift: tuple[int, int]
    capacity: int
    lunch: Break | None = None
    fixed_cost: int = 0
    speed_factor: float = 1.0
    # dossiers already on board when the route starts (a re-plan during the day)
    start_load: int = 0

    def travel_s(self, duration_s: int) -> int:
        """Travel time of this vehicle over an arc of matrix duration `duration_s`."""
        if self.speed_factor == 1.0:
            return duration_s
        return math.ceil(duration_s / self.speed_factor)


@dataclass(frozen=True, slots=True)
class Stop:
    """A place to visit: location, time windows on the start of service, service time, demand.

    `setup_s` is spent once on reaching the stop's location from another place, before the
    service: at a counter, handing in twenty dossiers takes one wait at the counter and twenty
    short services, not twenty waits.
    `penalty` is the cost of leaving the stop out; None means the stop is mandatory.
    `vehicles` restricts the stop to those vehicle ids (a dispatcher's lock or move);
    `position` fixes its place in the route (0 = first visit).
    """

    id: str
    location: int
    windows: tuple[tuple[int, int], ...]
    service_s: int = 0
    demand: int = 0
    penalty: int | None = None
    vehicles: tuple[str, ...] | None = None
    position: int | None = None
    setup_s: int = 0

    @property
    def mandatory(self) -> bool:
        """True when the stop must be served."""
        return self.penalty is None


@dataclass(frozen=True, slots=True)
class Pair:
    """A pickup and its delivery: served by the same vehicle, the pickup first.

    With an `alternative`, the vehicle may deliver to that stop instead (a post office holding
    the dossier overnight), at `alternative_cost` more than the arcs' distance: the plan then
    serves the pickup and exactly one of the two deliveries.
    """

    pickup: str
    delivery: str
    alternative: str | None = None
    alternative_cost: int = 0


@dataclass(frozen=True, slots=True)
class Matrix:
    """Square travel matrices indexed by location: durations in s, distances in m."""

    durations: tuple[tuple[int, ...], ...]
    distances: tuple[tuple[int, ...], ...]

    @property
    def size(self) -> int:
        """Number of locations."""
        return len(self.durations)


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """Vehicles, stops, pickup-delivery pairs, matrix and objective; validated on construction.

    Objective "hierarchical" minimises the number of vehicles used, then distance; "distance"
    minimises distance plus the vehicles' fixed costs. Penalties of dropped stops add to both.
    """

    vehicles: tuple[Vehicle, ...]
    stops: tuple[Stop, ...]
    matrix: Matrix
    pairs: tuple[Pair, ...] = ()
    objective: Objective = "hierarchical"

    def __post_init__(self) -> None:
        _check_problem(self)

    def stop(self, stop_id: str) -> Stop:
        """The stop with this id (KeyError when unknown)."""
        for stop in self.stops:
            if stop.id == stop_id:
                return stop
        raise KeyError(stop_id)

    def partner(self) -> dict[str, str]:
        """Map each paired stop id to the other stop of its pair (an alternative to its pickup)."""
        mapping: dict[str, str] = {}
        for pair in self.pairs:
            mapping[pair.pickup] = pair.delivery
            mapping[pair.delivery] = pair.pickup
            if pair.alternative is not None:
                mapping[pair.alternative] = pair.pickup
        return mapping

    def unserved(self, served: set[str]) -> tuple[str, ...]:
        """The stops a plan serving `served` leaves out, in problem order: every stop not served,
        except an alternative delivery (optional by nature) and a delivery its alternative made."""
        excused = set()
        for pair in self.pairs:
            if pair.alternative is not None:
                excused.add(pair.alternative)
                if pair.alternative in served:
                    excused.add(pair.delivery)
        return tuple(s.id for s in self.stops if s.id not in served and s.id not in excused)


@dataclass(frozen=True, slots=True)
class Visit:
    """One served stop: arrival, start and end of service (s) and the load after it."""

    stop_id: str
    arrival: int
    start: int
    departure: int
    load: int


@dataclass(frozen=True, slots=True)
class Route:
    """A vehicle's ordered visits, its start and end times and where its break falls."""

    vehicle_id: str
    visits: tuple[Visit, ...]
    start: int
    end: int
    break_start: int | None = None
    travel_s: int = 0
    distance_m: int = 0

    @property
    def used(self) -> bool:
        """True when the vehicle serves at least one stop."""
        return bool(self.visits)


@dataclass(frozen=True, slots=True)
class Phase:
    """What one solver phase did: its name, wall time, vehicles used and objective after it."""

    name: str
    seconds: float
    vehicles: int
    objective: int


@dataclass(frozen=True, slots=True)
class SolverStats:
    """How the solve went: final status, wall time, objective, vehicles used and phases."""

    status: str
    wall_s: float
    objective: int
    vehicles_used: int
    phases: tuple[Phase, ...] = ()


@dataclass(frozen=True, slots=True)
class Plan:
    """The solution: one route per vehicle (in problem order), dropped stop ids and totals."""

    routes: tuple[Route, ...]
    dropped: tuple[str, ...]
    travel_s: int
    distance_m: int
    stats: SolverStats

    @property
    def vehicles_used(self) -> int:
        """Number of vehicles serving at least one stop."""
        return sum(1 for route in self.routes if route.used)


def _check_problem(problem: Problem) -> None:
    """Raise InvalidProblem on the first inconsistency found."""
    if problem.objective not in OBJECTIVES:
        raise InvalidProblem(f"unknown objective {problem.objective!r}")
    _check_matrix(problem.matrix)
    size = problem.matrix.size
    _check_unique("vehicle", [vehicle.id for vehicle in problem.vehicles])
    _check_unique("stop", [stop.id for stop in problem.stops])
    longest = max((max(row, default=0) for row in problem.matrix.durations), default=0)
    for vehicle in problem.vehicles:
        _check_vehicle(vehicle, size, longest)
    vehicle_ids = {vehicle.id for vehicle in problem.vehicles}
    for stop in problem.stops:
        _check_stop(stop, size)
        unknown = sorted(set(stop.vehicles or ()) - vehicle_ids)
        if unknown:
            raise InvalidProblem(f"stop {stop.id!r} is restricted to unknown vehicles {unknown}")
        if stop.vehicles is not None and not stop.vehicles:
            raise InvalidProblem(f"stop {stop.id!r} is restricted to no vehicle at all")
        if stop.position is not None and stop.position < 0:
            raise InvalidProblem(f"stop {stop.id!r} position {stop.position} is negative")
    _check_positions(problem)
    _check_pairs(problem)


def _check_whole(what: str, value: object) -> None:
    """Refuse a value that is not a whole number (floats, bools) or exceeds MAX_VALUE in size."""
    try:
        number = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise InvalidProblem(f"{what} is {value!r}, not a whole number") from None
    if isinstance(value, bool):
        raise InvalidProblem(f"{what} is {value!r}, not a whole number")
    if abs(number) > MAX_VALUE:
        raise InvalidProblem(f"{what} is {number}, beyond the limit of ±{MAX_VALUE}")


def _check_span(what: str, span: object) -> None:
    """Refuse a window or shift that is not a (start, end) pair of whole numbers."""
    if not isinstance(span, Sequence) or isinstance(span, str) or len(span) != 2:
        raise InvalidProblem(f"{what} is {span!r}, not a (start, end) pair")
    _check_whole(f"{what} start", span[0])
    _check_whole(f"{what} end", span[1])


def _check_unique(kind: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise InvalidProblem(f"duplicate {kind} id {item!r}")
        seen.add(item)


def _check_matrix(matrix: Matrix) -> None:
    size = matrix.size
    for name, rows in (("durations", matrix.durations), ("distances", matrix.distances)):
        if len(rows) != size:
            raise InvalidProblem(f"matrix {name} has {len(rows)} rows, expected {size}")
        for i, row in enumerate(rows):
            if len(row) != size:
                raise InvalidProblem(
                    f"matrix {name} row {i} has {len(row)} entries, expected {size}"
                )
            _check_matrix_row(name, i, row)


def _check_matrix_row(name: str, i: int, row: Sequence[int]) -> None:
    # Rows of plain ints in range are the rule; only the others are looked at entry by entry.
    if set(map(type, row)) - {int} or max(row, default=0) > MAX_VALUE:
        for j, value in enumerate(row):
            _check_whole(f"matrix {name} row {i} entry {j}", value)
    if min(row, default=0) < 0:
        raise InvalidProblem(f"matrix {name} row {i} has a negative entry")


def _check_location(owner: str, location: int, size: int) -> None:
    _check_whole(f"{owner} location", location)
    if not 0 <= location < size:
        raise InvalidProblem(f"{owner} location {location} out of range 0..{size - 1}")


def _check_vehicle(vehicle: Vehicle, size: int, longest_s: int) -> None:
    owner = f"vehicle {vehicle.id!r}"
    _check_location(f"{owner} start", vehicle.start, size)
    _check_location(f"{owner} end", vehicle.end, size)
    _check_vehicle_numbers(vehicle, longest_s)
    if vehicle.shift[0] < 0 or vehicle.shift[0] > vehicle.shift[1]:
        raise InvalidProblem(f"{owner} shift {vehicle.shift} is inverted or negative")
    if vehicle.capacity < 0:
        raise InvalidProblem(f"{owner} capacity {vehicle.capacity} is negative")
    if vehicle.fixed_cost < 0:
        raise InvalidProblem(f"{owner} fixed cost {vehicle.fixed_cost} is negative")
    if not 0 <= vehicle.start_load <= vehicle.capacity:
        raise InvalidProblem(
            f"{owner} start load {vehicle.start_load} is outside 0..{vehicle.capacity}"
        )
    lunch = vehicle.lunch
    if lunch is not None and (
        lunch.duration < 0
        or lunch.earliest_start > lunch.latest_start
        or lunch.earliest_start < vehicle.shift[0]
        or lunch.latest_start + lunch.duration > vehicle.shift[1]
    ):
        raise InvalidProblem(f"{owner} break {lunch} does not fit its shift {vehicle.shift}")


def _check_vehicle_numbers(vehicle: Vehicle, longest_s: int) -> None:
    """Refuse a vehicle's numbers that are not whole (or a speed factor that is not a number)."""
    owner = f"vehicle {vehicle.id!r}"
    _check_span(f"{owner} shift", vehicle.shift)
    for field_name in ("capacity", "fixed_cost", "start_load"):
        _check_whole(f"{owner} {field_name.replace('_', ' ')}", getattr(vehicle, field_name))
    if vehicle.lunch is not None:
        for field_name in ("earliest_start", "latest_start", "duration"):
            value = getattr(vehicle.lunch, field_name)
            _check_whole(f"{owner} break {field_name.replace('_', ' ')}", value)
    speed = vehicle.speed_factor
    if isinstance(speed, bool) or not isinstance(speed, int | float) or not speed > 0:
        raise InvalidProblem(f"{owner} speed factor {speed!r} is not positive")
    if longest_s / speed > MAX_VALUE:
        raise InvalidProblem(
            f"{owner} speed factor {speed} makes its longest trip exceed {MAX_VALUE} s"
        )


def _check_stop(stop: Stop, size: int) -> None:
    owner = f"stop {stop.id!r}"
    _check_location(owner, stop.location, size)
    if not stop.windows:
        raise InvalidProblem(f"{owner} has no time window")
    for n, window in enumerate(stop.windows):
        _check_span(f"{owner} window {n}", window)
    numbers: dict[str, int | None] = {"service time": stop.service_s, "demand": stop.demand}
    numbers["setup time"] = stop.setup_s
    numbers |= {"penalty": stop.penalty, "position": stop.position}
    for label, value in numbers.items():
        if value is not None:
            _check_whole(f"{owner} {label}", value)
    previous_end = -1
    for start, end in stop.windows:
        if start < 0 or start > end:
            raise InvalidProblem(f"{owner} window {(start, end)} is empty or inverted")
        if start <= previous_end:
            raise InvalidProblem(f"{owner} windows overlap or are not sorted")
        previous_end = end
    if stop.service_s < 0:
        raise InvalidProblem(f"{owner} service time {stop.service_s} is negative")
    if stop.setup_s < 0:
        raise InvalidProblem(f"{owner} setup time {stop.setup_s} is negative")
    if stop.penalty is not None and stop.penalty < 0:
        raise InvalidProblem(f"{owner} penalty {stop.penalty} is negative")


def _check_positions(problem: Problem) -> None:
    """Refuse fixed positions no plan can honour: past the stops its vehicles may serve, or taken."""
    every = [vehicle.id for vehicle in problem.vehicles]
    allowed = {s.id: set(every if s.vehicles is None else s.vehicles) for s in problem.stops}
    servable = Counter(vehicle_id for ids in allowed.values() for vehicle_id in ids)
    taken: dict[tuple[str, int], str] = {}
    for stop in problem.stops:
        if stop.position is None:
            continue
        limit = max((servable[v] for v in allowed[stop.id]), default=len(problem.stops))
        if stop.position >= limit:
            raise InvalidProblem(
                f"stop {stop.id!r} position {stop.position} is out of range 0..{limit - 1} "
                f"(stops its vehicles may serve: {limit})"
            )
        if len(allowed[stop.id]) == 1:
            (vehicle_id,) = allowed[stop.id]
            other = taken.setdefault((vehicle_id, stop.position), stop.id)
            if other != stop.id:
                raise InvalidProblem(
                    f"stops {other!r} and {stop.id!r} are both fixed at position "
                    f"{stop.position} on vehicle {vehicle_id!r}"
                )


def _check_alternative(pair: Pair, delivery: Stop, alternative: Stop) -> None:
    """An alternative delivery unloads what the delivery would, and is no more mandatory."""
    where = f"pair {pair.pickup!r}->{pair.delivery!r}: alternative {alternative.id!r}"
    if alternative.demand != delivery.demand:
        raise InvalidProblem(f"{where} has demand {alternative.demand}, not {delivery.demand}")
    if alternative.mandatory != delivery.mandatory:
        raise InvalidProblem(f"{where} mixes mandatory and optional")
    if alternative.position is not None:
        raise InvalidProblem(f"{where} cannot have a fixed position")
    _check_whole(f"{where} cost", pair.alternative_cost)
    if pair.alternative_cost < 0:
        raise InvalidProblem(f"{where} cost {pair.alternative_cost} is negative")


def _check_pairs(problem: Problem) -> None:
    stops = {stop.id: stop for stop in problem.stops}
    paired: set[str] = set()
    for pair in problem.pairs:
        ends = (pair.pickup, pair.delivery, *((pair.alternative,) if pair.alternative else ()))
        for stop_id in ends:
            if stop_id not in stops:
                raise InvalidProblem(
                    f"pair {pair.pickup!r}->{pair.delivery!r}: no stop {stop_id!r}"
                )
            if stop_id in paired:
                raise InvalidProblem(f"stop {stop_id!r} is in more than one pair")
            paired.add(stop_id)
        pickup, delivery = stops[pair.pickup], stops[pair.delivery]
        if pickup.demand < 0:
            raise InvalidProblem(f"pickup {pickup.id!r} has negative demand {pickup.demand}")
        if delivery.demand != -pickup.demand:
            raise InvalidProblem(
                f"delivery {delivery.id!r} demand {delivery.demand} is not {-pickup.demand}"
            )
        if pickup.mandatory != delivery.mandatory:
            raise InvalidProblem(
                f"pair {pickup.id!r}->{delivery.id!r} mixes mandatory and optional"
            )
        if pair.alternative is not None:
            _check_alternative(pair, delivery, stops[pair.alternative])
        fixed = (pickup.position, delivery.position)
        if fixed[0] is not None and fixed[1] is not None and fixed[0] >= fixed[1]:
            raise InvalidProblem(
                f"pair {pickup.id!r}->{delivery.id!r}: pickup position {pickup.position} is "
                f"not before delivery position {delivery.position}"
            )
    for stop in problem.stops:
        if stop.id not in paired and stop.demand < 0 and not stop.vehicles:
            raise InvalidProblem(
                f"unpaired stop {stop.id!r} has negative demand {stop.demand} but no vehicle "
                "carrying it (give `vehicles`)"
            )
