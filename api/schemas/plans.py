"""Answers of the plan endpoints: the day's plans, a plan with its stops, its progress."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from api.schemas import AwareDatetime, Day, Id, Strict
from courier.dossiers.models import JobKind, Leg


class PlanRouteOut(BaseModel):
    """One courier's route in a plan, in short."""

    courier_id: int
    courier_code: str
    stops: int
    first_arrival: datetime
    last_departure: datetime


class PlanStopOut(BaseModel):
    """One stop of a plan's route (shown to the dispatcher of its post office and admins only)."""

    courier_id: int
    courier_code: str
    position: int
    job_id: int
    tracking_code: str
    leg: Leg
    kind: JobKind | Literal["hold"] = Field(
        description="hold: the delivery is left at the courier's post office for the night (the "
        "point, address and window are the office's; the center gets the dossier on a "
        "later plan)"
    )
    action: str
    planned_arrival: datetime
    window_start: datetime
    window_end: datetime
    lat: float
    lon: float
    address: str
    locked: bool


class PlanSummaryOut(BaseModel):
    """A plan in the day's list."""

    id: int
    service_on: date
    status: str
    published: bool = Field(description="couriers read it (not superseded by a newer plan)")
    depots: list[str] | None = Field(description="post office codes; null: all post offices")
    requested_by: str | None = Field(description="username; null: the nightly task")
    created_at: datetime
    finished_at: datetime | None
    published_at: datetime | None
    parts_total: int
    parts_done: int
    stops_total: int
    stops_served: int
    stops_dropped: int
    parent_id: int | None


class PlanOut(PlanSummaryOut):
    """A plan's build progress and, once built, its routes and every stop in order."""

    depot_ids: list[int] | None
    travel_s: int
    distance_m: int
    error: str | None
    notes: list[str]
    started_at: datetime | None
    replan_at: datetime | None
    routes: list[PlanRouteOut]
    stops: list[PlanStopOut] = Field(description="route by route (courier code), in order")


class PlanOtherOut(BaseModel):
    """Another plan of the same day sharing a post office with the one asked for."""

    id: int
    status: str
    published: bool
    depots: list[str] | None


class PlanRequestOut(PlanOut):
    """The answer to a plan request: a new plan (202), or with `existing` the plan of the same
    day and post offices already queued or building (200; nothing new is built). `others` lists
    the day's other plans sharing a post office (being built, built or published), and `warning`
    says so in the visitor's language, naming the published one."""

    existing: bool
    others: list[PlanOtherOut]
    warning: str | None


class LockOut(BaseModel):
    """A lock or move the next re-plans keep."""

    plan_id: int
    pickup_job_id: int
    courier_id: int
    position: int | None


class PositionOut(BaseModel):
    """Where a courier was last seen that day."""

    lat: float
    lon: float
    at: datetime
    source: Literal["handover", "attempt"]


class CourierProgressOut(BaseModel):
    """One courier's day against the plan."""

    courier_id: int
    courier_code: str
    stops: int
    done: int
    failed: int
    pending: int
    late: int
    last_position: PositionOut | None


class StopProgressOut(BaseModel):
    """How one stop of the plan stands (match it to the plan's `stops` by `job_id`)."""

    courier_id: int
    job_id: int
    status: Literal["pending", "done", "failed"]
    done_at: datetime | None
    late: bool


class UnroutedOut(BaseModel):
    """An open pickup of the day the plan does not route."""

    job_id: int
    tracking_code: str
    leg: Leg
    dossier_status: str
    window_start: datetime
    window_end: datetime
    courier_id: int | None = Field(description="assigned by hand to this courier")
    reason: Literal["dropped", "after_plan"] = Field(
        description="dropped: the plan could not fit it; after_plan: not in the plan's input "
        "(booked, rescheduled or re-queued after it was cut)"
    )


class PlanProgressOut(BaseModel):
    """The plan's day as of `at`: per courier, per stop, and what it does not route."""

    plan_id: int
    at: datetime
    late_after_minutes: int
    couriers: list[CourierProgressOut]
    stops: list[StopProgressOut]
    unrouted: list[UnroutedOut]


class PlanIn(Strict):
    """Build the plan of a day; `depots` are post office codes (all when left out)."""

    service_on: Day
    depots: list[str] | None = Field(default=None, min_length=1, max_length=200)


class LockIn(Strict):
    """Keep a job's pair on a courier; `position` fixes its place (0 = the route's first stop).

    A position past the end of the courier's route in this plan is refused (422, `position`).
    """

    job_id: Id
    courier_id: Id
    position: int | None = Field(default=None, ge=0, le=500)


class MoveIn(Strict):
    """Move a job's pair to another courier, wherever it fits best."""

    job_id: Id
    courier_id: Id


class ReplanIn(Strict):
    """Re-plan from a moment of the day (now when left out); `whole_day` ignores where couriers are."""

    at: AwareDatetime | None = None
    whole_day: bool = False


class RouteDocumentOut(BaseModel):
    """A document to collect at a pickup, as the procedure requires it."""

    position: int
    name_vi: str
    name_en: str
    original: bool
    copies: int


PlaceKind = Literal["citizen", "center", "post_office"]


class RouteStopOut(BaseModel):
    """One stop of the courier's route: when, where, what to do, whom to meet, and how it went."""

    position: int
    job_id: int
    leg: Leg
    kind: JobKind
    action: str
    place_kind: PlaceKind = Field(
        description="where the stop is: the citizen's door, a center's counter, or a post office "
        "(leaving a dossier there overnight, or collecting it the next morning)"
    )
    tracking_code: str
    procedure: str
    procedure_en: str
    planned_arrival: datetime | None = Field(description="null for a stop assigned by hand")
    window_start: datetime
    window_end: datetime
    address: str
    lat: float
    lon: float
    site_code: str | None
    site_id: int | None
    site_name: str | None
    fee_to_collect_vnd: int
    contact_name: str
    contact_phone: str | None
    status: Literal["pending", "done", "failed"]
    planned: bool = Field(description="on the published plan; false: assigned by a dispatcher")
    dossier_status: str
    point_source: str
    documents: list[RouteDocumentOut]
    navigation_url: str = Field(description="geo: URI that opens the phone's map app")
