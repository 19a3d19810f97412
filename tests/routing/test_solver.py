"""The solver returns feasible, optimal-on-small-cases plans; every plan is validated."""

from __future__ import annotations

from dataclasses import replace

import pytest

from routing.model import Break, Pair, Plan, Problem
from routing.solver import SolveParams, solve
from routing.validate import validate
from tests.routing.builders import make_problem, make_stop, make_vehicle

QUICK = SolveParams(time_limit_s=1.0, solution_limit=200)


def solved(problem: Problem, params: SolveParams = QUICK) -> Plan:
    """Solve and insist the plan passes the independent validator."""
    plan = solve(problem, params)
    assert validate(problem, plan) == []
    return plan


def order(plan: Plan, vehicle: int = 0) -> list[str]:
    """Stop ids of one vehicle's route."""
    return [visit.stop_id for visit in plan.routes[vehicle].visits]


def test_line_is_served_out_and_back() -> None:
    """Three stops on a line: the optimum is 600 m, there and back once."""
    plan = solved(make_problem(tuple(make_stop(s, i + 1) for i, s in enumerate("abc"))))
    assert plan.distance_m == 600
    assert sorted(order(plan)) == ["a", "b", "c"]
    assert plan.stats.status == "feasible"


def test_time_windows_force_the_order() -> None:
    """The far stop closes early, so it is served first although that costs more."""
    stops = (make_stop("near", 1, windows=((100, 200),)), make_stop("far", 3, windows=((0, 40),)))
    plan = solved(make_problem(stops))
    assert order(plan) == ["far", "near"]
    assert plan.routes[0].visits[1].start >= 100


def test_second_window_is_used_when_the_first_is_missed() -> None:
    """A stop whose first window cannot be reached is served in its second one."""
    stops = (
        make_stop("a", 3, windows=((300, 320),)),
        make_stop("b", 3, windows=((0, 5), (400, 500))),
    )
    plan = solved(make_problem(stops))
    assert plan.routes[0].visits[-1].stop_id == "b"
    assert 400 <= plan.routes[0].visits[-1].start <= 500


def test_pickup_precedes_delivery_on_the_same_vehicle() -> None:
    """A pair is served by one vehicle, pickup first, with the load carried between."""
    stops = (make_stop("p", 3, demand=2), make_stop("d", 1, demand=-2))
    plan = solved(make_problem(stops, pairs=(Pair("p", "d"),)))
    assert order(plan) == ["p", "d"]
    assert [v.load for v in plan.routes[0].visits] == [2, 0]


def test_capacity_splits_work_over_two_vehicles() -> None:
    """Two stops of demand 6 with capacity 10 need both vehicles."""
    stops = (make_stop("a", 1, demand=6), make_stop("b", 2, demand=6))
    vehicles = (make_vehicle("v1"), make_vehicle("v2"))
    plan = solved(make_problem(stops, vehicles=vehicles))
    assert plan.vehicles_used == 2


def test_hierarchical_objective_uses_one_vehicle_when_it_can() -> None:
    """With two vehicles available and room on one, only one is used."""
    stops = tuple(make_stop(s, i + 1) for i, s in enumerate("abc"))
    vehicles = (make_vehicle("v1"), make_vehicle("v2"), make_vehicle("v3"))
    plan = solved(make_problem(stops, vehicles=vehicles))
    assert plan.vehicles_used == 1


def test_lunch_break_is_placed_without_overlapping_service() -> None:
    """A 60 s lunch between 20 and 40 s is taken and pushes the later visits."""
    stops = tuple(make_stop(s, i + 1, service_s=10) for i, s in enumerate("abc"))
    vehicle = make_vehicle(lunch=Break(20, 40, 60))
    plan = solved(make_problem(stops, vehicles=(vehicle,)))
    route = plan.routes[0]
    assert route.break_start is not None
    assert 20 <= route.break_start <= 40


def test_unreachable_optional_stop_is_dropped() -> None:
    """An optional stop whose window closes before it can be reached is dropped."""
    stops = (make_stop("a", 1), make_stop("late", 3, windows=((0, 5),), penalty=1000))
    plan = solved(make_problem(stops))
    assert plan.dropped == ("late",)
    assert plan.stats.status == "feasible"


def test_cheap_optional_stop_is_dropped_when_serving_costs_more() -> None:
    """An optional stop whose penalty is below its detour cost is left out."""
    stops = (make_stop("a", 1), make_stop("far", 3, penalty=10))
    plan = solved(make_problem(stops, objective="distance"))
    assert plan.dropped == ("far",)


def test_impossible_mandatory_stop_is_reported_not_raised() -> None:
    """A mandatory stop nobody can reach in time is dropped and the status says partial."""
    stops = (make_stop("a", 1), make_stop("late", 3, windows=((0, 5),)))
    plan = solve(make_problem(stops), QUICK)
    assert plan.dropped == ("late",)
    assert plan.stats.status == "partial"
    assert [v.kind for v in validate(make_problem(stops), plan)] == ["dropped_mandatory"]


