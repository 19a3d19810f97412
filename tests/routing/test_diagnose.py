"""Naming why a plan left each pair out (routing.diagnose)."""

from __future__ import annotations

import pytest

from routing.diagnose import why_dropped
from routing.model import Pair, Stop
from routing.solver import SolveParams, solve
from tests.routing.builders import make_problem, make_stop, make_vehicle

PENALTY = 10_000


def _pair(n: int, pickup_at: int, delivery_at: int, **delivery: object) -> tuple[Stop, Stop, Pair]:
    pickup = make_stop(f"p{n}", pickup_at, penalty=PENALTY)
    drop = make_stop(f"d{n}", delivery_at, demand=-1, penalty=PENALTY, **delivery)
    return pickup, drop, Pair(pickup.id, drop.id)


@pytest.mark.parametrize(
    ("pickup", "delivery", "vehicle", "reason"),
    [
        # the delivery's counter closes at 20 s; riding 0→3→1 reaches it at 55 s at best
        ({"windows": ((0, 1000),)}, {"windows": ((0, 20),)}, {}, "delivery_too_late"),
        # the pickup's slot ends at 10 s, the citizen lives 30 s away
        ({"windows": ((0, 10),)}, {}, {}, "pickup_out_of_reach"),
        # the shift ends at 65 s: delivered at 55-60 s, the courier is back at 70 s at best
        ({}, {}, {"shift": (0, 65)}, "shift_too_short"),
        ({"demand": 3}, {"demand": -3}, {"capacity": 2}, "over_capacity"),
    ],
)
def test_a_pair_no_vehicle_can_serve_alone_is_named_by_what_fails(
    pickup: dict[str, object], delivery: dict[str, object], vehicle: dict[str, object], reason: str
) -> None:
    """Each reason from a problem where only that constraint fails."""
    first = make_stop("p0", 3, penalty=PENALTY, **{"windows": ((0, 1000),), **pickup})
    second = make_stop("d0", 1, penalty=PENALTY, **{"demand": -1, **delivery})
    problem = make_problem(
        (first, second),
        vehicles=(make_vehicle(**vehicle),),
        pairs=(Pair("p0", "d0"),),
    )
    plan = solve(problem, SolveParams(time_limit_s=1.0))
    assert plan.dropped == ("p0", "d0")
    assert why_dropped(problem, plan) == {"p0": reason}


def test_a_pair_feasible_alone_but_crowded_out_has_no_room_left() -> None:
    """Two pairs each fit alone; with capacity for one at a time and a short shift, one is left
    and it is named as a matter of room, not of its own constraints."""
    a = _pair(1, 3, 1)
    b = _pair(2, 3, 2)
    problem = make_problem(
        (a[0], a[1], b[0], b[1]),
        vehicles=(make_vehicle(capacity=1, shift=(0, 80)),),
        pairs=(a[2], b[2]),
    )
    plan = solve(problem, SolveParams(time_limit_s=1.0))
    assert len(plan.dropped) == 2
    (pickup,) = (s for s in plan.dropped if s.startswith("p"))
    assert why_dropped(problem, plan) == {pickup: "no_room_left"}


def test_a_served_plan_has_nothing_to_explain() -> None:
    """Nothing dropped, nothing named."""
    a = _pair(1, 3, 1)
    problem = make_problem((a[0], a[1]), pairs=(a[2],))
    plan = solve(problem, SolveParams(time_limit_s=1.0))
    assert plan.dropped == ()
    assert why_dropped(problem, plan) == {}
