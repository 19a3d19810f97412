"""Problem construction refuses inconsistent data with an exact message."""

from __future__ import annotations

import re

import pytest

from routing.model import MAX_VALUE, Break, InvalidProblem, Matrix, Pair, Problem, Stop, Vehicle
from routing.solver import SolveParams, solve
from routing.validate import validate
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
    (
        "unpaired negative demand",
        {"a": {"demand": -1}},
        "unpaired stop 'a' has negative demand -1 but no vehicle carrying it (give `vehicles`)",
    ),
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


def _line_matrix(d01: int | float) -> Matrix:
    """The test line's matrix with the travel time and distance from 0 to 1 replaced by `d01`."""
    durations: list[list[int | float]] = [[10 * abs(a - b) for b in range(4)] for a in range(4)]
    durations[0][1] = d01
    rows = tuple(tuple(row) for row in durations)
    return Matrix(durations=rows, distances=rows)  # type: ignore[arg-type]


NUMBER_CASES: list[tuple[str, dict[str, object], str]] = [
    ("float demand", {"demand": 1.5}, "stop 'a' demand is 1.5, not a whole number"),
    ("float service", {"service_s": 2.5}, "stop 'a' service time is 2.5, not a whole number"),
    ("float penalty", {"penalty": 10.0}, "stop 'a' penalty is 10.0, not a whole number"),
    ("bool demand", {"demand": True}, "stop 'a' demand is True, not a whole number"),
    (
        "float window start",
        {"windows": ((0.5, 100),)},
        "stop 'a' window 0 start is 0.5, not a whole number",
    ),
    (
        "float second window end",
        {"windows": ((0, 10), (20, 99.9))},
        "stop 'a' window 1 end is 99.9, not a whole number",
    ),
    (
        "window of three numbers",
        {"windows": ((0, 10, 20),)},
        "stop 'a' window 0 is (0, 10, 20), not a (start, end) pair",
    ),
    ("window not a pair", {"windows": (5,)}, "stop 'a' window 0 is 5, not a (start, end) pair"),
    (
        "penalty above int64",
        {"penalty": 2**64},
        f"stop 'a' penalty is {2**64}, beyond the limit of ±{MAX_VALUE}",
    ),
    (
        "demand above the limit",
        {"demand": MAX_VALUE + 1},
        f"stop 'a' demand is {MAX_VALUE + 1}, beyond the limit of ±{MAX_VALUE}",
    ),
    ("float location", {"location": 1.0}, "stop 'a' location is 1.0, not a whole number"),
]


@pytest.mark.parametrize(
    ("case", "fields", "message"), NUMBER_CASES, ids=[c[0] for c in NUMBER_CASES]
)
def test_numbers_that_are_not_int64_are_refused_by_field(
    case: str, fields: dict[str, object], message: str
) -> None:
    """Floats, bools, oversized numbers and malformed windows name the stop and the field."""
    with pytest.raises(InvalidProblem, match="^" + re.escape(message) + "$"):
        make_problem((make_stop("a", **{"location": 1, **fields}),))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (1.5, "matrix durations row 0 entry 1 is 1.5, not a whole number"),
        (2**63, f"matrix durations row 0 entry 1 is {2**63}, beyond the limit of ±{MAX_VALUE}"),
    ],
    ids=["float", "above int64"],
)
def test_matrix_entries_that_are_not_int64_are_refused_by_index(
    value: int | float, message: str
) -> None:
    """A float or oversized travel time is reported with its row and column."""
    with pytest.raises(InvalidProblem, match="^" + re.escape(message) + "$"):
        make_problem((make_stop("a", 1),), matrix=_line_matrix(d01=value))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"capacity": 2.0}, "vehicle 'v1' capacity is 2.0, not a whole number"),
        ({"shift": (0, 1000.5)}, "vehicle 'v1' shift end is 1000.5, not a whole number"),
        ({"shift": (0,)}, "vehicle 'v1' shift is (0,), not a (start, end) pair"),
        (
            {"fixed_cost": 2**70},
            f"vehicle 'v1' fixed cost is {2**70}, beyond the limit of ±{MAX_VALUE}",
        ),
        (
            {"lunch": Break(100, 200, 30.0)},  # type: ignore[arg-type]
            "vehicle 'v1' break duration is 30.0, not a whole number",
        ),
        (
            {"speed_factor": 1e-12},
            f"vehicle 'v1' speed factor 1e-12 makes its longest trip exceed {MAX_VALUE} s",
        ),
    ],
    ids=["capacity", "shift end", "shift", "fixed cost", "break", "speed factor"],
)
def test_vehicle_numbers_that_are_not_int64_are_refused_by_field(
    fields: dict[str, object], message: str
) -> None:
    """A vehicle's float or oversized numbers name the vehicle and the field."""
    with pytest.raises(InvalidProblem, match="^" + re.escape(message) + "$"):
        make_problem((make_stop("a", 1),), vehicles=(make_vehicle(**fields),))  # type: ignore[arg-type]


def test_numbers_at_the_limit_solve_without_overflow() -> None:
    """Penalties and travel times of MAX_VALUE are accepted and OR-Tools gets no overflow."""
    problem = make_problem(
        (make_stop("a", 1, penalty=MAX_VALUE), make_stop("b", 3, windows=((0, MAX_VALUE),))),
        vehicles=(make_vehicle(shift=(0, MAX_VALUE), fixed_cost=MAX_VALUE),),
        matrix=_line_matrix(d01=MAX_VALUE),
    )
    plan = solve(problem, SolveParams(time_limit_s=2, solution_limit=20))
    assert validate(problem, plan) == []
