"""Solve a routing `Problem` with OR-Tools routing; the only module that imports OR-Tools.

Every stop gets a disjunction (mandatory ones with a penalty larger than any plan cost), so a
first solution always exists and only what cannot fit is dropped. With the hierarchical
objective, a route-elimination phase removes the shortest route's vehicle and re-solves from the
previous solution while that keeps every stop served, then guided local search minimises distance
on the reduced fleet with the remaining time.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from routing.model import (
    Break,
    InvalidProblem,
    Pair,
    Phase,
    Plan,
    Problem,
    Route,
    SolverStats,
    Stop,
    Vehicle,
    Visit,
)
from routing.neighbourhood import Nearness, carve, servable

_FIRST = routing_enums_pb2.FirstSolutionStrategy
_META = routing_enums_pb2.LocalSearchMetaheuristic
FIRST_SOLUTION_STRATEGIES = frozenset(_FIRST.Value.keys())
# OR-Tools' metaheuristics, and iterated local search with SISR ruin and recreate (9.12+)
ILS_SISR = "ITERATED_LOCAL_SEARCH_SISR"
METAHEURISTICS = frozenset(_META.Value.keys()) | {ILS_SISR}


@dataclass(frozen=True, slots=True)
class SolveParams:
    """Solver settings, validated on construction.

    `solution_limit` bounds the solutions of each phase; with it and a generous time limit the
    solve is deterministic (OR-Tools routing runs one worker). `reduce_vehicles` enables the
    route-elimination phase of the hierarchical objective, which gets `elimination_share` of the
    time budget.
    """

    time_limit_s: float = 10.0
    solution_limit: int | None = None
    first_solution: str = "PARALLEL_CHEAPEST_INSERTION"
    # from `large_from` stops on, the first solution is built with `large_first_solution`:
    # parallel cheapest insertion builds the better start on 50-180 stops, but had placed only
    # 102 of 792 stops (a whole post office) after 20 s, where local cheapest insertion placed
    # 788 (bench/README.md, "Constructions by size")
    large_first_solution: str = "LOCAL_CHEAPEST_INSERTION"
    large_from: int = 200
    # from `neighbourhood_from` stops on, the single-phase search improves the first solution one
    # neighbourhood at a time: the routes nearest a seed route, about `neighbourhood_stops` stops
    # with the left-out pairs near them, `neighbourhood_s` seconds each (bench/README.md,
    # "Neighbourhoods for big parts")
    neighbourhood_from: int = 250
    neighbourhood_stops: int = 120
    neighbourhood_s: float = 2.0
    # the last stage and the elimination's repairs: iterated local search, against guided local
    # search on the development set at 30 s, one run each (bench/README.md, "Levers"): Solomon
    # 5/6 best-known fleets either way, mean gap 1.43 -> 1.59 %; Li & Lim 5/6 -> 6/6, 3.03 -> 0.99 %
    metaheuristic: str = ILS_SISR
    reduce_vehicles: bool = True
    elimination_share: float = 0.5
    elimination_metaheuristic: str = "TABU_SEARCH"
    optimise_metaheuristic: str = "TABU_SEARCH"
    attempt_s: float = 4.0
    attempts: int = 2
    lambda_coefficient: float = 0.1
    # when set, the stages that run guided local search switch between these metaheuristics
    # after `switch_after` local optima each (OR-Tools' local_search_metaheuristics)
    switch_metaheuristics: tuple[str, ...] = ()
    switch_after: int = 100
    construct_share: float = 0.2
    # at most this share of the budget for the first construction, which ends by itself when
    # complete (a 100-stop instance: well under a second; 500 stops on a loaded core: seconds)
    first_share: float = 0.5
    # False builds the plain OR-Tools model (mandatory stops cannot be dropped), which may then
    # find no first solution at all on tight windows; kept to measure that common setup
    drop_mandatory: bool = True
    portfolio: tuple[str, ...] = (
        "PARALLEL_CHEAPEST_INSERTION",
        "LOCAL_CHEAPEST_INSERTION",
        "SEQUENTIAL_CHEAPEST_INSERTION",
        "LOCAL_CHEAPEST_COST_INSERTION",
    )
    log: bool = False

    def __post_init__(self) -> None:
        if not self.time_limit_s > 0:
            raise ValueError(f"time_limit_s must be positive, got {self.time_limit_s}")
        if self.solution_limit is not None and self.solution_limit < 1:
            raise ValueError(f"solution_limit must be at least 1, got {self.solution_limit}")
        for strategy in (self.first_solution, self.large_first_solution):
            if strategy not in FIRST_SOLUTION_STRATEGIES:
                raise ValueError(f"unknown first solution strategy {strategy!r}")
        for name in ("large_from", "neighbourhood_from", "neighbourhood_stops"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if not self.neighbourhood_s > 0:
            raise ValueError(f"neighbourhood_s must be positive, got {self.neighbourhood_s}")
        unknown_meta = [
            m for m in self.switch_metaheuristics if m not in METAHEURISTICS - {ILS_SISR}
        ]
        if unknown_meta:
            raise ValueError(f"unknown metaheuristics {unknown_meta}")
        unknown = [s for s in self.portfolio if s not in FIRST_SOLUTION_STRATEGIES]
        if unknown:
            raise ValueError(f"unknown first solution strategies {unknown}")
        if self.metaheuristic not in METAHEURISTICS:
            raise ValueError(f"unknown metaheuristic {self.metaheuristic!r}")
        if not 0.0 < self.first_share < 1.0:
            raise ValueError(f"first_share must be in (0, 1), got {self.first_share}")
        if not 0.0 <= self.elimination_share < 1.0:
            raise ValueError(f"elimination_share must be in [0, 1), got {self.elimination_share}")


def part_params(seconds: float, **changes: object) -> SolveParams:
    """How a daily plan's part is solved (`courier.planning`), and the province bench with it.

    One search phase: the fleet is already sized per office, and route elimination leaves the
    first construction a fifth of a few seconds (bench/plans.py, 2,000 jobs, 5 s parts, the same
    day: 82.5 % of stops served with it, 84.6 % without). `changes` measure levers."""
    base = SolveParams(
        time_limit_s=seconds, reduce_vehicles=False, metaheuristic="GUIDED_LOCAL_SEARCH"
    )
    return replace(base, **changes)  # type: ignore[arg-type]


Routes = list[list[int]]  # per model vehicle, the stop indices in visiting order


class _Model:
    """One OR-Tools routing model over a subset of the problem's vehicles."""

    def __init__(
        self,
        problem: Problem,
        fleet: Sequence[int],
        vehicle_cost: int,
        *,
        drop_mandatory: bool = True,
        must: int | None = None,
    ) -> None:
        """`must` overrides the drop penalty of mandatory stops (a neighbourhood scores its plan
        as the big problem would)."""
        self.problem = problem
        self.closed = False
        self.fleet = list(fleet)
        self.vehicles = [problem.vehicles[k] for k in self.fleet]
        stops = problem.stops
        depots = sorted({loc for v in self.vehicles for loc in (v.start, v.end)})
        self.locations = [s.location for s in stops] + depots
        self.service = [s.service_s for s in stops] + [0] * len(depots)
        self.setup = [s.setup_s for s in stops] + [0] * len(depots)
        node_of = {loc: len(stops) + i for i, loc in enumerate(depots)}
        self.manager = pywrapcp.RoutingIndexManager(
            len(self.locations),
            len(self.vehicles),
            [node_of[v.start] for v in self.vehicles],
            [node_of[v.end] for v in self.vehicles],
        )
        self.routing = pywrapcp.RoutingModel(self.manager)
        self.node = {stop.id: n for n, stop in enumerate(stops)}
        self.must = mandatory_penalty(problem) if must is None else must
        self._add_costs(vehicle_cost)
        self.time = self._add_time()
        self._add_load()
        grouped = self._add_pairs(drop_mandatory)
        self._add_disjunctions(drop_mandatory, grouped)
        self._add_restrictions()
        self.breaks = self._add_breaks()

    def _node_matrix(
        self, rows: Sequence[Sequence[int]], vehicle: Vehicle | None
    ) -> list[list[int]]:
        """Arc values between nodes; with a vehicle, its travel time plus service at the tail and,
        between two places, the head's setup."""
        locs, setup = self.locations, self.setup
        if vehicle is None:
            return [[rows[a][b] for b in locs] for a in locs]
        return [
            [
                self.service[i] + vehicle.travel_s(rows[a][b]) + (setup[j] if a != b else 0)
                for j, b in enumerate(locs)
            ]
            for i, a in enumerate(locs)
        ]

    def _add_costs(self, vehicle_cost: int) -> None:
        distances = self._node_matrix(self.problem.matrix.distances, None)
        for pair in self.problem.pairs:  # reaching an alternative delivery costs its extra
            if pair.alternative is not None and pair.alternative_cost:
                column = self.node[pair.alternative]
                for row in distances:
                    row[column] += pair.alternative_cost
        self.routing.SetArcCostEvaluatorOfAllVehicles(self.routing.RegisterTransitMatrix(distances))
        for k, vehicle in enumerate(self.vehicles):
            self.routing.SetFixedCostOfVehicle(vehicle.fixed_cost + vehicle_cost, k)

    def _add_time(self) -> pywrapcp.RoutingDimension:
        durations = self.problem.matrix.durations
        by_speed: dict[float, int] = {}
        for vehicle in self.vehicles:
            if vehicle.speed_factor not in by_speed:
                matrix = self._node_matrix(durations, vehicle)
                by_speed[vehicle.speed_factor] = self.routing.RegisterTransitMatrix(matrix)
        horizon = _horizon(self.problem)
        self.routing.AddDimensionWithVehicleTransits(
            [by_speed[v.speed_factor] for v in self.vehicles], horizon, horizon, False, "time"
        )
        dimension = self.routing.GetDimensionOrDie("time")
        for node, stop in enumerate(self.problem.stops):
            cumul = dimension.CumulVar(self.manager.NodeToIndex(node))
            cumul.SetRange(stop.windows[0][0], stop.windows[-1][1])
            for (_, end), (start, _) in zip(stop.windows, stop.windows[1:], strict=False):
                cumul.RemoveInterval(end + 1, start - 1)
            self.routing.AddVariableMinimizedByFinalizer(cumul)
        # The finalizer fixes its variables in this order: every stop as early as its windows
        # allow, then each route leaves as late as that allows and ends as early as it can.
        # Maximising the start first let it (and every stop after it) slide as late as the
        # route's last stop would still fit.
        for k, vehicle in enumerate(self.vehicles):
            dimension.CumulVar(self.routing.Start(k)).SetRange(*vehicle.shift)
            dimension.CumulVar(self.routing.End(k)).SetRange(*vehicle.shift)
            self.routing.AddVariableMaximizedByFinalizer(dimension.CumulVar(self.routing.Start(k)))
            self.routing.AddVariableMinimizedByFinalizer(dimension.CumulVar(self.routing.End(k)))
        return dimension

    def _add_load(self) -> None:
        demands = [s.demand for s in self.problem.stops]
        demands += [0] * (len(self.locations) - len(demands))
        callback = self.routing.RegisterUnaryTransitVector(demands)
        capacities = [v.capacity for v in self.vehicles]
        self.routing.AddDimensionWithVehicleCapacity(callback, 0, capacities, False, "load")
        load = self.routing.GetDimensionOrDie("load")
        for k, vehicle in enumerate(self.vehicles):
            load.CumulVar(self.routing.Start(k)).SetValue(vehicle.start_load)

    def _add_restrictions(self) -> None:
        """A dispatcher's locks: allowed vehicles, and fixed places in the route."""
        ids = {vehicle.id: k for k, vehicle in enumerate(self.vehicles)}
        positioned = [n for n, s in enumerate(self.problem.stops) if s.position is not None]
        if positioned:
            ones = [1] * len(self.locations)
            callback = self.routing.RegisterUnaryTransitVector(ones)
            self.routing.AddDimension(callback, 0, len(self.locations) + 1, True, "order")
        for node, stop in enumerate(self.problem.stops):
            index = self.manager.NodeToIndex(node)
            if stop.vehicles is not None:
                allowed = [ids[v] for v in stop.vehicles if v in ids]
                if allowed:  # -1 keeps "not served" possible; the drop penalty still applies
                    self.routing.VehicleVar(index).SetValues([-1, *allowed])
                else:  # its vehicle is not in this model (route elimination): it cannot be served
                    self.routing.ActiveVar(index).SetValue(0)
            if stop.position is not None:
                order = self.routing.GetDimensionOrDie("order")
                order.CumulVar(index).SetValue(stop.position + 1)

    def _add_pairs(self, drop_mandatory: bool) -> set[int]:
        """Pickup before delivery on one vehicle; the nodes whose drop rules a pair with an
        alternative delivery already set (one pickup, exactly one of its two deliveries)."""
        solver, grouped = self.routing.solver(), set()
        for pair in self.problem.pairs:
            pickup = self.manager.NodeToIndex(self.node[pair.pickup])
            delivery = self.manager.NodeToIndex(self.node[pair.delivery])
            if pair.alternative is not None:
                grouped |= self._add_alternative(pair, drop_mandatory)
                continue
            self.routing.AddPickupAndDelivery(pickup, delivery)
            solver.Add(self.routing.VehicleVar(pickup) == self.routing.VehicleVar(delivery))
            solver.Add(self.time.CumulVar(pickup) <= self.time.CumulVar(delivery))
        return grouped

    def _add_alternative(self, pair: Pair, drop_mandatory: bool) -> set[int]:
        """The pickup's disjunction and one over its two deliveries (at most one served), tied as
        a pickup-and-delivery set: both served on one vehicle, the pickup first, or neither."""
        nodes = [self.node[pair.pickup], self.node[pair.delivery], self.node[str(pair.alternative)]]
        pickup, delivery, alternative = (self.manager.NodeToIndex(n) for n in nodes)
        stop = self.problem.stops[nodes[0]]
        penalty = self._penalty(stop, drop_mandatory)
        picked = self.routing.AddDisjunction([pickup], penalty)
        delivered = self.routing.AddDisjunction([delivery, alternative], penalty, 1)
        self.routing.AddPickupAndDeliverySets(picked, delivered)
        solver, active, vehicle = (
            self.routing.solver(),
            self.routing.ActiveVar,
            self.routing.VehicleVar,
        )
        solver.Add(active(pickup) == active(delivery) + active(alternative))
        # an unserved node's vehicle is -1: the sum names the one delivery's vehicle, else -1
        solver.Add(vehicle(pickup) == vehicle(delivery) + vehicle(alternative) + 1)
        return set(nodes)

    def _penalty(self, stop: Stop, drop_mandatory: bool) -> int:
        """A stop's drop penalty; -1 (OR-Tools: must be served) for a mandatory one kept in."""
        if stop.penalty is not None:
            return stop.penalty
        return self.must if drop_mandatory else -1

    def _add_disjunctions(self, drop_mandatory: bool, grouped: set[int]) -> None:
        for node, stop in enumerate(self.problem.stops):
            if node in grouped or (stop.penalty is None and not drop_mandatory):
                continue
            penalty = self._penalty(stop, drop_mandatory)
            self.routing.AddDisjunction([self.manager.NodeToIndex(node)], penalty)

    def _add_breaks(self) -> dict[int, pywrapcp.IntervalVar]:
        solver = self.routing.solver()
        visit_transits = [
            self.service[self.manager.IndexToNode(index)] for index in range(self.routing.Size())
        ]
        breaks: dict[int, pywrapcp.IntervalVar] = {}
        for k, vehicle in enumerate(self.vehicles):
            lunch = vehicle.lunch
            if lunch is None:
                continue
            interval = solver.FixedDurationIntervalVar(
                lunch.earliest_start, lunch.latest_start, lunch.duration, False, f"break {k}"
            )
            self.time.SetBreakIntervalsOfVehicle([interval], k, visit_transits)
            breaks[k] = interval
            self._wait_outside_break(k, interval, lunch)
        return breaks

    def _wait_outside_break(self, k: int, interval: pywrapcp.IntervalVar, lunch: Break) -> None:
        """OR-Tools keeps the break off the services only: a stop's setup (the wait at a counter,
        part of the arc before it) could be spent before lunch and its service after. On vehicle
        k, each stop with a setup that could meet the break has it wholly before its setup or
        after its service (conservative for a stop after another at the same place, which skips
        the setup)."""
        solver, cumul = self.routing.solver(), self.time.CumulVar
        reach = (lunch.earliest_start, lunch.latest_start + lunch.duration)
        for node, stop in enumerate(self.problem.stops):
            opens, closes = stop.windows[0][0], stop.windows[-1][1]
            if not stop.setup_s or closes < reach[0] or opens - stop.setup_s > reach[1]:
                continue
            index = self.manager.NodeToIndex(node)
            solver.Add(
                solver.IsLessOrEqualVar(interval.EndExpr(), cumul(index) - stop.setup_s)
                + solver.IsGreaterOrEqualVar(interval.StartExpr(), cumul(index) + stop.service_s)
                + solver.IsDifferentCstVar(self.routing.VehicleVar(index), k)
                >= 1
            )

    def search(
        self, params: SolveParams, seconds: float, initial: Routes | pywrapcp.Assignment | None
    ) -> pywrapcp.Assignment | None:
        """Run one search from `initial` routes or a solution already read (or a first-solution
        strategy) for `seconds`."""
        search = pywrapcp.DefaultRoutingSearchParameters()
        search.first_solution_strategy = _FIRST.Value.Value(params.first_solution)
        ils = params.metaheuristic == ILS_SISR
        if ils:
            _iterated_local_search(search)
        else:
            search.local_search_metaheuristic = _META.Value.Value(params.metaheuristic)
        if params.switch_metaheuristics and params.metaheuristic == "GUIDED_LOCAL_SEARCH":
            search.local_search_metaheuristic = _META.UNSET  # OR-Tools: one or the other
            search.local_search_metaheuristics[:] = [
                _META.Value.Value(m) for m in params.switch_metaheuristics
            ]
            search.num_max_local_optima_before_metaheuristic_switch = params.switch_after
        search.guided_local_search_lambda_coefficient = params.lambda_coefficient
        search.time_limit.FromMilliseconds(max(1, int(seconds * 1000)))
        if params.solution_limit is not None:
            search.solution_limit = params.solution_limit
        search.log_search = params.log
        closed, self.closed = self.closed, True
        if initial is None:
            if ils:
                return self.routing.SolveWithIteratedLocalSearch(search)
            return self.routing.SolveWithParameters(search)
        began = time.monotonic()
        if not closed:
            self.routing.CloseModelWithParameters(search)
        start = self.restore(initial) if isinstance(initial, list) else initial
        if start is None:
            return None
        # closing the model and reading the routes count in `seconds` (on a few hundred stops
        # under load they took most of a second)
        left = seconds - (time.monotonic() - began)
        search.time_limit.FromMilliseconds(max(1, int(left * 1000)))
        if ils:
            # OR-Tools' ILS builds its own first solution: the routes are its hint, which the
            # local cheapest insertion follows
            self.routing.SetFirstSolutionHint(start)
            search.first_solution_strategy = _FIRST.LOCAL_CHEAPEST_INSERTION
            return self.routing.SolveWithIteratedLocalSearch(search)
        return self.routing.SolveFromAssignmentWithParameters(start, search)

    def restore(self, routes: Routes) -> pywrapcp.Assignment | None:
        """The solution that serves `routes` (None when it breaks a constraint). Read it on a
        model that has not searched yet: after a search OR-Tools may refuse valid routes."""
        if not self.closed:
            self.routing.CloseModelWithParameters(pywrapcp.DefaultRoutingSearchParameters())
            self.closed = True
        indices = [[self.manager.NodeToIndex(n) for n in route] for route in routes]
        return self.routing.ReadAssignmentFromRoutes(indices, True)

    def routes(self, solution: pywrapcp.Assignment) -> Routes:
        """The stop indices of each model vehicle's route in `solution`."""
        result: Routes = []
        for k in range(len(self.vehicles)):
            index = solution.Value(self.routing.NextVar(self.routing.Start(k)))
            route: list[int] = []
            while not self.routing.IsEnd(index):
                route.append(self.manager.IndexToNode(index))
                index = solution.Value(self.routing.NextVar(index))
            result.append(route)
        return result


