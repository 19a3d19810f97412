"""Daily plans: dispatchers build and publish them; couriers read their own published route."""

from datetime import date, timedelta

from fastapi import APIRouter, Query, Request, Response, status

from api import i18n
from api.deps import CurrentActor, DbSession, SettingsDep
from api.present import plans as shown
from api.present.plans import route_stop_out
from api.reads import ReadLog, ReadLogDep
from api.schemas import Day, Id
from api.schemas.plans import (
    LockIn,
    LockOut,
    MoveIn,
    PlanIn,
    PlanOut,
    PlanProgressOut,
    PlanRequestOut,
    PlanSummaryOut,
    ReplanIn,
    RouteStopOut,
)
from courier import calendar
from courier.actors import Actor
from courier.db import utcnow
from courier.planning import (
    changes,
    listing,
    printing,
    progress,
    publishing,
    requesting,
    routes,
    service,
)
from courier.planning.models import Plan, PlanLock
from courier.privacy.reads import DataKind
from courier.settings import Settings

router = APIRouter(tags=["plans"])


_DAY = Query(
    None, alias="date", description="the service day (today in the service's zone if left out)"
)


def _day(on: date | None, settings: Settings) -> date:
    return on or calendar.local_today(utcnow(), settings.zone)


@router.post(
    "/plans",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=PlanRequestOut,
    responses={200: {"description": "that plan is already being built: here it is"}},
)
def request_plan(
    body: PlanIn,
    session: DbSession,
    settings: SettingsDep,
    actor: CurrentActor,
    request: Request,
    response: Response,
) -> PlanRequestOut:
    """Start building the plan of a day (all post offices, or some) as a background task.

    While a plan of the day for the same post offices is queued or building, it is answered
    (200, `existing`) instead of a second build; one for some of them only is a 409 naming it.
    The day's other plans sharing a post office are in `others`, and `warning` names the
    published one.
    """
    asked = requesting.ask_for_plan(
        session, actor, service_on=body.service_on, depot_codes=body.depots, settings=settings
    )
    if asked.existing:
        response.status_code = status.HTTP_200_OK
    return shown.plan_request_out(session, asked, settings.zone, i18n.language_of(request))


@router.get("/plans", response_model=list[PlanSummaryOut])
def list_plans(
    session: DbSession,
    settings: SettingsDep,
    actor: CurrentActor,
    on: Day | None = _DAY,
    depot: str | None = Query(None, max_length=32, description="a post office's code"),
) -> list[PlanSummaryOut]:
    """The day's plans: a dispatcher's are those of exactly their post office, admins see all."""
    found = listing.list_plans(session, actor, service_on=_day(on, settings), depot_code=depot)
    return [shown.plan_summary_out(item, settings.zone) for item in found]


@router.get("/plans/{plan_id}", response_model=PlanOut)
def get_plan(
    plan_id: Id, session: DbSession, settings: SettingsDep, actor: CurrentActor, log: ReadLogDep
) -> PlanOut:
    """Progress (parts solved of total, stops served and dropped so far), then the routes and
    every stop in order."""
    return _plan_out(log, actor, service.visible_plan(session, plan_id, actor), settings)


def _plan_out(log: ReadLog, actor: Actor, plan: Plan, settings: Settings) -> PlanOut:
    """The plan with every stop's address, its read logged."""
    log.ids(actor, DataKind.PLAN_STOPS, listing.dossier_ids(log.session, plan.id))
    return shown.plan_out(log.session, plan, settings.zone)


@router.get("/plans/{plan_id}/progress", response_model=PlanProgressOut)
def plan_progress(
    plan_id: Id, session: DbSession, settings: SettingsDep, actor: CurrentActor
) -> PlanProgressOut:
    """The day against the plan: per courier stops done, failed, pending and late, and where they
    were last seen; each stop's state; the day's open pickups of its post offices it leaves out."""
    plan = service.visible_plan(session, plan_id, actor)
    found = progress.plan_progress(
        session,
        plan,
        now=utcnow(),
        tolerance=timedelta(minutes=settings.plan_late_minutes),
        zone=settings.zone,
    )
    return shown.progress_out(found, settings.zone)


@router.post("/plans/{plan_id}/build", status_code=status.HTTP_202_ACCEPTED, response_model=PlanOut)
def rebuild(
    plan_id: Id, session: DbSession, settings: SettingsDep, actor: CurrentActor, log: ReadLogDep
) -> PlanOut:
    """Run an interrupted or failed build again: solved parts are kept, nothing is duplicated."""
    return _plan_out(log, actor, requesting.rebuild(session, plan_id, actor), settings)


