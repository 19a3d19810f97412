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


def test_a_position_past_the_last_stop_is_refused_with_the_limit() -> None:
    """Position 5 among two stops (was a raw 'CP Solver fail' inside OR-Tools) names the range."""
    with pytest.raises(InvalidProblem, match=r"^stop 'b' position 5 is out of range 0\.\.1 "):
        make_problem((make_stop("a", 1), make_stop("b", 2, position=5)))


def test_a_position_counts_only_the_stops_its_vehicle_may_serve() -> None:
    """With 'a' moved to v2, v1 can serve one stop: 'b' fixed at v1's second place is refused."""
    with pytest.raises(InvalidProblem, match=r"^stop 'b' position 1 is out of range 0\.\.0 "):
        make_problem(
            (make_stop("a", 1, vehicles=("v2",)), make_stop("b", 2, vehicles=("v1",), position=1)),
            vehicles=(make_vehicle("v1"), make_vehicle("v2")),
        )


def test_two_stops_fixed_at_one_place_of_one_vehicle_are_refused() -> None:
    """Both at v1's first place cannot be honoured (the solver used to drop one silently)."""
    message = r"^stops 'a' and 'b' are both fixed at position 0 on vehicle 'v1'$"
    with pytest.raises(InvalidProblem, match=message):
        make_problem(
            (
                make_stop("a", 1, vehicles=("v1",), position=0),
                make_stop("b", 2, vehicles=("v1",), position=0),
            ),
            vehicles=(make_vehicle("v1"), make_vehicle("v2")),
        )


def test_a_pickup_fixed_after_its_delivery_is_refused() -> None:
    """A pair rides one vehicle pickup first, so pickup at 1 and delivery at 0 cannot be."""
    message = r"^pair 'p'->'d': pickup position 1 is not before delivery position 0$"
    with pytest.raises(InvalidProblem, match=message):
        make_problem(
            (make_stop("p", 1, position=1), make_stop("d", 2, demand=-1, position=0)),
            pairs=(Pair("p", "d"),),
        )


def test_positions_that_vehicles_can_share_are_honoured() -> None:
    """Two stops first on whichever vehicle (no single-vehicle lock) are accepted and kept first."""
    problem = make_problem(
        (make_stop("a", 1, position=0), make_stop("b", 3, position=0), make_stop("c", 2)),
        vehicles=(make_vehicle("v1"), make_vehicle("v2")),
        objective="distance",
    )
    plan = solve(problem, PARAMS)
    assert validate(problem, plan) == []
    assert not plan.dropped
    assert sorted(route.visits[0].stop_id for route in plan.routes) == ["a", "b"]
