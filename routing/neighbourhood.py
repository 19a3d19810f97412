"""Neighbourhoods of a big problem: a few nearby routes with their stops (and some stops left
out near them) as a problem of their own, with a matrix of only their locations.

The large-problem search (`routing.solver`) improves a plan of several hundred stops one
neighbourhood at a time: a local search over 100-odd stops makes many moves a second, where over
the whole problem each move costs the whole model's bookkeeping. This module is plain data: which
routes are near which, and the sub-problem they make; the searching stays in `routing.solver`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from routing.model import Matrix, Problem, Stop

Routes = list[list[int]]  # per vehicle of the problem, the stop indices in visiting order


@dataclass(frozen=True, slots=True)
class Neighbourhood:
    """A sub-problem and where its vehicles and stops come from in the big problem."""

    problem: Problem
    vehicles: tuple[int, ...]  # big-problem vehicle index of each sub-problem vehicle
    stops: tuple[int, ...]  # big-problem stop index of each sub-problem stop

    def initial(self, routes: Routes) -> Routes:
        """The big plan's routes of this neighbourhood's vehicles, in sub-problem stop indices."""
        local = {stop: n for n, stop in enumerate(self.stops)}
        return [[local[stop] for stop in routes[vehicle]] for vehicle in self.vehicles]

    def write_back(self, routes: Routes, found: Routes) -> None:
        """Put the sub-problem's routes `found` in place of its vehicles' routes in `routes`."""
        for k, vehicle in enumerate(self.vehicles):
            routes[vehicle] = [self.stops[stop] for stop in found[k]]


class Nearness:
    """Which routes lie near which, and which route each left-out stop lies nearest, by the
    matrix's distances between each route's medoid (its most central stop)."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.distances = problem.matrix.distances
        self.group = _pair_groups(problem)

    def medoids(self, routes: Routes) -> dict[int, int]:
        """Each used vehicle's most central location (least total distance to its others)."""
        stops, rows = self.problem.stops, self.distances
        found: dict[int, int] = {}
        for vehicle, route in enumerate(routes):
            if not route:
                continue
            places = [stops[n].location for n in route]
            found[vehicle] = min(places, key=lambda a: sum(rows[a][b] for b in places))
        return found

    def around(self, routes: Routes, seed: int, medoids: dict[int, int], size: int) -> list[int]:
        """The seed vehicle and the used vehicles nearest it, until their stops reach `size`."""
        rows, here = self.distances, medoids[seed]
        others = sorted(
            (v for v in medoids if v != seed),
            key=lambda v: rows[here][medoids[v]] + rows[medoids[v]][here],
        )
        chosen, count = [seed], len(routes[seed])
        for vehicle in others:
            if count >= size:
                break
            chosen.append(vehicle)
            count += len(routes[vehicle])
        return chosen

    def around_stop(
        self,
        routes: Routes,
        node: int,
        left_out: Sequence[int],
        medoids: dict[int, int],
        size: int,
    ) -> tuple[list[int], list[int]]:
        """Around a left-out stop: the left-out stops nearest it (up to half of `size`) and the
        used vehicles whose medoids are nearest it, until their stops reach `size`."""
        stops, rows = self.problem.stops, self.distances
        place = stops[node].location
        near = sorted(left_out, key=lambda n: rows[place][stops[n].location])[: max(1, size // 2)]
        chosen: list[int] = []
        count = len(near)
        for vehicle in sorted(medoids, key=lambda v: rows[place][medoids[v]]):
            if count >= size:
                break
            chosen.append(vehicle)
            count += len(routes[vehicle])
        return chosen, near

    def left_out(self, routes: Routes) -> list[int]:
        """The stops of pairs (and single stops) that no route serves any stop of."""
        routed = {node for route in routes for node in route}
        return [
            node
            for node in range(len(self.problem.stops))
            if not self.group.get(node, {node}) & routed
        ]

    def left_out_near(
        self, left_out: Sequence[int], chosen: Sequence[int], medoids: dict[int, int]
    ) -> list[int]:
        """The left-out stops whose nearest route medoid is one of the chosen vehicles'."""
        stops, rows = self.problem.stops, self.distances
        mine = set(chosen)
        near = []
        for node in left_out:
            place = stops[node].location
            nearest = min(medoids, key=lambda v: rows[place][medoids[v]], default=None)
            if nearest in mine:
                near.append(node)
        return near

    def closure(self, nodes: Sequence[int]) -> list[int]:
        """`nodes` with every stop of their pickup-and-delivery pairs, in problem order."""
        closed: set[int] = set()
        for node in nodes:
            closed |= self.group.get(node, {node})
        return sorted(closed)


def carve(problem: Problem, vehicles: Sequence[int], stops: Sequence[int]) -> Neighbourhood:
    """The sub-problem of `vehicles` serving `stops` (whole pairs), its matrix cut down to the
    locations they use; a stop restricted to vehicles keeps those among `vehicles`."""
    chosen = [problem.vehicles[k] for k in vehicles]
    picked = [problem.stops[n] for n in stops]
    places = sorted(
        {stop.location for stop in picked} | {loc for v in chosen for loc in (v.start, v.end)}
    )
    index = {loc: i for i, loc in enumerate(places)}
    matrix = Matrix(
        durations=_cut(problem.matrix.durations, places),
        distances=_cut(problem.matrix.distances, places),
    )
    ids = {vehicle.id for vehicle in chosen}
    names = {stop.id for stop in picked}
    sub = Problem(
        vehicles=tuple(
            replace(vehicle, start=index[vehicle.start], end=index[vehicle.end])
            for vehicle in chosen
        ),
        stops=tuple(_moved(stop, index[stop.location], ids) for stop in picked),
        matrix=matrix,
        pairs=tuple(pair for pair in problem.pairs if pair.pickup in names),
        objective=problem.objective,
    )
    return Neighbourhood(sub, tuple(vehicles), tuple(stops))


def servable(problem: Problem, node: int, vehicles: Sequence[int]) -> bool:
    """Whether one of `vehicles` may serve the stop (a dispatcher's lock may say otherwise)."""
    allowed = problem.stops[node].vehicles
    return allowed is None or bool(set(allowed) & {problem.vehicles[k].id for k in vehicles})


def _moved(stop: Stop, location: int, vehicle_ids: set[str]) -> Stop:
    if stop.vehicles is None:
        return replace(stop, location=location)
    kept = tuple(v for v in stop.vehicles if v in vehicle_ids)
    return replace(stop, location=location, vehicles=kept)


def _cut(rows: Sequence[Sequence[int]], places: Sequence[int]) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(rows[a][b] for b in places) for a in places)


def _pair_groups(problem: Problem) -> dict[int, set[int]]:
    """For each paired stop's index, the indices of every stop of its pair."""
    node = {stop.id: n for n, stop in enumerate(problem.stops)}
    groups: dict[int, set[int]] = {}
    for pair in problem.pairs:
        ends = [pair.pickup, pair.delivery, *((pair.alternative,) if pair.alternative else ())]
        group = {node[stop_id] for stop_id in ends}
        for n in group:
            groups[n] = group
    return groups
