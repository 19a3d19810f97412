"""Problem construction refuses inconsistent data with an exact message."""

from __future__ import annotations

import re

import pytest

from routing.model import Break, InvalidProblem, Matrix, Pair, Problem, Stop, Vehicle
from tests.routing.builders import make_problem, make_stop, make_vehicle

CASES: list[tuple[str, dict[str, object], str]] = [
    ("pair with a missing stop", {"pairs": (Pair("a", "zz"),)}, "pair 'a'->'zz': no stop 'zz'"),
    (
        "stop in two pairs",
        {"pairs": (Pair("a", "b"), Pair("c", "b"))},
        "stop 'b' is in more than one pair",
    ),
    (
        "inverted window",
        {"a": {"windows": ((50, 10),)}},
        "stop 'a' window (50, 10) is empty or inverted",
    ),
    ("no window", {"a": {"windows": ()}}, "stop 'a' has no time window"),
    (
        "overlapping windows",
        {"a": {"windows": ((0, 50), (40, 90))}},
        "stop 'a' windows overlap or are not sorted",
    ),
    (
        "unsorted windows",
        {"a": {"windows": ((60, 90), (0, 50))}},
        "stop 'a' windows overlap or are not sorted",
    ),
    (
        "negative pickup demand",
        {"pairs": (Pair("a", "b"),), "a": {"demand": -1}, "b": {"demand": 1}},
        "pickup 'a' has negative demand -1",
    ),
    (
        "delivery demand not opposite",
        {"pairs": (Pair("a", "b"),), "b": {"demand": -2}},
        "delivery 'b' demand -2 is not -1",
    ),
    ("negative service", {"a": {"service_s": -1}}, "stop 'a' service time -1 is negative"),
    ("location out of range", {"a": {"location": 4}}, "stop 'a' location 4 out of range 0..3"),
    ("negative penalty", {"a": {"penalty": -5}}, "stop 'a' penalty -5 is negative"),
    ("duplicate stop", {"dup": True}, "duplicate stop id 'a'"),
    ("unpaired negative demand", {"a": {"demand": -1}}, "unpaired stop 'a' has negative demand -1 but no vehicle carrying it (give `vehicles`)"),
]


def _build(spec: dict[str, object]) -> Problem:
    overrides = {k: v for k, v in spec.items() if k in ("a", "b", "c")}
    stops = []
    for number, stop_id in enumerate("abc", start=1):
        fields: dict[str, object] = {"location": number}
        fields.update(overrides.get(stop_id, {}))  # type: ignore[call-overload]
        stops.append(Stop(id=stop_id, **{"windows": ((0, 1000),), "demand": 1, **fields}))  # type: ignore[arg-type]
    if spec.get("dup"):
        stops.append(make_stop("a", 1))
    pairs = spec.get("pairs", ())
    if pairs and "b" not in overrides:
        stops[1] = make_stop("b", 2, demand=-1)
    return make_problem(tuple(stops), pairs=pairs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("case", "spec", "message"), CASES, ids=[c[0] for c in CASES])
def test_invalid_stops_and_pairs_are_refused(
    case: str, spec: dict[str, object], message: str
) -> None:
    """Each kind of inconsistent stop or pair raises InvalidProblem naming it."""
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        _build(spec)


def test_matrix_of_wrong_size_is_refused() -> None:
    """A matrix row of the wrong length is reported with its row number."""
    bad = Matrix(durations=((0, 1), (1,)), distances=((0, 1), (1, 0)))
    with pytest.raises(ValueError, match=r"^matrix durations row 1 has 1 entries, expected 2$"):
        make_problem((make_stop("a", 1),), matrix=bad)


def test_negative_matrix_entry_is_refused() -> None:
    """Negative travel times are refused."""
    bad = Matrix(durations=((0, -1), (1, 0)), distances=((0, 1), (1, 0)))
    with pytest.raises(ValueError, match=r"^matrix durations row 0 has a negative entry$"):
        make_problem((make_stop("a", 1),), matrix=bad)


def test_vehicle_problems_are_refused() -> None:
    """Inverted shifts, bad depots and breaks outside the shift are refused."""
    cases = [
        (make_vehicle(shift=(100, 50)), "vehicle 'v1' shift (100, 50) is inverted or negative"),
        (make_vehicle(start=9), "vehicle 'v1' start location 9 out of range 0..3"),
        (
            make_vehicle(lunch=Break(900, 990, 60)),
            "vehicle 'v1' break Break(earliest_start=900, latest_start=990, duration=60)"
            " does not fit its shift (0, 1000)",
        ),
        (make_vehicle(speed_factor=0.0), "vehicle 'v1' speed factor 0.0 is not positive"),
    ]
    for vehicle, message in cases:
        with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
            make_problem((make_stop("a", 1),), vehicles=(vehicle,))


def test_invalid_problem_is_a_value_error() -> None:
    """InvalidProblem can be caught as ValueError by callers."""
    assert issubclass(InvalidProblem, ValueError)
    with pytest.raises(InvalidProblem):
        make_problem((make_stop("a", 1),), objective="fastest")


def test_speed_factor_scales_travel_time() -> None:
    """A vehicle twice as fast needs half the time, rounded up."""
    vehicle = Vehicle("fast", 0, 0, (0, 10), 1, speed_factor=2.0)
    assert vehicle.travel_s(11) == 6
    assert Stop("s", 0, ((0, 1),)).mandatory
