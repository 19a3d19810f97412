"""A big problem is improved one neighbourhood (a few nearby routes) at a time: the sub-problems
are cut faithfully, and the plan put back together is whole and valid."""

from __future__ import annotations

from dataclasses import replace

import pytest

from routing.matrix import GreatCircleProvider
from routing.model import InvalidProblem, Problem
from routing.neighbourhood import Nearness, carve, servable
from routing.partition import build_problem, split_day
from routing.solver import SolveParams, part_params, solve
from routing.validate import validate
from tests.routing.test_partition import make_day

BIG = part_params(
    6.0, neighbourhood_from=50, neighbourhood_stops=30, neighbourhood_s=0.5, first_share=0.3
)


def day_problem(jobs: int, couriers: int, hold: bool = False) -> Problem:
    """One post office's inbound dossiers as one problem, optionally with the overnight hold."""
    day = make_day(north_jobs=jobs, south_jobs=0, couriers=couriers)
    (part,) = [p for p in split_day(day, max_jobs=1000, jobs_per_courier=1000) if p.jobs]
    if hold:
        part = replace(part, jobs=tuple(replace(j, hold_cost=15_000) for j in part.jobs))
    return build_problem(part, GreatCircleProvider())


def routes_of(problem: Problem, params: SolveParams) -> list[list[int]]:
    """A plan's routes as stop indices per vehicle."""
    node = {stop.id: n for n, stop in enumerate(problem.stops)}
    plan = solve(problem, params)
    return [[node[visit.stop_id] for visit in route.visits] for route in plan.routes]


def test_a_neighbourhood_is_the_same_problem_on_fewer_routes() -> None:
    """Its stops keep their windows, service, demand and distances between them; its vehicles
    start and end at the same place; its pairs are those of its stops; routes go in and out
    unchanged."""
    problem = day_problem(jobs=24, couriers=3)
    routes = routes_of(problem, part_params(2.0))
    used = [k for k, route in enumerate(routes) if route][:2]
    nearness = Nearness(problem)
    hood = carve(problem, used, nearness.closure([n for k in used for n in routes[k]]))
    sub = hood.problem
    for a, here in zip(hood.stops, sub.stops, strict=True):
        there = problem.stops[a]
        assert replace(here, location=there.location) == there
        for b, other in zip(hood.stops, sub.stops, strict=True):
            far = problem.matrix.distances[there.location][problem.stops[b].location]
            assert sub.matrix.distances[here.location][other.location] == far
    for k, vehicle in zip(used, sub.vehicles, strict=True):
        depot = problem.vehicles[k].start
        assert replace(vehicle, start=depot, end=depot) == problem.vehicles[k]
        for a, here in zip(hood.stops, sub.stops, strict=True):
            far = problem.matrix.distances[depot][problem.stops[a].location]
            assert sub.matrix.distances[vehicle.start][here.location] == far
    ids = {stop.id for stop in sub.stops}
    assert {p.pickup for p in sub.pairs} == {p.pickup for p in problem.pairs if p.pickup in ids}
    again = [list(route) for route in routes]
    hood.write_back(again, hood.initial(routes))
    assert again == routes


def test_a_lock_keeps_the_vehicles_of_the_neighbourhood_only() -> None:
    """A stop locked to two couriers, one of them in the neighbourhood, keeps that one; a
    neighbourhood without either may not take it."""
    problem = day_problem(jobs=6, couriers=3)
    first, second, third = (v.id for v in problem.vehicles)
    locked = replace(problem.stops[0], vehicles=(first, third))
    problem = replace(problem, stops=(locked, *problem.stops[1:]))
    hood = carve(problem, [0, 1], Nearness(problem).closure([0]))
    assert hood.problem.stops[0].vehicles == (first,)
    assert servable(problem, 0, [0, 1])
    assert not servable(problem, 0, [1])
    assert second not in (locked.vehicles or ())


def test_a_pair_delivered_at_the_counter_is_not_left_out_for_its_unused_hold() -> None:
    """With the overnight hold, a served pair leaves its alternative delivery unvisited; that stop
    is not 'left out' (taking it would plan the dossier twice), the unserved pairs' stops are."""
    problem = day_problem(jobs=3, couriers=1, hold=True)
    node = {stop.id: n for n, stop in enumerate(problem.stops)}
    served = problem.pairs[0]
    routes = [[node[served.pickup], node[served.delivery]]]
    left = Nearness(problem).left_out(routes)
    assert node[str(served.alternative)] not in left
    others = {s for p in problem.pairs[1:] for s in (p.pickup, p.delivery, p.alternative)}
    assert {problem.stops[n].id for n in left} == others


def test_a_big_problem_is_planned_whole_and_valid_by_neighbourhoods() -> None:
    """From `neighbourhood_from` stops on, the single phase searches neighbourhoods between a
    construction and a final descent: every dossier is planned (at the counter or held), a lock
    is kept, the plan passes the validator, and the search only ever improves on the
    construction."""
    problem = day_problem(jobs=60, couriers=6, hold=True)
    courier = problem.vehicles[3].id
    pair = problem.pairs[0]
    stops = tuple(
        replace(stop, vehicles=(courier,))
        if stop.id in (pair.pickup, pair.delivery, pair.alternative)
        else stop
        for stop in problem.stops
    )
    problem = replace(problem, stops=stops)
    plan = solve(problem, BIG)
    assert validate(problem, plan) == []
    assert plan.dropped == ()
    assert [phase.name for phase in plan.stats.phases] == ["construct", "neighbourhoods"]
    construct, finish = plan.stats.phases
    assert finish.objective <= construct.objective
    route = next(r for r in plan.routes if r.vehicle_id == courier)
    assert pair.pickup in {visit.stop_id for visit in route.visits}


def test_below_the_threshold_the_single_phase_is_one_search() -> None:
    """A part smaller than `neighbourhood_from` stops is searched whole, as before."""
    problem = day_problem(jobs=20, couriers=3)
    plan = solve(problem, replace(BIG, time_limit_s=2.0))
    assert [phase.name for phase in plan.stats.phases] == ["search"]
    assert validate(problem, plan) == []


def test_a_first_solution_cut_short_is_built_by_neighbourhoods() -> None:
    """When the first solution does not come in its time (hundreds of stops on a loaded core),
    the neighbourhoods build routes for the left-out stops on idle couriers: the day is planned
    anyway, and validly."""
    problem = day_problem(jobs=60, couriers=6, hold=True)
    plan = solve(problem, replace(BIG, first_share=0.0001))
    assert plan.stats.phases[0].vehicles == 0  # nothing built in its 0.6 ms
    assert validate(problem, plan) == []
    assert plan.dropped == ()


def test_a_neighbourhood_that_cannot_hold_a_lock_is_passed_over(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A stop locked at a place past the stops a neighbourhood holds makes its sub-problem
    invalid; that neighbourhood is passed over and the part is still planned."""
    from routing import solver

    problem = day_problem(jobs=60, couriers=6)
    cut, refused = solver.carve, []

    def refusing(*args: object) -> object:
        if not refused:
            refused.append(True)
            raise InvalidProblem("stop 'x' position 34 is out of range 0..29")
        return cut(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(solver, "carve", refusing)
    plan = solve(problem, BIG)
    assert refused
    assert validate(problem, plan) == []
    assert plan.dropped == ()
