"""Planned times are the earliest the windows allow: a courier carrying dossiers for a counter
hands them in when it opens, not as late as the rest of the route would still fit."""

from __future__ import annotations

from routing.model import Break, Pair, Plan, Problem
from routing.solver import SolveParams, solve
from routing.validate import validate
from tests.routing.builders import make_matrix, make_problem, make_stop, make_vehicle

H = 3600
MORNING, AFTERNOON = (7 * H + 1800, 11 * H + 1800), (13 * H, 17 * H)
CARRIED = 8
# depot 0, the counter 1 (5 min away), a citizen 2
UNITS = [[0, 30, 40], [30, 0, 50], [40, 50, 0]]


def _problem(lunch: Break | None, carried: int = CARRIED) -> Problem:
    """A courier at the depot from 07:00 carrying dossiers for the counter (open 07:30-11:30 and
    13:00-17:00), and a citizen's pickup at 16:00 that keeps the route going until then."""
    dossiers = [
        make_stop(
            f"d{i}",
            1,
            windows=(MORNING, AFTERNOON),
            service_s=600,
            demand=-1,
            penalty=5_000_000,
            vehicles=("v1",),
        )
        for i in range(carried)
    ]
    citizen = [
        make_stop("p", 2, windows=((16 * H, 16 * H + 1800),), service_s=300, penalty=50_000),
        make_stop("q", 0, windows=((7 * H, 18 * H),), service_s=60, demand=-1, penalty=50_000),
    ]
    courier = make_vehicle(
        shift=(7 * H, 18 * H), capacity=carried + 1, start_load=carried, lunch=lunch
    )
    return make_problem(
        tuple(dossiers + citizen), (courier,), pairs=(Pair("p", "q"),), matrix=make_matrix(UNITS)
    )


def _solved(problem: Problem) -> Plan:
    plan = solve(problem, SolveParams(time_limit_s=1.0))
    assert validate(problem, plan) == []
    assert not plan.dropped
    return plan


def test_carried_dossiers_are_handed_in_when_the_counter_opens() -> None:
    """One after the other from 07:30, all in the morning window."""
    (route,) = _solved(_problem(lunch=None)).routes
    handed = [v.start for v in route.visits if v.stop_id.startswith("d")]
    assert handed == [MORNING[0] + 600 * i for i in range(CARRIED)]
    assert route.start == MORNING[0] - 300  # leaves in time for the opening, not before


def test_a_route_with_a_lunch_break_keeps_the_morning_and_no_arrival_inside_the_break() -> None:
    """The break does not push the morning's work past the counter's lunch closing; the pickup,
    reachable at 10:58 before the 11:30 break but open from 16:00, shows the courier there just
    in time (16:00), never at 11:58 in the middle of the break."""
    problem = _problem(lunch=Break(11 * H + 1800, 11 * H + 1800, 3600), carried=20)
    (route,) = _solved(problem).routes
    handed = [v.start for v in route.visits if v.stop_id.startswith("d")]
    assert handed == [MORNING[0] + 600 * i for i in range(20)]
    assert route.break_start == 11 * H + 1800
    lunch = (route.break_start, route.break_start + 3600)
    assert not [v.stop_id for v in route.visits if lunch[0] < v.arrival < lunch[1]]
    (pickup,) = [v for v in route.visits if v.stop_id == "p"]
    assert pickup.arrival == pickup.start
