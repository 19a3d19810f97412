"""Parts and results as JSON (routing.codec): what a worker receives and gives back."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from routing.codec import part_from_json, part_to_json, result_to_json
from routing.diagnose import why_dropped
from routing.matrix import GreatCircleProvider, LatLon
from routing.partition import build_problem, split_day
from routing.solver import SolveParams, solve
from tests.routing.test_partition import make_day


def _part() -> Any:
    """A part with every optional field set: lunch, a start point and load, a lock, a depot."""
    part = split_day(make_day(north_jobs=4, south_jobs=0, couriers=2))[0]
    couriers = (
        replace(part.couriers[0], start=LatLon(11.0, 106.6), start_load=2),
        *part.couriers[1:],
    )
    bound = replace(part.jobs[0], couriers=(couriers[0].id,), position=1, depot_id=part.depot.id)
    bound = replace(bound, delivery=replace(bound.delivery, service_s=120, setup_s=480))
    carried = replace(part.jobs[1], pickup=None, citizen_end="delivery")
    return replace(part, couriers=couriers, jobs=(bound, carried, *part.jobs[2:]))


def test_a_part_survives_the_trip_through_json() -> None:
    """Encoded, sent as text and decoded, the part is the same value."""
    part = _part()
    sent = json.loads(json.dumps(part_to_json(part, {part.couriers[0].id: 1.2})))
    assert part_from_json(sent) == part
    assert sent["speeds"] == {part.couriers[0].id: 1.2, part.couriers[1].id: 1.0}


def test_a_part_stored_before_the_newer_fields_reads_their_defaults() -> None:
    """Parts frozen by an older version lack start, start_load, position, depot_id and setups."""
    part = split_day(make_day(north_jobs=2, south_jobs=0, couriers=1))[0]
    old: Any = part_to_json(part, {})
    for courier in old["couriers"]:
        del courier["start"], courier["start_load"]
    for job in old["jobs"]:
        del job["position"], job["depot_id"], job["pickup"]["setup_s"], job["delivery"]["setup_s"]
    assert part_from_json(old) == part


def test_a_result_holds_the_routes_totals_and_reasons() -> None:
    """Routes of used couriers by integer id, dropped stops, totals and why each pair is out."""
    day = make_day(north_jobs=3, south_jobs=0, couriers=1)
    day = replace(
        day, couriers=tuple(replace(c, id=str(7 + n)) for n, c in enumerate(day.couriers))
    )
    part = split_day(day)[0]
    problem = build_problem(part, GreatCircleProvider())
    plan = solve(problem, SolveParams(time_limit_s=1.0))
    result = json.loads(json.dumps(result_to_json(plan, why_dropped(problem, plan))))
    assert [r["courier_id"] for r in result["routes"]] == [7]
    assert len(result["routes"][0]["visits"]) == 6
    assert result["travel_s"] == plan.travel_s > 0
    assert result["distance_m"] == plan.distance_m > 0
    assert result["dropped"] == []
    assert result["reasons"] == {}