def test_slower_vehicle_takes_longer() -> None:
    """A vehicle at half speed spends twice the travel time."""
    stops = (make_stop("a", 2),)
    plan = solved(make_problem(stops, vehicles=(make_vehicle(speed_factor=0.5),)))
    assert plan.travel_s == 80


def test_same_plan_twice_under_a_solution_limit() -> None:
    """With a solution limit the solve is deterministic."""
    stops = tuple(make_stop(s, (i % 3) + 1, demand=3) for i, s in enumerate("abcdefg"))
    vehicles = (make_vehicle("v1"), make_vehicle("v2"), make_vehicle("v3"))
    problem = make_problem(stops, vehicles=vehicles)
    params = SolveParams(time_limit_s=20.0, solution_limit=50)
    assert solved(problem, params).routes == solved(problem, params).routes


@pytest.mark.parametrize(
    "params",
    [
        SolveParams(time_limit_s=1.0, metaheuristic="ITERATED_LOCAL_SEARCH_SISR"),
        SolveParams(
            time_limit_s=1.0,
            metaheuristic="GUIDED_LOCAL_SEARCH",
            switch_metaheuristics=("GUIDED_LOCAL_SEARCH", "TABU_SEARCH"),
            switch_after=2,
        ),
    ],
    ids=["iterated local search", "switching metaheuristics"],
)
def test_each_search_lever_serves_every_stop(params: SolveParams) -> None:
    """The levers measured in bench/README.md plan every stop of a small day, feasibly, on the
    pipeline with route elimination and on a single search phase."""
    stops = tuple(make_stop(s, (i % 3) + 1, demand=2) for i, s in enumerate("abcdefghij"))
    vehicles = (make_vehicle("v1"), make_vehicle("v2"), make_vehicle("v3"))
    problem = make_problem(stops, vehicles=vehicles)
    for reduce in (True, False):
        plan = solved(problem, replace(params, reduce_vehicles=reduce))
        assert plan.dropped == ()
        assert plan.stats.status == "feasible"


def test_problem_without_vehicles_drops_everything() -> None:
    """No vehicle: every stop is dropped and nothing crashes."""
    problem = Problem(vehicles=(), stops=(make_stop("a", 1),), matrix=make_problem(()).matrix)
    plan = solve(problem, QUICK)
    assert plan.dropped == ("a",)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"time_limit_s": 0}, "time_limit_s must be positive, got 0"),
        ({"solution_limit": 0}, "solution_limit must be at least 1, got 0"),
        ({"first_solution": "FASTEST"}, "unknown first solution strategy 'FASTEST'"),
        ({"metaheuristic": "MAGIC"}, "unknown metaheuristic 'MAGIC'"),
        ({"elimination_share": 1.0}, "elimination_share must be in [0, 1), got 1.0"),
        ({"first_share": 0}, "first_share must be in (0, 1), got 0"),
        ({"switch_metaheuristics": ("MAGIC",)}, "unknown metaheuristics ['MAGIC']"),
        ({"large_first_solution": "FASTEST"}, "unknown first solution strategy 'FASTEST'"),
        ({"large_from": 0}, "large_from must be at least 1, got 0"),
        ({"neighbourhood_from": 0}, "neighbourhood_from must be at least 1, got 0"),
        ({"neighbourhood_stops": -1}, "neighbourhood_stops must be at least 1, got -1"),
        ({"neighbourhood_s": 0.0}, "neighbourhood_s must be positive, got 0.0"),
    ],
)
def test_bad_solve_params_are_refused(fields: dict[str, object], message: str) -> None:
    """SolveParams validates its fields."""
    with pytest.raises(
        ValueError,
        match="^" + message.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)") + "$",
    ):
        SolveParams(**fields)  # type: ignore[arg-type]


def test_large_problems_start_from_their_own_construction(monkeypatch: pytest.MonkeyPatch) -> None:
    """From `large_from` stops on, the first solution uses `large_first_solution`; below, the
    usual `first_solution`."""
    from routing import solver

    used: list[str] = []
    search = solver._Model.search

    def recording(model: object, params: SolveParams, *args: object) -> object:
        used.append(params.first_solution)
        return search(model, params, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(solver._Model, "search", recording)
    stops = tuple(make_stop(s, (i % 3) + 1, demand=2) for i, s in enumerate("abcdef"))
    problem = make_problem(stops, vehicles=(make_vehicle("v1"), make_vehicle("v2")))
    single = replace(QUICK, reduce_vehicles=False, large_first_solution="SAVINGS")
    solved(problem, replace(single, large_from=7))
    solved(problem, replace(single, large_from=6))
    assert used == ["PARALLEL_CHEAPEST_INSERTION", "SAVINGS"]
