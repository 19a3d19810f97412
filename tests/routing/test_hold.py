"""A pair with an alternative delivery: the dossier left at the post office for the night when the
counter cannot be reached, and delivered the same day whenever it can."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from routing.codec import part_from_json, part_to_json
from routing.diagnose import why_dropped
from routing.matrix import GreatCircleProvider
from routing.model import InvalidProblem, Pair, Plan, Problem, Route, Visit
from routing.partition import HOLD, build_problem, split_day
from routing.solver import SolveParams, solve
from routing.validate import validate
from tests.routing.builders import make_problem, make_stop, make_vehicle
from tests.routing.test_partition import make_day

PENALTY = 100_000


def _problem(counter_closes: int, cost: int = 500, alternative: bool = True) -> Problem:
    """Pick up at 3, deliver at the counter (1) open until `counter_closes`, or leave it at the
    depot (0) for `cost` more."""
    stops = [
        make_stop("p", 3, penalty=PENALTY),
        make_stop("d", 1, demand=-1, penalty=PENALTY, windows=((0, counter_closes),)),
    ]
    if alternative:
        stops.append(make_stop("h", 0, demand=-1, penalty=PENALTY))
    pair = Pair("p", "d", "h", cost) if alternative else Pair("p", "d")
    return make_problem(tuple(stops), pairs=(pair,))


def _served(plan: Plan) -> list[str]:
    return [v.stop_id for r in plan.routes for v in r.visits]


def test_a_dossier_too_late_for_the_counter_is_left_at_the_post_office() -> None:
    """The counter closes before the courier can reach it: the pickup is made and the dossier
    goes to the depot; nothing is dropped; the plan is valid."""
    problem = _problem(counter_closes=20)
    plan = solve(problem, SolveParams(time_limit_s=1.0))
    assert _served(plan) == ["p", "h"]
    assert plan.dropped == ()
    assert validate(problem, plan) == []


def test_without_the_alternative_the_same_pair_is_dropped_and_named() -> None:
    """The control: no post office to leave it at, the pair is out, too late for the counter."""
    problem = _problem(counter_closes=20, alternative=False)
    plan = solve(problem, SolveParams(time_limit_s=1.0))
    assert plan.dropped == ("p", "d")
    assert why_dropped(problem, plan) == {"p": "delivery_too_late"}


def test_a_counter_in_reach_gets_the_dossier_the_same_day() -> None:
    """Open all day, the counter is preferred: the hold costs more than the ride there."""
    problem = _problem(counter_closes=1000)
    plan = solve(problem, SolveParams(time_limit_s=1.0))
    assert _served(plan) == ["p", "d"]
    assert plan.dropped == ()
    assert validate(problem, plan) == []


def test_a_cheap_hold_can_win_over_a_long_ride() -> None:
    """At no extra cost, leaving the dossier at the depot on the way home beats riding to the
    counter and back (3 -> 1 -> 0 is 30 s, 3 -> 0 is 30 s, but the counter adds its service)."""
    problem = _problem(counter_closes=1000, cost=0)
    plan = solve(problem, SolveParams(time_limit_s=1.0))
    assert validate(problem, plan) == []
    assert plan.dropped == ()


def test_validate_refuses_a_dossier_delivered_twice() -> None:
    """Served at the counter and at the depot: a pairing violation."""
    problem = _problem(counter_closes=1000)
    plan = solve(problem, SolveParams(time_limit_s=1.0))
    route = plan.routes[0]
    extra = Visit("h", 100, 100, 105, 0)
    twice = replace(
        plan, routes=(Route(route.vehicle_id, (*route.visits, extra), route.start, route.end),)
    )
    kinds = {v.kind for v in validate(problem, twice)}
    assert "pairing" in kinds


@pytest.mark.parametrize(
    ("alternative", "message"),
    [
        ({"demand": -2}, "has demand -2, not -1"),
        ({"penalty": None}, "mixes mandatory and optional"),
        ({"position": 0}, "cannot have a fixed position"),
    ],
)
def test_an_inconsistent_alternative_is_refused_by_name(
    alternative: dict[str, object], message: str
) -> None:
    """The alternative unloads what the delivery would and is as optional as it."""
    stops = (
        make_stop("p", 3, penalty=PENALTY),
        make_stop("d", 1, demand=-1, penalty=PENALTY),
        make_stop("h", 0, **{"demand": -1, "penalty": PENALTY, **alternative}),
    )
    with pytest.raises(InvalidProblem, match=message):
        make_problem(stops, pairs=(Pair("p", "d", "h", 10),), vehicles=(make_vehicle(),))


def test_a_part_offers_the_depot_to_jobs_that_may_be_held_and_keeps_it_through_json() -> None:
    """Jobs with a hold cost get an overnight stop at the depot, open while any courier of the
    part is on shift; the others do not; the codec keeps the cost."""
    part = split_day(make_day(north_jobs=3, south_jobs=0, couriers=1))[0]
    held = replace(part.jobs[0], hold_cost=15_000)
    part = replace(part, jobs=(held, *part.jobs[1:]))
    problem = build_problem(part, GreatCircleProvider())
    overnight = [s for s in problem.stops if s.id.endswith(f"/{HOLD}")]
    assert [s.id for s in overnight] == [f"{held.id}/{HOLD}"]
    assert overnight[0].location == 0
    assert overnight[0].windows == ((part.couriers[0].shift[0], part.couriers[0].shift[1]),)
    (pair,) = [p for p in problem.pairs if p.alternative]
    assert pair.alternative_cost == 15_000
    again = part_from_json(json.loads(json.dumps(part_to_json(part, {}))))
    assert again.jobs[0].hold_cost == 15_000
    assert again == part