@router.post("/plans/{plan_id}/publish", response_model=PlanOut)
def publish(
    plan_id: Id, session: DbSession, settings: SettingsDep, actor: CurrentActor, log: ReadLogDep
) -> PlanOut:
    """Couriers see the routes from now on; pairs the plan could not fit roll over a day."""
    return _plan_out(log, actor, publishing.publish(session, plan_id, actor, settings), settings)


def _lock_out(lock: PlanLock) -> LockOut:
    return LockOut(
        plan_id=lock.plan_id,
        pickup_job_id=lock.pickup_job_id,
        courier_id=lock.courier_id,
        position=lock.position,
    )


@router.post("/plans/{plan_id}/locks", status_code=201, response_model=LockOut)
def lock_stop(plan_id: Id, body: LockIn, session: DbSession, actor: CurrentActor) -> LockOut:
    """Lock a job's pair to a courier (and a place in the route) for the re-plans of this plan."""
    lock = changes.lock(
        session,
        plan_id,
        actor,
        job_id=body.job_id,
        courier_id=body.courier_id,
        position=body.position,
    )
    return _lock_out(lock)


@router.post("/plans/{plan_id}/moves", status_code=201, response_model=LockOut)
def move_job(plan_id: Id, body: MoveIn, session: DbSession, actor: CurrentActor) -> LockOut:
    """Move a job's pair to another courier for the re-plans of this plan."""
    lock = changes.lock(
        session, plan_id, actor, job_id=body.job_id, courier_id=body.courier_id, position=None
    )
    return _lock_out(lock)


@router.get("/plans/{plan_id}/locks", response_model=list[LockOut])
def list_locks(plan_id: Id, session: DbSession, actor: CurrentActor) -> list[LockOut]:
    """The plan's locks and moves."""
    service.visible_plan(session, plan_id, actor)
    return [_lock_out(lock) for lock in changes.locks_of(session, plan_id)]


@router.post(
    "/plans/{plan_id}/replan", status_code=status.HTTP_202_ACCEPTED, response_model=PlanOut
)
def replan(
    plan_id: Id,
    body: ReplanIn,
    session: DbSession,
    settings: SettingsDep,
    actor: CurrentActor,
    log: ReadLogDep,
) -> PlanOut:
    """Build a new plan from where couriers are now, keeping done and locked stops in place."""
    at = None if body.whole_day else (body.at or utcnow())
    plan = changes.replan(session, plan_id, actor, at=at, settings=settings)
    return _plan_out(log, actor, plan, settings)


@router.get("/couriers/me/route", response_model=list[RouteStopOut])
def my_route(
    session: DbSession,
    settings: SettingsDep,
    actor: CurrentActor,
    log: ReadLogDep,
    on: Day | None = _DAY,
) -> list[RouteStopOut]:
    """The signed-in courier's day: the published plan's stops in order, then the jobs assigned by
    hand, each pending, done or failed, with what to collect, whom to meet and how to get there."""
    items = routes.courier_day(session, actor, _day(on, settings), settings.zone)
    log.dossiers(actor, DataKind.ROUTE, (item.dossier for item in items))
    return [route_stop_out(item, settings.zone) for item in items]


_PDF = {"Cache-Control": "private, no-store"}


@router.get("/couriers/me/route.pdf", response_class=Response)
def my_route_sheet(
    session: DbSession,
    settings: SettingsDep,
    actor: CurrentActor,
    log: ReadLogDep,
    on: Day | None = _DAY,
) -> Response:
    """The signed-in courier's printable route sheet (sketch to scale, stops with barcodes)."""
    day = _day(on, settings)
    courier = routes.own_courier(session, actor)
    stops = routes.day_of(session, courier.id, day, settings.zone)
    if not stops:
        raise service.PlanNotFound(f"no stops on {day}")
    pdf = printing.route_sheet(session, courier.id, day, stops, settings.zone)
    log.dossiers(actor, DataKind.ROUTE_SHEET, (item.dossier for item in stops))
    return Response(pdf, media_type="application/pdf", headers=_PDF)


@router.get("/plans/{plan_id}/sheets/{courier_id}.pdf", response_class=Response)
def route_sheet(
    plan_id: Id,
    courier_id: Id,
    session: DbSession,
    settings: SettingsDep,
    actor: CurrentActor,
    log: ReadLogDep,
) -> Response:
    """A courier's printable route sheet of a plan, for the dispatcher of their post office."""
    pdf = printing.sheet_for_dispatcher(session, plan_id, courier_id, actor, settings.zone)
    log.ids(actor, DataKind.ROUTE_SHEET, listing.dossier_ids(session, plan_id, courier_id))
    return Response(pdf, media_type="application/pdf", headers=_PDF)
