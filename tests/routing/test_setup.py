"""A setup is spent once on reaching a place from another (the wait at a counter), so dossiers
handed in together at one counter cost one wait and a short service each."""

from __future__ import annotations

from dataclasses import replace

import pytest

from routing.diagnose import why_dropped
from routing.model import Break, InvalidProblem, Pair, Plan, Problem, Route, SolverStats, Visit
from routing.solver import SolveParams, solve
from routing.validate import validate
from tests.routing.builders import make_matrix, make_problem, make_stop, make_vehicle

SETUP, EACH = 480, 120
# depot 0, three homes 1-3 on a line, the counter at 4
UNITS = [[abs(a - b) for b in range(5)] for a in range(5)]


def counter_day(setup: int = SETUP, closes: int = 10_000) -> Problem:
    """Three dossiers picked up at homes 1-3 and handed in at the counter (4)."""
    stops, pairs = [], []
    for n in (1, 2, 3):
        stops.append(make_stop(f"p{n}", n, windows=((0, 10_000),)))
        stops.append(
            make_stop(f"d{n}", 4, demand=-1, windows=((0, closes),), service_s=EACH, setup_s=setup)
        )
        pairs.append(Pair(f"p{n}", f"d{n}"))
    vehicle = make_vehicle("v1", shift=(0, 10_000))
    return make_problem(
        tuple(stops), vehicles=(vehicle,), pairs=tuple(pairs), matrix=make_matrix(UNITS)
    )


def test_dossiers_handed_in_together_wait_once_at_the_counter() -> None:
    """The three pickups, then the three hand-ins in a row: one setup before the first, none
    between them, each a short service; the validator agrees."""
    problem = counter_day()
    plan = solve(problem, SolveParams(time_limit_s=2.0, reduce_vehicles=False))
    assert validate(problem, plan) == []
    visits = plan.routes[0].visits
    assert [v.stop_id[0] for v in visits] == ["p", "p", "p", "d", "d", "d"]
    first, second, third = visits[3:]
    assert first.start - first.arrival >= SETUP
    assert second.start == first.departure
    assert third.start == second.departure
    assert third.departure - first.arrival == SETUP + 3 * EACH


def test_a_hand_in_without_its_wait_is_a_timing_violation() -> None:
    """The validator counts the setup: a service starting on arrival from elsewhere is refused,
    the same service after the wait is not."""
    problem = counter_day()
    problem = replace(
        problem, stops=problem.stops[:2], pairs=problem.pairs[:1], vehicles=problem.vehicles
    )

    def plan(hand_in: int) -> Plan:
        visits = (Visit("p1", 10, 10, 15, 1), Visit("d1", 45, hand_in, hand_in + EACH, 0))
        end = hand_in + EACH + 40
        route = Route("v1", visits, 0, end, None, 80, 800)
        return Plan((route,), (), 80, 800, SolverStats("feasible", 0.0, 0, 1, ()))

    assert [v.kind for v in validate(problem, plan(45))] == ["timing"]
    assert validate(problem, plan(45 + SETUP)) == []


def test_a_counter_closing_before_the_wait_ends_names_the_delivery_too_late() -> None:
    """Alone on a courier, the pair cannot be handed in when the counter closes during the wait."""
    problem = counter_day(closes=100)
    optional = tuple(replace(s, penalty=1_000_000) for s in problem.stops)
    problem = replace(problem, stops=optional)
    plan = solve(problem, SolveParams(time_limit_s=1.0, reduce_vehicles=False))
    assert why_dropped(problem, plan) == {f"p{n}": "delivery_too_late" for n in (1, 2, 3)}
    without = replace(problem, stops=tuple(replace(s, setup_s=0) for s in problem.stops))
    assert validate(without, solve(without, SolveParams(time_limit_s=1.0))) == []


def test_a_negative_setup_is_refused() -> None:
    """Like a service time, a setup cannot be negative."""
    with pytest.raises(InvalidProblem, match="setup time -1 is negative"):
        make_problem((make_stop("a", 1, setup_s=-1),))


H = 3600


def lunch_day() -> Problem:
    """A pickup at 11:25, its counter closed 11:30-13:00, the courier's lunch fixed at 12:00."""
    units = [[0, 30, 30], [30, 0, 30], [30, 30, 0]]
    pickup = make_stop("p", 1, windows=((11 * H + 1500, 11 * H + 1800),), service_s=300)
    hand_in = make_stop(
        "d",
        2,
        demand=-1,
        windows=((7 * H + 1800, 11 * H + 1800), (13 * H, 17 * H)),
        service_s=EACH,
        setup_s=SETUP,
    )
    vehicle = make_vehicle(shift=(7 * H, 18 * H), lunch=Break(12 * H, 12 * H, H))
    return make_problem(
        (pickup, hand_in), (vehicle,), pairs=(Pair("p", "d"),), matrix=make_matrix(units)
    )


def test_the_wait_at_a_counter_comes_after_the_lunch_break() -> None:
    """Lunch between the pickup and the counter's reopening: the courier queues after lunch, so
    the hand-in starts 8 minutes after 13:00, and no arrival is shown inside the break."""
    problem = lunch_day()
    plan = solve(problem, SolveParams(time_limit_s=1.0, reduce_vehicles=False))
    assert validate(problem, plan) == []
    route = plan.routes[0]
    hand_in = route.visits[1]
    assert route.break_start == 12 * H
    assert hand_in.arrival >= 13 * H
    assert hand_in.start - hand_in.arrival >= SETUP


def test_a_break_taken_during_the_wait_is_a_violation() -> None:
    """The validator refuses a plan whose wait at the counter is spent before the break and its
    service after it."""
    problem = lunch_day()

    def plan(hand_in: int) -> Plan:
        # 5 minutes of riding each way; lunch 12:00-13:00 between the two stops
        visits = (
            Visit("p", 11 * H + 1500, 11 * H + 1500, 11 * H + 1800, 1),
            Visit("d", 12 * H + 2100, hand_in, hand_in + EACH, 0),
        )
        route = Route("v1", visits, 11 * H + 1200, hand_in + EACH + 300, 12 * H, 900, 9000)
        return Plan((route,), (), 900, 9000, SolverStats("feasible", 0.0, 0, 1, ()))

    assert [v.kind for v in validate(problem, plan(13 * H))] == ["break"]
    assert validate(problem, plan(13 * H + SETUP)) == []