def _iterated_local_search(search: routing_enums_pb2.RoutingSearchParameters) -> None:
    """Iterated local search (run by `SolveWithIteratedLocalSearch` only): ruin strings of nearby
    routes (SISR, Christiaens & Vanden Berghe 2020, their suggested sizes), recreate by cheapest
    insertion, descend greedily, accept by simulated annealing with temperatures from the arcs."""
    search.local_search_metaheuristic = _META.GREEDY_DESCENT
    search.use_iterated_local_search = True
    ils = search.iterated_local_search_parameters
    ruin = ils.ruin_recreate_parameters
    del ruin.ruin_strategies[:]
    sisr = ruin.ruin_strategies.add().sisr
    sisr.max_removed_sequence_size = 10
    sisr.avg_num_removed_visits = 10
    sisr.bypass_factor = 0.01
    ils.improve_perturbed_solution = True
    ils.reference_solution_acceptance_strategy.simulated_annealing.automatic_temperatures = True


def mandatory_penalty(problem: Problem) -> int:
    """A drop penalty for mandatory stops, above the cost of any plan serving every stop."""
    longest = max((max(row, default=0) for row in problem.matrix.distances), default=0)
    arcs = len(problem.stops) + 2 * len(problem.vehicles)
    fixed = sum(v.fixed_cost for v in problem.vehicles)
    optional = sum(s.penalty or 0 for s in problem.stops)
    optional += sum(pair.alternative_cost for pair in problem.pairs)
    return (
        2 * (longest * arcs + fixed + optional + _vehicle_cost(problem) * len(problem.vehicles)) + 1
    )


