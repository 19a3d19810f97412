"""Check a plan against its problem, independently of the solver: times recomputed from the matrix."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass

from routing.model import Plan, Problem, Route, Stop, Vehicle

KINDS = (
    "vehicle",  # a route names an unknown vehicle or a vehicle has two routes
    "unknown_stop",  # a visit or a dropped id names no stop
    "duplicate",  # a stop served more than once, or both served and dropped
    "missing",  # a stop neither served nor dropped
    "dropped_mandatory",  # a mandatory stop dropped
    "window",  # service starts outside every window of the stop
    "timing",  # arrival, start or departure inconsistent with the matrix and service time
    "shift",  # the route leaves before or returns after the vehicle's shift
    "capacity",  # load after a visit wrong, negative or above capacity
    "pairing",  # a pair split across vehicles or half served
    "precedence",  # a delivery before its pickup
    "break",  # break missing, outside its window or the shift, overlapping service or travel
    "totals",  # the plan's travel time or distance disagrees with its routes
    "lock",  # a stop on a vehicle it is not allowed on, or away from its fixed position
)


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: its kind (one of KINDS), where (vehicle or stop) and a readable message."""

    kind: str
    where: str
    message: str


def validate(problem: Problem, plan: Plan) -> list[Violation]:
    """Every violation of the problem's rules by the plan; empty when the plan is feasible."""
    found: list[Violation] = []
    vehicles = {vehicle.id: vehicle for vehicle in problem.vehicles}
    stops = {stop.id: stop for stop in problem.stops}
    seen: set[str] = set()
    for route in plan.routes:
        vehicle = vehicles.get(route.vehicle_id)
        if vehicle is None or route.vehicle_id in seen:
            found.append(Violation("vehicle", route.vehicle_id, "unknown or repeated vehicle"))
            continue
        seen.add(route.vehicle_id)
        found += _check_route(problem, vehicle, route, stops)
    found += _check_coverage(problem, plan, stops)
    found += _check_pairs(problem, plan)
    found += _check_totals(problem, plan, vehicles, stops)
    return found


def _check_route(
    problem: Problem, vehicle: Vehicle, route: Route, stops: dict[str, Stop]
) -> list[Violation]:
    where = f"vehicle {vehicle.id}"
    if not route.visits:
        return []
    unknown = [v.stop_id for v in route.visits if v.stop_id not in stops]
    if unknown:
        return [Violation("unknown_stop", where, f"visits unknown stops {unknown}")]
    found: list[Violation] = []
    if route.start < vehicle.shift[0] or route.end > vehicle.shift[1] or route.start > route.end:
        found.append(
            Violation("shift", where, f"route {route.start}..{route.end} outside {vehicle.shift}")
        )
    found += _check_times(problem, vehicle, route, stops)
    found += _check_load(vehicle, route, stops)
    found += _check_break(vehicle, route)
    found += _check_locks(vehicle, route, stops)
    return found


def _check_locks(vehicle: Vehicle, route: Route, stops: dict[str, Stop]) -> list[Violation]:
    found = []
    for position, visit in enumerate(route.visits):
        stop = stops[visit.stop_id]
        if stop.vehicles is not None and vehicle.id not in stop.vehicles:
            found.append(
                Violation("lock", f"stop {stop.id}", f"on {vehicle.id}, allowed {stop.vehicles}")
            )
        if stop.position is not None and stop.position != position:
            found.append(
                Violation("lock", f"stop {stop.id}", f"at {position}, fixed at {stop.position}")
            )
    return found


def _check_times(
    problem: Problem, vehicle: Vehicle, route: Route, stops: dict[str, Stop]
) -> list[Violation]:
    found: list[Violation] = []
    durations = problem.matrix.durations
    location, departure = vehicle.start, route.start
    for visit in route.visits:
        stop = stops[visit.stop_id]
        where = f"stop {stop.id} on vehicle {vehicle.id}"
        earliest = departure + vehicle.travel_s(durations[location][stop.location])
        earliest += _break_in_gap(vehicle, route, departure, visit.start)
        setup = stop.setup_s if stop.location != location else 0
        if visit.arrival < earliest or visit.start < visit.arrival + setup:
            found.append(
                Violation(
                    "timing",
                    where,
                    f"arrival {visit.arrival} / start {visit.start}: earliest arrival {earliest}",
                )
            )
        if setup and _break_in_setup(vehicle, route, departure, visit.start, setup):
            found.append(Violation("break", where, f"break {route.break_start} overlaps the setup"))
        if visit.departure != visit.start + stop.service_s:
            found.append(
                Violation("timing", where, f"departure {visit.departure} != start + service")
            )
        if not any(start <= visit.start <= end for start, end in stop.windows):
            found.append(
                Violation("window", where, f"service starts {visit.start} outside {stop.windows}")
            )
        location, departure = stop.location, visit.departure
    back = departure + vehicle.travel_s(durations[location][vehicle.end])
    back += _break_in_gap(vehicle, route, departure, route.end)
    if route.end < back:
        found.append(
            Violation("timing", f"vehicle {vehicle.id}", f"ends {route.end}, earliest {back}")
        )
    return found


def _break_in_setup(vehicle: Vehicle, route: Route, gap_start: int, start: int, setup: int) -> bool:
    """Whether the break, taken between `gap_start` and a service's `start`, ends after that
    service's setup began (the wait at a counter comes after the break, just before service)."""
    lunch, rest = vehicle.lunch, route.break_start
    if lunch is None or rest is None or not gap_start <= rest < start:
        return False
    return rest + lunch.duration > start - setup


