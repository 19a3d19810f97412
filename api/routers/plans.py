"""Daily plans: dispatchers build and publish them; couriers read their own published route."""

from datetime import date

from fastapi import APIRouter, Query, Response, status

from api import present, schemas
from api.deps import CurrentActor, DbSession, SettingsDep
from courier.db import utcnow
from courier.planning import service as planning
from courier.planning.models import PlanLock

router = APIRouter(tags=["plans"])


@router.post(
    "/plans",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=schemas.PlanRequestOut,
    responses={200: {"description": "that plan is already being built: here it is"}},
)
def request_plan(
    body: schemas.PlanIn,
    session: DbSession,
    settings: SettingsDep,
    actor: CurrentActor,
    response: Response,
) -> schemas.PlanRequestOut:
    """Start building the plan of a day (all post offices, or some) as a background task.

    While a plan of the day for the same post offices is queued or building, it is answered
    (200, `existing`) instead of a second build; one for some of them only is a 409 naming it.
    """
    asked = planning.ask_for_plan(
        session, actor, service_on=body.service_on, depot_codes=body.depots, settings=settings
    )
    if asked.existing:
        response.status_code = status.HTTP_200_OK
    return present.plan_request_out(session, asked, settings.zone)


@router.get("/plans/{plan_id}", response_model=schemas.PlanOut)
def get_plan(
    plan_id: int, session: DbSession, settings: SettingsDep, actor: CurrentActor
) -> schemas.PlanOut:
    """Progress (parts solved of total, stops served and dropped so far), then the routes."""
    return present.plan_out(session, planning.visible_plan(session, plan_id, actor), settings.zone)


@router.post(
    "/plans/{plan_id}/build", status_code=status.HTTP_202_ACCEPTED, response_model=schemas.PlanOut
)
def rebuild(
    plan_id: int, session: DbSession, settings: SettingsDep, actor: CurrentActor
) -> schemas.PlanOut:
    """Run an interrupted or failed build again: solved parts are kept, nothing is duplicated."""
    plan = planning.rebuild(session, plan_id, actor)
    return present.plan_out(session, plan, settings.zone)


@router.post("/plans/{plan_id}/publish", response_model=schemas.PlanOut)
def publish(
    plan_id: int, session: DbSession, settings: SettingsDep, actor: CurrentActor
) -> schemas.PlanOut:
    """Couriers see the routes from now on; pairs the plan could not fit roll over a day."""
    plan = planning.publish(session, plan_id, actor, settings)
    return present.plan_out(session, plan, settings.zone)


def _lock_out(lock: PlanLock) -> schemas.LockOut:
    return schemas.LockOut(
        plan_id=lock.plan_id,
        pickup_job_id=lock.pickup_job_id,
        courier_id=lock.courier_id,
        position=lock.position,
    )


@router.post("/plans/{plan_id}/locks", status_code=201, response_model=schemas.LockOut)
def lock_stop(
    plan_id: int, body: schemas.LockIn, session: DbSession, actor: CurrentActor
) -> schemas.LockOut:
    """Lock a job's pair to a courier (and a place in the route) for the re-plans of this plan."""
    lock = planning.lock(
        session,
        plan_id,
        actor,
        job_id=body.job_id,
        courier_id=body.courier_id,
        position=body.position,
    )
    return _lock_out(lock)


@router.post("/plans/{plan_id}/moves", status_code=201, response_model=schemas.LockOut)
def move_job(
    plan_id: int, body: schemas.MoveIn, session: DbSession, actor: CurrentActor
) -> schemas.LockOut:
    """Move a job's pair to another courier for the re-plans of this plan."""
    lock = planning.lock(
        session, plan_id, actor, job_id=body.job_id, courier_id=body.courier_id, position=None
    )
    return _lock_out(lock)


@router.get("/plans/{plan_id}/locks", response_model=list[schemas.LockOut])
def list_locks(plan_id: int, session: DbSession, actor: CurrentActor) -> list[schemas.LockOut]:
    """The plan's locks and moves."""
    planning.visible_plan(session, plan_id, actor)
    return [_lock_out(lock) for lock in planning.locks_of(session, plan_id)]


@router.post(
    "/plans/{plan_id}/replan", status_code=status.HTTP_202_ACCEPTED, response_model=schemas.PlanOut
)
def replan(
    plan_id: int,
    body: schemas.ReplanIn,
    session: DbSession,
    settings: SettingsDep,
    actor: CurrentActor,
) -> schemas.PlanOut:
    """Build a new plan from where couriers are now, keeping done and locked stops in place."""
    at = None if body.whole_day else (body.at or utcnow())
    plan = planning.replan(session, plan_id, actor, at=at, settings=settings)
    return present.plan_out(session, plan, settings.zone)


@router.get("/couriers/me/route", response_model=list[schemas.RouteStopOut])
def my_route(
    session: DbSession,
    settings: SettingsDep,
    actor: CurrentActor,
    on: date = Query(alias="date", description="the service day"),
) -> list[schemas.RouteStopOut]:
    """The signed-in courier's published stops in order, with what to do and whom to meet."""
    return [
        present.route_stop_out(s, settings.zone) for s in planning.courier_route(session, actor, on)
    ]


_PDF = {"Cache-Control": "private, no-store"}


@router.get("/couriers/me/route.pdf", response_class=Response)
def my_route_sheet(
    session: DbSession,
    settings: SettingsDep,
    actor: CurrentActor,
    on: date = Query(alias="date", description="the service day"),
) -> Response:
    """The signed-in courier's printable route sheet (sketch to scale, stops with barcodes)."""
    stops = planning.courier_route(session, actor, on)
    if not stops or actor.courier_id is None:
        raise planning.PlanNotFound(f"no published route on {on}")
    pdf = planning.route_sheet(session, actor.courier_id, on, stops, settings.zone)
    return Response(pdf, media_type="application/pdf", headers=_PDF)


@router.get("/plans/{plan_id}/sheets/{courier_id}.pdf", response_class=Response)
def route_sheet(
    plan_id: int, courier_id: int, session: DbSession, settings: SettingsDep, actor: CurrentActor
) -> Response:
    """A courier's printable route sheet of a plan, for the dispatcher of their post office."""
    pdf = planning.sheet_for_dispatcher(session, plan_id, courier_id, actor, settings.zone)
    return Response(pdf, media_type="application/pdf", headers=_PDF)