def _vehicle_cost(problem: Problem) -> int:
    """Extra fixed cost per vehicle that makes the hierarchical objective prefer fewer vehicles."""
    if problem.objective != "hierarchical":
        return 0
    longest = max((max(row, default=0) for row in problem.matrix.distances), default=0)
    return 2 * longest + 1


def _horizon(problem: Problem) -> int:
    ends = [v.shift[1] for v in problem.vehicles]
    ends += [s.windows[-1][1] for s in problem.stops]
    return max(ends, default=0) + 1


@dataclass(frozen=True, slots=True)
class _Found:
    """A solution together with the model it belongs to."""

    model: _Model
    solution: pywrapcp.Assignment

    @property
    def routes(self) -> Routes:
        return self.model.routes(self.solution)

    @property
    def dropped_cost(self) -> int:
        problem = self.model.problem
        served = {problem.stops[node].id for route in self.routes for node in route}
        must = mandatory_penalty(problem)
        out = set(problem.unserved(served))
        return sum(
            must if stop.penalty is None else stop.penalty
            for stop in problem.stops
            if stop.id in out
        )

    @property
    def vehicles(self) -> int:
        return sum(1 for route in self.routes if route)


class _Clock:
    """Wall-clock budget shared by the phases, and the record of what each phase did."""

    def __init__(self, limit_s: float) -> None:
        self.limit_s = limit_s
        self.started = time.monotonic()
        self.last = self.started
        self.phases: list[Phase] = []

    def elapsed(self) -> float:
        """Seconds since the solve began."""
        return time.monotonic() - self.started

    def left(self) -> float:
        """Seconds left in the budget (never below a millisecond)."""
        return max(0.001, self.limit_s - self.elapsed())

    def record(self, name: str, found: _Found | None) -> None:
        """Close the current phase under `name`."""
        now = time.monotonic()
        vehicles = found.vehicles if found else 0
        objective = found.solution.ObjectiveValue() if found else 0
        self.phases.append(Phase(name, now - self.last, vehicles, objective))
        self.last = now