def _break_in_gap(vehicle: Vehicle, route: Route, gap_start: int, gap_end: int) -> int:
    """The break's duration when it falls inside the gap between two services, else 0."""
    lunch = vehicle.lunch
    if lunch is None or route.break_start is None:
        return 0
    inside = gap_start <= route.break_start and route.break_start + lunch.duration <= gap_end
    return lunch.duration if inside else 0


def _check_load(vehicle: Vehicle, route: Route, stops: dict[str, Stop]) -> list[Violation]:
    found: list[Violation] = []
    load = vehicle.start_load
    for visit in route.visits:
        load += stops[visit.stop_id].demand
        where = f"stop {visit.stop_id} on vehicle {vehicle.id}"
        if visit.load != load:
            found.append(Violation("capacity", where, f"load {visit.load}, recomputed {load}"))
        if not 0 <= load <= vehicle.capacity:
            found.append(Violation("capacity", where, f"load {load} outside 0..{vehicle.capacity}"))
    return found


def _check_break(vehicle: Vehicle, route: Route) -> list[Violation]:
    lunch, where = vehicle.lunch, f"vehicle {vehicle.id}"
    if lunch is None:
        return []
    begin = route.break_start
    if begin is None:
        return [Violation("break", where, "no break placed")]
    end = begin + lunch.duration
    found: list[Violation] = []
    if not lunch.earliest_start <= begin <= lunch.latest_start:
        found.append(
            Violation(
                "break",
                where,
                f"starts {begin} outside {lunch.earliest_start}..{lunch.latest_start}",
            )
        )
    if begin < vehicle.shift[0] or end > vehicle.shift[1]:
        found.append(Violation("break", where, f"break {begin}..{end} outside the shift"))
    # The break must sit in one gap between services (or before the start / after the end).
    gaps = [route.start, *(t for v in route.visits for t in (v.start, v.departure)), route.end]
    fits = end <= route.start or begin >= route.end
    fits = fits or any(gaps[i] <= begin and end <= gaps[i + 1] for i in range(0, len(gaps) - 1, 2))
    if not fits:
        found.append(Violation("break", where, f"break {begin}..{end} overlaps service"))
    return found


def _check_coverage(problem: Problem, plan: Plan, stops: dict[str, Stop]) -> list[Violation]:
    found: list[Violation] = []
    served = Counter(visit.stop_id for route in plan.routes for visit in route.visits)
    dropped = Counter(plan.dropped)
    expected = set(problem.unserved(set(served)))
    for stop_id in dropped:
        if stop_id not in stops:
            found.append(Violation("unknown_stop", f"stop {stop_id}", "dropped id is no stop"))
    for stop in problem.stops:
        where = f"stop {stop.id}"
        total = served[stop.id] + dropped[stop.id]
        if total > 1:
            found.append(Violation("duplicate", where, f"served {served[stop.id]}x, dropped too"))
        elif total == 0 and stop.id in expected:
            found.append(Violation("missing", where, "neither served nor dropped"))
        if dropped[stop.id] and stop.mandatory:
            found.append(Violation("dropped_mandatory", where, "mandatory stop dropped"))
    return found


def _check_pairs(problem: Problem, plan: Plan) -> list[Violation]:
    position: dict[str, tuple[str, int]] = {}
    for route in plan.routes:
        for rank, visit in enumerate(route.visits):
            position[visit.stop_id] = (route.vehicle_id, rank)
    found: list[Violation] = []
    for pair in problem.pairs:
        where = f"pair {pair.pickup}->{pair.delivery}"
        pickup, delivery = position.get(pair.pickup), position.get(pair.delivery)
        if pair.alternative is not None and pair.alternative in position:
            if delivery is not None:
                found.append(
                    Violation(
                        "pairing", where, "delivered to both the delivery and its alternative"
                    )
                )
            delivery = position[pair.alternative]
        if pickup is None and delivery is None:
            continue
        if pickup is None or delivery is None:
            found.append(Violation("pairing", where, "only one of the pair is served"))
        elif pickup[0] != delivery[0]:
            found.append(Violation("pairing", where, f"split over {pickup[0]} and {delivery[0]}"))
        elif pickup[1] > delivery[1]:
            found.append(Violation("precedence", where, "delivery before pickup"))
    return found


def _check_totals(
    problem: Problem, plan: Plan, vehicles: dict[str, Vehicle], stops: dict[str, Stop]
) -> list[Violation]:
    travel = distance = 0
    matrix = problem.matrix
    for route in plan.routes:
        vehicle = vehicles.get(route.vehicle_id)
        if vehicle is None or not route.visits or any(v.stop_id not in stops for v in route.visits):
            continue
        path = [vehicle.start, *(stops[v.stop_id].location for v in route.visits), vehicle.end]
        for a, b in itertools.pairwise(path):
            travel += vehicle.travel_s(matrix.durations[a][b])
            distance += matrix.distances[a][b]
    if (travel, distance) != (plan.travel_s, plan.distance_m):
        return [
            Violation(
                "totals",
                "plan",
                f"travel {plan.travel_s} s / {plan.distance_m} m, routes give {travel} / {distance}",
            )
        ]
    return []
