"""A part and its solved result as plain JSON: what a worker on another machine receives and gives
back, with no database. The shapes are typed so both sides read the same fields."""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

from routing.diagnose import Reason
from routing.matrix import PROFILES, LatLon
from routing.model import Break, Plan
from routing.partition import Call, Courier, Depot, Job, Part


class PointJSON(TypedDict):
    """A place."""

    lat: float
    lon: float


class CallJSON(TypedDict):
    """One end of a job: where, its windows on the start of service (s), its service time."""

    point: PointJSON
    windows: list[tuple[int, int]]
    service_s: int
    setup_s: NotRequired[int]  # parts stored before setups had none


class JobJSON(TypedDict):
    """A job (`routing.partition.Job`)."""

    id: str
    pickup: CallJSON | None
    delivery: CallJSON
    demand: int
    penalty: int | None
    citizen_end: Literal["pickup", "delivery"]
    couriers: list[str] | None
    position: int | None
    depot_id: NotRequired[str | None]
    hold_cost: NotRequired[int | None]


class BreakJSON(TypedDict):
    """A courier's lunch break."""

    earliest_start: int
    latest_start: int
    duration: int


class CourierJSON(TypedDict):
    """A courier (`routing.partition.Courier`)."""

    id: str
    depot_id: str
    shift: tuple[int, int]
    capacity: int
    lunch: BreakJSON | None
    fixed_cost: int
    start: NotRequired[PointJSON | None]
    start_load: NotRequired[int]


class DepotJSON(TypedDict):
    """A depot, its travel profile by name."""

    id: str
    point: PointJSON
    profile: str


class PartJSON(TypedDict):
    """A part, with each courier's speed as a factor of the profile's."""

    depot: DepotJSON
    speeds: dict[str, float]
    couriers: list[CourierJSON]
    jobs: list[JobJSON]


# a visit: stop id, arrival, start of service, departure (s since midnight), load after it
VisitJSON = tuple[str, int, int, int, int]


class RouteJSON(TypedDict):
    """A courier's visits in order; the courier by the database's integer id."""

    courier_id: int
    visits: list[VisitJSON]


class ResultJSON(TypedDict):
    """A solved part: routes, dropped stop ids, the solver's status, and why each pair was left
    out (by pickup stop id, `routing.diagnose`)."""

    routes: list[RouteJSON]
    dropped: list[str]
    status: str
    travel_s: NotRequired[int]
    distance_m: NotRequired[int]
    reasons: NotRequired[dict[str, Reason]]


def part_to_json(part: Part, speeds: dict[str, float]) -> PartJSON:
    """A part as plain JSON."""
    depot = part.depot
    return {
        "depot": {"id": depot.id, "point": _point(depot.point), "profile": depot.profile.name},
        "speeds": {c.id: speeds.get(c.id, 1.0) for c in part.couriers},
        "couriers": [_courier_json(c) for c in part.couriers],
        "jobs": [_job_json(j) for j in part.jobs],
    }


def _point(point: LatLon) -> PointJSON:
    return {"lat": point.lat, "lon": point.lon}


def _call_json(call: Call) -> CallJSON:
    return {
        "point": _point(call.point),
        "windows": list(call.windows),
        "service_s": call.service_s,
        "setup_s": call.setup_s,
    }


def _courier_json(courier: Courier) -> CourierJSON:
    lunch = courier.lunch
    return {
        "id": courier.id,
        "depot_id": courier.depot_id,
        "shift": courier.shift,
        "capacity": courier.capacity,
        "lunch": _break_json(lunch) if lunch else None,
        "fixed_cost": courier.fixed_cost,
        "start": _point(courier.start) if courier.start else None,
        "start_load": courier.start_load,
    }


def _break_json(lunch: Break) -> BreakJSON:
    return {
        "earliest_start": lunch.earliest_start,
        "latest_start": lunch.latest_start,
        "duration": lunch.duration,
    }


def _job_json(job: Job) -> JobJSON:
    return {
        "id": job.id,
        "pickup": _call_json(job.pickup) if job.pickup else None,
        "delivery": _call_json(job.delivery),
        "demand": job.demand,
        "penalty": job.penalty,
        "citizen_end": job.citizen_end,
        "couriers": list(job.couriers) if job.couriers else None,
        "position": job.position,
        "depot_id": job.depot_id,
        "hold_cost": job.hold_cost,
    }


def part_from_json(data: PartJSON) -> Part:
    """The inverse of `part_to_json` (parts stored before a field existed read its default)."""
    depot = data["depot"]
    return Part(
        depot=Depot(depot["id"], LatLon(**depot["point"]), PROFILES[depot["profile"]]),
        couriers=tuple(_courier(c) for c in data["couriers"]),
        jobs=tuple(_job(j) for j in data["jobs"]),
    )


def _courier(data: CourierJSON) -> Courier:
    start = data.get("start")
    lunch = data["lunch"]
    return Courier(
        id=data["id"],
        depot_id=data["depot_id"],
        shift=(data["shift"][0], data["shift"][1]),
        capacity=data["capacity"],
        lunch=Break(**lunch) if lunch else None,
        fixed_cost=data["fixed_cost"],
        start=LatLon(**start) if start else None,
        start_load=data.get("start_load", 0),
    )


def _job(data: JobJSON) -> Job:
    couriers = data.get("couriers")
    return Job(
        id=data["id"],
        pickup=_call(data["pickup"]) if data["pickup"] else None,
        delivery=_call(data["delivery"]),
        demand=data["demand"],
        penalty=data["penalty"],
        citizen_end=data["citizen_end"],
        couriers=tuple(couriers) if couriers else None,
        position=data.get("position"),
        depot_id=data.get("depot_id"),
        hold_cost=data.get("hold_cost"),
    )


def _call(data: CallJSON) -> Call:
    return Call(
        LatLon(**data["point"]),
        tuple((a, b) for a, b in data["windows"]),
        data["service_s"],
        data.get("setup_s", 0),
    )


def result_to_json(plan: Plan, reasons: dict[str, Reason]) -> ResultJSON:
    """A solved part's routes (used vehicles only) and what it left out, and why."""
    return {
        "routes": [
            {
                "courier_id": int(route.vehicle_id),
                "visits": [
                    (v.stop_id, v.arrival, v.start, v.departure, v.load) for v in route.visits
                ],
            }
            for route in plan.routes
            if route.visits
        ],
        "dropped": list(plan.dropped),
        "status": plan.stats.status,
        "travel_s": plan.travel_s,
        "distance_m": plan.distance_m,
        "reasons": reasons,
    }