def solve(problem: Problem, params: SolveParams | None = None) -> Plan:
    """Build a plan: every stop served when the fleet allows it, otherwise the fewest dropped."""
    params = params or SolveParams()
    clock = _Clock(params.time_limit_s)
    if not problem.stops or not problem.vehicles:
        return _plan(problem, None, clock)
    if problem.objective != "hierarchical" or not params.reduce_vehicles:
        model = _Model(
            problem,
            range(len(problem.vehicles)),
            _vehicle_cost(problem),
            drop_mandatory=params.drop_mandatory,
        )
        if len(problem.stops) >= params.neighbourhood_from:
            return _plan(problem, _by_neighbourhoods(model, params, clock), clock)
        found = _search(model, _sized(params, problem), clock.left(), None)
        clock.record("search", found)
        return _plan(problem, found, clock)
    params = _sized(params, problem)
    found = _construct(problem, params, clock)
    clock.record("construct", found)
    if found is None:
        return _plan(problem, None, clock)
    found = _eliminate(
        params, clock, found, clock.elapsed() + params.elimination_share * clock.left()
    )
    clock.record("eliminate", found)
    found = _optimise(problem, params, clock, found)
    clock.record("optimise", found)
    return _plan(problem, found, clock)


def _sized(params: SolveParams, problem: Problem) -> SolveParams:
    """`params` with the first-solution strategy for the problem's size."""
    if len(problem.stops) >= params.large_from:
        return replace(params, first_solution=params.large_first_solution)
    return params


