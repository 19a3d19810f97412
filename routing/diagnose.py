"""Why a plan left a stop out: each dropped pickup→delivery pair (or single stop) named with the
constraint that keeps it off every route.

A dropped pair is tried alone on each vehicle that may serve it, at best: the vehicle leaves its
start when its shift opens, rides straight to the pickup, waits for its window, then to the
delivery, then home, ignoring the lunch break and every other stop. If no vehicle can do even
that, the reason names the first constraint that fails (checked in the order below); if one can,
the pair was dropped only because the routes had no room left for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from routing.model import Plan, Problem, Stop, Vehicle

Reason = Literal[
    "over_capacity",  # needs more room than any vehicle has
    "no_vehicle",  # restricted to vehicles the problem does not have
    "pickup_out_of_reach",  # no shift reaches the pickup while its window is open
    "delivery_too_late",  # picked up as early as possible, it still misses the delivery's windows
    "shift_too_short",  # served, the vehicle cannot be back before its shift ends
    "no_room_left",  # feasible alone: the routes were full (more couriers or time would take it)
]
REASONS: tuple[Reason, ...] = (
    "over_capacity",
    "no_vehicle",
    "pickup_out_of_reach",
    "delivery_too_late",
    "shift_too_short",
    "no_room_left",
)


def why_dropped(problem: Problem, plan: Plan) -> dict[str, Reason]:
    """Each dropped pickup (or dropped single stop) id with why it is off every route."""
    partner = problem.partner()
    pairs = {pair.pickup: pair for pair in problem.pairs}
    stops = {stop.id: stop for stop in problem.stops}
    reasons: dict[str, Reason] = {}
    for stop_id in plan.dropped:
        if stop_id in partner and stop_id not in pairs:
            continue  # a pair is named by its pickup
        pair = pairs.get(stop_id)
        ends: list[Stop | None] = [stops[pair.delivery]] if pair else [None]
        if pair and pair.alternative is not None:
            ends.append(stops[pair.alternative])
        reasons[stop_id] = _reason(problem, stops[stop_id], ends)
    return reasons


def _reason(problem: Problem, first: Stop, ends: list[Stop | None]) -> Reason:
    """The constraint that keeps the pair (or stop) off every allowed vehicle, whichever of its
    deliveries it would take."""
    allowed = [v for v in problem.vehicles if first.vehicles is None or v.id in first.vehicles]
    if not allowed:
        return "no_vehicle"
    failures = [_alone(problem, v, first, second) for v in allowed for second in ends]
    found = [f for f in failures if f is not None]
    if len(found) < len(failures):
        return "no_room_left"
    return min(found, key=REASONS.index)


def _alone(problem: Problem, vehicle: Vehicle, first: Stop, second: Stop | None) -> Reason | None:
    """What stops the vehicle serving only this pair, as early as it can; None if it fits."""
    if max(first.demand, 0) + vehicle.start_load > vehicle.capacity:
        return "over_capacity"
    clock, here = vehicle.shift[0], vehicle.start
    legs: tuple[tuple[Stop | None, Reason], ...] = (
        (first, "pickup_out_of_reach"),
        (second, "delivery_too_late"),
    )
    for stop, failure in legs:
        if stop is None:
            continue
        arrival = clock + vehicle.travel_s(problem.matrix.durations[here][stop.location])
        arrival += stop.setup_s if stop.location != here else 0
        start = _earliest_start(arrival, stop.windows)
        if start is None or start > vehicle.shift[1]:
            return failure
        clock, here = start + stop.service_s, stop.location
    home = clock + vehicle.travel_s(problem.matrix.durations[here][vehicle.end])
    return "shift_too_short" if home > vehicle.shift[1] else None


def _earliest_start(arrival: int, windows: Sequence[tuple[int, int]]) -> int | None:
    """The earliest start of service at or after `arrival` inside a window; None if none is left."""
    for opens, closes in sorted(windows):
        if arrival <= closes:
            return max(arrival, opens)
    return None
