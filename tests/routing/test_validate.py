"""The validator catches each kind of broken plan; a correct plan has no violation."""

from __future__ import annotations

import dataclasses

from routing.model import Break, Pair, Plan, Problem, Route, SolverStats, Visit
from routing.validate import validate
from tests.routing.builders import make_problem, make_stop, make_vehicle

STATS = SolverStats("hand", 0.0, 0, 1)


def pair_problem() -> Problem:
    """Pickup p at 1 (service 5), delivery d at 2 (service 5), optional o at 3, one vehicle."""
    stops = (
        make_stop("p", 1, demand=4),
        make_stop("d", 2, demand=-4, windows=((0, 100), (200, 300))),
        make_stop("o", 3, penalty=50),
    )
    return make_problem(stops, pairs=(Pair("p", "d"),))


def good_plan() -> Plan:
    """Depart 0, p at 10..15, d at 25..30, back at 50; o dropped; 400 m, 50 s."""
    visits = (Visit("p", 10, 10, 15, 4), Visit("d", 25, 25, 30, 0))
    route = Route("v1", visits, 0, 50, None, 40, 400)
    return Plan((route,), ("o",), 40, 400, STATS)


def with_visits(*visits: Visit, end: int = 50, dropped: tuple[str, ...] = ("o",)) -> Plan:
    """The good plan with other visits (totals left as they are)."""
    plan = good_plan()
    route = dataclasses.replace(plan.routes[0], visits=visits, end=end)
    return dataclasses.replace(plan, routes=(route,), dropped=dropped)


def kinds(problem: Problem, plan: Plan) -> set[str]:
    """The kinds of violation found."""
    return {violation.kind for violation in validate(problem, plan)}


def test_correct_plan_has_no_violation() -> None:
    """The hand-made optimal plan passes."""
    assert validate(pair_problem(), good_plan()) == []


def test_window_violation() -> None:
    """Service starting in the gap between two windows is reported."""
    plan = with_visits(Visit("p", 10, 10, 15, 4), Visit("d", 25, 150, 155, 0), end=175)
    assert kinds(pair_problem(), plan) == {"window"}


def test_timing_violation() -> None:
    """Arriving sooner than the matrix allows is reported."""
    plan = with_visits(Visit("p", 5, 5, 10, 4), Visit("d", 20, 20, 25, 0), end=45)
    assert kinds(pair_problem(), plan) == {"timing"}


def test_departure_must_follow_service_time() -> None:
    """Leaving before the service time has elapsed is a timing violation."""
    plan = with_visits(Visit("p", 10, 10, 12, 4), Visit("d", 22, 25, 30, 0))
    assert kinds(pair_problem(), plan) == {"timing"}


def test_capacity_violation() -> None:
    """A load above capacity is reported."""
    problem = dataclasses.replace(pair_problem(), vehicles=(make_vehicle(capacity=3),))
    assert kinds(problem, good_plan()) == {"capacity"}


def test_precedence_violation() -> None:
    """A delivery before its pickup is reported (and its negative load too)."""
    plan = with_visits(Visit("d", 20, 20, 25, -4), Visit("p", 35, 35, 40, 0))
    assert "precedence" in kinds(pair_problem(), plan)


def test_pairing_violation() -> None:
    """Half a pair served is reported."""
    plan = with_visits(Visit("p", 10, 10, 15, 4), end=30, dropped=("o", "d"))
    assert "pairing" in kinds(pair_problem(), plan)


def test_split_pair_over_two_vehicles() -> None:
    """A pair served by two vehicles is reported."""
    problem = dataclasses.replace(pair_problem(), vehicles=(make_vehicle("v1"), make_vehicle("v2")))
    first = Route("v1", (Visit("p", 10, 10, 15, 4),), 0, 30, None, 20, 200)
    second = Route("v2", (Visit("d", 20, 20, 25, -4),), 0, 45, None, 40, 400)
    plan = Plan((first, second), ("o",), 60, 600, STATS)
    assert "pairing" in kinds(problem, plan)


def test_missing_mandatory_stop() -> None:
    """A mandatory stop neither served nor dropped is reported."""
    plan = with_visits(Visit("p", 10, 10, 15, 4), Visit("d", 25, 25, 30, 0), dropped=())
    assert kinds(pair_problem(), plan) == {"missing"}


def test_dropped_mandatory_stop() -> None:
    """Dropping a mandatory stop is reported."""
    problem = make_problem((make_stop("a", 1),))
    plan = Plan((Route("v1", (), 0, 0),), ("a",), 0, 0, STATS)
    assert kinds(problem, plan) == {"dropped_mandatory"}


def test_duplicate_service() -> None:
    """A stop served and also dropped is reported."""
    plan = dataclasses.replace(good_plan(), dropped=("o", "p"))
    assert "duplicate" in kinds(pair_problem(), plan)


def test_unknown_stop_and_vehicle() -> None:
    """Visits of unknown stops and routes of unknown vehicles are reported."""
    plan = with_visits(Visit("zz", 10, 10, 15, 4))
    assert "unknown_stop" in kinds(pair_problem(), plan)
    stranger = dataclasses.replace(good_plan().routes[0], vehicle_id="ghost")
    assert "vehicle" in kinds(pair_problem(), dataclasses.replace(good_plan(), routes=(stranger,)))


def test_shift_violation() -> None:
    """Returning after the shift ends is reported."""
    problem = dataclasses.replace(pair_problem(), vehicles=(make_vehicle(shift=(0, 45)),))
    assert kinds(problem, good_plan()) == {"shift"}


def test_break_overlapping_service() -> None:
    """A break placed over a service is reported; placed in a long enough gap it passes."""
    lunch = Break(10, 40, 20)
    problem = dataclasses.replace(pair_problem(), vehicles=(make_vehicle(lunch=lunch),))
    overlapping = dataclasses.replace(good_plan().routes[0], break_start=12)
    assert kinds(problem, dataclasses.replace(good_plan(), routes=(overlapping,))) == {"break"}
    visits = (Visit("p", 10, 10, 15, 4), Visit("d", 45, 45, 50, 0))
    fine = Route("v1", visits, 0, 70, 15, 40, 400)
    assert validate(problem, dataclasses.replace(good_plan(), routes=(fine,))) == []


def test_missing_break() -> None:
    """A used vehicle with a lunch but no break placed is reported."""
    problem = dataclasses.replace(pair_problem(), vehicles=(make_vehicle(lunch=Break(10, 40, 20)),))
    assert kinds(problem, good_plan()) == {"break"}


def test_wrong_totals() -> None:
    """Totals that disagree with the routes are reported."""
    plan = dataclasses.replace(good_plan(), distance_m=1)
    assert kinds(pair_problem(), plan) == {"totals"}
