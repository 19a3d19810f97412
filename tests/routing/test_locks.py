"""A dispatcher's locks in the solver: allowed vehicles, fixed positions, dossiers already on board."""

from __future__ import annotations

import pytest

from routing.model import InvalidProblem, Pair
from routing.solver import SolveParams, solve
from routing.validate import validate
from tests.routing.builders import make_problem, make_stop, make_vehicle

PARAMS = SolveParams(time_limit_s=2, solution_limit=50)


def _route_of(plan: object, vehicle_id: str) -> list[str]:
    route = next(r for r in plan.routes if r.vehicle_id == vehicle_id)  # type: ignore[attr-defined]
    return [v.stop_id for v in route.visits]


def test_a_stop_moved_to_another_vehicle_rides_it() -> None:
    """Both stops fit v1 best, but 'b' is moved to v2: v2 serves it (and may take 'a' along)."""
    problem = make_problem(
        (make_stop("a", 1), make_stop("b", 2, vehicles=("v2",))),
        vehicles=(make_vehicle("v1"), make_vehicle("v2")),
        objective="distance",
    )
    plan = solve(problem, PARAMS)
    assert validate(problem, plan) == []
    assert "b" in _route_of(plan, "v2")
    assert "b" not in _route_of(plan, "v1")


def test_a_stop_locked_at_a_position_keeps_it() -> None:
    """On the line 0-1-2-3 the best order is 1, 2, 3; '3' locked first makes it 3, then the rest."""
    problem = make_problem(
        (make_stop("s1", 1), make_stop("s2", 2), make_stop("s3", 3, position=0)),
        objective="distance",
    )
    plan = solve(problem, PARAMS)
    assert validate(problem, plan) == []
    assert _route_of(plan, "v1")[0] == "s3"


def test_a_dossier_on_board_is_delivered_before_capacity_is_reused() -> None:
    """Capacity 1, one dossier already on board: it is delivered before the next pickup."""
    problem = make_problem(
        (
            make_stop("carried", 3, demand=-1, vehicles=("v1",)),
            make_stop("p", 1),
            make_stop("d", 2, demand=-1),
        ),
        vehicles=(make_vehicle("v1", capacity=1, start_load=1),),
        pairs=(Pair("p", "d"),),
    )
    plan = solve(problem, PARAMS)
    assert validate(problem, plan) == []
    assert not plan.dropped
    route = _route_of(plan, "v1")
    assert route.index("carried") < route.index("p")


@pytest.mark.parametrize(
    ("stop", "vehicle", "message"),
    [
        ({"vehicles": ("ghost",)}, {}, "unknown vehicles ['ghost']"),
        ({"vehicles": ()}, {}, "restricted to no vehicle"),
        ({"position": -1}, {}, "position -1 is negative"),
        ({}, {"start_load": 11}, "start load 11 is outside 0..10"),
    ],
)
def test_bad_locks_are_refused_by_name(
    stop: dict[str, object], vehicle: dict[str, object], message: str
) -> None:
    """Locks that cannot mean anything are refused before OR-Tools sees them."""
    with pytest.raises(InvalidProblem, match=message.replace("[", r"\[").replace("]", r"\]")):
        make_problem((make_stop("a", 1, **stop),), vehicles=(make_vehicle("v1", **vehicle),))