def _by_neighbourhoods(model: _Model, params: SolveParams, clock: _Clock) -> _Found | None:
    """A big problem's single phase: build a first solution, then search one neighbourhood at a
    time with `params.metaheuristic`, and end with a descent over the whole problem from the
    routes reached, which also fills in their times.

    A neighbourhood is a seed route and the routes nearest it, with the left-out pairs near them;
    every other round (every round while no route is made) it is built around a left-out stop
    instead: a first solution cut short by the time limit (seconds for several hundred stops on a
    loaded core) leaves many stops out, far from any route. Where more stops are left out there
    than routes hold, the round builds new routes for them on idle couriers from nothing."""
    problem = model.problem
    descent = replace(_sized(params, problem), metaheuristic="GREEDY_DESCENT")
    found = _search(
        model, replace(descent, solution_limit=1), clock.left() * params.first_share, None
    )
    clock.record("construct", found)
    routes = found.routes if found else [[] for _ in problem.vehicles]
    nearness = Nearness(problem)
    cost, must = _vehicle_cost(problem), model.must
    # a model that has searched may refuse to read routes back: the finish gets a fresh one,
    # built now so that the time left for the finish is its reading and descent
    built = time.monotonic()
    whole = _Model(problem, model.fleet, cost, drop_mandatory=params.drop_mandatory)
    # the finish reads the routes into it (a few times as long as building it) and descends
    reserve = max(1.0, 0.1 * clock.left()) + 2 * (time.monotonic() - built)
    per_route = max(1, len(problem.stops) // max(1, len(problem.vehicles)))
    turn = 0
    while clock.left() > reserve + params.neighbourhood_s / 2:
        medoids = nearness.medoids(routes)
        left_out = nearness.left_out(routes)
        turn += 1
        fresh = False
        if left_out and (turn % 2 or not medoids):
            seed_stop = left_out[(turn // 2) % len(left_out)]
            chosen, left = nearness.around_stop(
                routes, seed_stop, left_out, medoids, params.neighbourhood_stops
            )
            place = problem.stops[seed_stop].location
            fresh = len(left) >= params.neighbourhood_stops // 2 or not chosen
            if fresh:  # new routes for a cluster of left-out stops
                chosen = []
            need = -(-len(left) // per_route) + 1 if fresh else max(1, len(left) // 20)
        elif medoids:
            seed = sorted(medoids)[(turn // 2) % len(medoids)]
            chosen = nearness.around(routes, seed, medoids, params.neighbourhood_stops)
            left = nearness.left_out_near(left_out, chosen, medoids)
            place, need = problem.vehicles[seed].start, max(1, len(left) // 20)
        else:
            break
        if left:
            chosen += _idle_near(problem, routes, place, chosen, need)
        left = [node for node in left if servable(problem, node, chosen)]
        if not chosen or (fresh and not left):
            continue
        try:
            hood = carve(
                problem, chosen, nearness.closure([n for k in chosen for n in routes[k]] + left)
            )
        except InvalidProblem:  # a stop locked at a place past what this neighbourhood holds
            continue
        sub = _Model(
            hood.problem, range(len(chosen)), cost, drop_mandatory=params.drop_mandatory, must=must
        )
        seconds = min(params.neighbourhood_s, clock.left() - reserve)
        start = None if fresh else hood.initial(routes)
        better = _search(sub, _sized(params, hood.problem), seconds, start)
        if better is not None:
            hood.write_back(routes, better.routes)
    start = whole.restore(routes)
    if start is None:  # cannot happen with feasible neighbourhoods; keep the construction then
        clock.record("neighbourhoods", None)
        return found
    final = _search(whole, descent, clock.left(), start) or _Found(whole, start)
    clock.record("neighbourhoods", final)
    return final


def _idle_near(
    problem: Problem, routes: Routes, place: int, chosen: list[int], count: int
) -> list[int]:
    """Up to `count` unused vehicles, those starting nearest `place` first."""
    rows = problem.matrix.distances
    idle = [k for k, route in enumerate(routes) if not route and k not in chosen]
    idle.sort(key=lambda k: rows[problem.vehicles[k].start][place])
    return idle[:count]


def _optimise(problem: Problem, params: SolveParams, clock: _Clock, found: _Found) -> _Found:
    """Shorten the routes of the reduced fleet: tabu search first, then `params.metaheuristic`
    (iterated local search by default).

    Tabu search makes the big early gains on long (type-2) routes but stops by itself; the second
    stage keeps improving with whatever time is left.
    """
    fleet = found.model.fleet
    stages = (params.optimise_metaheuristic, params.metaheuristic)
    for n, metaheuristic in enumerate(stages):
        share = clock.left() / (len(stages) - n)
        model = _Model(problem, fleet, _vehicle_cost(problem))
        stage = replace(params, metaheuristic=metaheuristic)
        improved = _search(
            model, stage, share if n < len(stages) - 1 else clock.left(), found.routes
        )
        if improved is not None and _rank(improved) <= _rank(found):
            found = improved
    return found


def _construct(problem: Problem, params: SolveParams, clock: _Clock) -> _Found | None:
    """The best of several first-solution strategies, each polished by greedy descent.

    Which insertion order works best differs by instance (long type-2 routes, tight type-1
    windows), and each costs a second or less on a hundred stops, so trying a few pays.
    """
    strategies = (
        params.first_solution,
        *(s for s in params.portfolio if s != params.first_solution),
    )
    budget = clock.left() * params.construct_share
    best: _Found | None = None
    for strategy in strategies:
        if best is not None and clock.elapsed() >= budget:
            break
        model = _Model(problem, range(len(problem.vehicles)), _vehicle_cost(problem))
        greedy = replace(params, first_solution=strategy, metaheuristic="GREEDY_DESCENT")
        # the first construction may run past its share until it is complete (it stops by
        # itself at its first local optimum): a few hundred stops need seconds, not a slice
        seconds = budget / len(strategies)
        if best is None:
            seconds = max(seconds, clock.left() * params.first_share)
        found = _search(model, greedy, seconds, None)
        if found is not None and (best is None or _rank(found) < _rank(best)):
            best = found
    return best


def _rank(found: _Found) -> tuple[int, int, int]:
    """Hierarchical order: fewest mandatory stops left out, then fewest vehicles, then cost."""
    return (found.dropped_cost, found.vehicles, found.solution.ObjectiveValue())


def _search(
    model: _Model,
    params: SolveParams,
    seconds: float,
    initial: Routes | pywrapcp.Assignment | None,
) -> _Found | None:
    solution = model.search(params, seconds, initial)
    return None if solution is None else _Found(model, solution)


def _eliminate(params: SolveParams, clock: _Clock, found: _Found, until: float) -> _Found:
    """Remove routes one by one while the remaining vehicles can still serve their stops.

    Each try first repairs the previous routes minus the victim's (`params.metaheuristic`
    re-inserting its stops, from them as a hint under iterated local search); when that fails, it builds afresh on the smaller fleet with tabu
    search, which escapes the previous solution's shape (measured: RC101 16 → 15 vehicles).
    """
    while clock.elapsed() < until:
        routes = dict(zip(found.model.fleet, found.routes, strict=True))
        used = [k for k, route in routes.items() if route]
        if len(used) <= 1:
            break
        reduced = None
        victims = sorted(used, key=lambda k: len(routes[k]))[: params.attempts]
        # a fresh build gets twice the time of a repair: it starts from nothing
        tries = [(victims[0], True, 1.0), (victims[0], False, 2.0)]
        tries += [(victim, True, 1.0) for victim in victims[1:]]
        for victim, warm, weight in tries:
            seconds = min(until - clock.elapsed(), weight * params.attempt_s)
            if seconds <= 0:
                break
            reduced = _without(params, found, routes, victim, seconds, warm=warm)
            if reduced is not None:
                break
        if reduced is None:
            break
        found = reduced
    return found


def _without(
    params: SolveParams,
    found: _Found,
    routes: dict[int, list[int]],
    victim: int,
    seconds: float,
    *,
    warm: bool,
) -> _Found | None:
    """Re-solve without the victim's vehicle (and idle ones); None when stops stay out."""
    problem = found.model.problem
    fleet = [k for k, route in routes.items() if route and k != victim]
    model = _Model(problem, fleet, _vehicle_cost(problem))
    target = found.dropped_cost
    must = mandatory_penalty(problem)
    routing = model.routing

    def stop_when_all_in() -> None:
        # Costs other than mandatory drops stay below `must`, so this means none is left out.
        if routing.CostVar().Value() < (target // must + 1) * must:
            routing.solver().FinishCurrentSearch()

    routing.AddAtSolutionCallback(stop_when_all_in)
    if warm:
        attempt = _search(model, params, seconds, [routes[k] for k in fleet])
    else:
        fresh = replace(params, metaheuristic=params.elimination_metaheuristic)
        attempt = _search(model, fresh, seconds, None)
    if attempt is None or attempt.dropped_cost > target:
        return None
    return attempt


def _plan(problem: Problem, found: _Found | None, clock: _Clock) -> Plan:
    """Turn a solution into a Plan, recomputing arrivals from the matrix."""
    routes = {}
    if found is not None:
        for k, vehicle_index in enumerate(found.model.fleet):
            routes[vehicle_index] = _route(found, k)
    plan_routes = tuple(
        routes.get(k) or Route(vehicle.id, (), vehicle.shift[0], vehicle.shift[0])
        for k, vehicle in enumerate(problem.vehicles)
    )
    served = {visit.stop_id for route in plan_routes for visit in route.visits}
    dropped = problem.unserved(served)
    mandatory_out = any(problem.stop(stop_id).mandatory for stop_id in dropped)
    stats = SolverStats(
        status="no_solution" if found is None else ("partial" if mandatory_out else "feasible"),
        wall_s=clock.elapsed(),
        objective=found.solution.ObjectiveValue() if found else 0,
        vehicles_used=sum(1 for route in plan_routes if route.used),
        phases=tuple(clock.phases),
    )
    return Plan(
        routes=plan_routes,
        dropped=dropped,
        travel_s=sum(route.travel_s for route in plan_routes),
        distance_m=sum(route.distance_m for route in plan_routes),
        stats=stats,
    )


def _route(found: _Found, k: int) -> Route:
    """One vehicle's route with times read from the solution and arrivals from the matrix."""
    model, solution = found.model, found.solution
    routing, time_dim = model.routing, model.time
    vehicle = model.vehicles[k]
    break_start = _break_start(found, k)
    matrix = model.problem.matrix
    index = routing.Start(k)
    departure = solution.Value(time_dim.CumulVar(index))
    start_time, location, load = departure, vehicle.start, vehicle.start_load
    visits: list[Visit] = []
    travel = distance = 0
    for node in found.routes[k]:
        stop = model.problem.stops[node]
        begin = solution.Value(time_dim.CumulVar(model.manager.NodeToIndex(node)))
        leg = vehicle.travel_s(matrix.durations[location][stop.location])
        load += stop.demand
        # the courier is planned to arrive just in time for the setup (if any) and the service:
        # a wait for a window to open is spent before leaving the previous place, so the time a
        # dispatcher and the courier read is when the stop happens, not hours before it (the
        # break and the setup are never in that wait's way: the solver keeps them apart)
        setup = stop.setup_s if stop.location != location else 0
        visits.append(Visit(stop.id, begin - setup, begin, begin + stop.service_s, load))
        travel += leg
        distance += matrix.distances[location][stop.location]
        departure, location = begin + stop.service_s, stop.location
    travel += vehicle.travel_s(matrix.durations[location][vehicle.end])
    distance += matrix.distances[location][vehicle.end]
    end = solution.Value(time_dim.CumulVar(routing.End(k)))
    if not visits:
        return Route(vehicle.id, (), vehicle.shift[0], vehicle.shift[0])
    return Route(vehicle.id, tuple(visits), start_time, end, break_start, travel, distance)


def _break_start(found: _Found, k: int) -> int | None:
    interval = found.model.breaks.get(k)
    if interval is None or not found.routes[k]:
        return None
    return int(found.solution.StartValue(interval))
