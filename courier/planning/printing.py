"""A courier's stops of a plan and their printed route sheet (for the courier and for
dispatchers)."""

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from courier import access
from courier.actors import Actor
from courier.dossiers.models import Dossier, Job
from courier.errors import PermissionDenied
from courier.planning import routes, service
from courier.planning.models import RouteStop
from courier.text import mark

# catalogue ids: the API answers them in the caller's language
OWN_SHEETS = mark("A dispatcher prints the route sheets of their own post office's couriers only.")
NO_STOPS = mark("Courier %(courier)s has no stops in plan %(plan)s.")


@dataclass(frozen=True, slots=True)
class CourierStop:
    """One stop of a courier's published route, with the job and its dossier."""

    stop: RouteStop
    job: Job
    dossier: Dossier


def route_of(session: Session, plan_id: int, courier_id: int) -> list[CourierStop]:
    """One courier's stops in a plan, in order."""
    rows = session.execute(
        select(RouteStop, Job, Dossier)
        .join(Job, Job.id == RouteStop.job_id)
        .join(Dossier, Dossier.id == Job.dossier_id)
        .where(RouteStop.plan_id == plan_id, RouteStop.courier_id == courier_id)
        .order_by(RouteStop.position)
    ).all()
    return [CourierStop(stop, job, dossier) for stop, job, dossier in rows]


def route_sheet(
    session: Session,
    courier_id: int,
    service_on: date,
    stops: list[routes.RouteItem],
    zone: ZoneInfo,
) -> bytes:
    """The printable route sheet (PDF) of a courier's stops (a stop assigned by hand is printed
    at its window's start)."""
    from courier.fleet.models import Courier
    from courier.planning import sheets

    courier = session.get_one(Courier, courier_id)
    depot = courier.home_post_office
    data = sheets.SheetData(
        courier=f"{courier.full_name} ({courier.code})",
        day=service_on.strftime("%d/%m/%Y"),
        depot=depot.name_vi,
        depot_point=(depot.lat, depot.lon),
        stops=tuple(
            sheets.SheetStop(
                position=item.position,
                lat=item.place.lat if item.place else item.job.lat,
                lon=item.place.lon if item.place else item.job.lon,
                arrival=item.planned_arrival or item.window[0],
                window=item.window,
                action=item.action,
                address=item.place.address if item.place else item.job.address_text,
                tracking_code=item.dossier.tracking_code,
                fee_vnd=item.fee_to_collect_vnd,
            )
            for item in stops
        ),
        zone=zone,
    )
    return sheets.render(data)


def sheet_for_dispatcher(
    session: Session, plan_id: int, courier_id: int, actor: Actor, zone: ZoneInfo
) -> bytes:
    """A courier's sheet of a plan, for dispatchers (built or published plans)."""
    plan = service.visible_plan(session, plan_id, actor)
    from courier.fleet.models import Courier

    office = access.office_scope(actor)
    courier = session.get(Courier, courier_id)
    if office is not None and (courier is None or courier.home_post_office_id != office):
        raise PermissionDenied(OWN_SHEETS)
    stops = []
    for s in route_of(session, plan.id, courier_id):
        held = routes.held_office(courier, s.stop.at_post_office)
        stops.append(
            routes.RouteItem(
                position=s.stop.position,
                job=s.job,
                dossier=s.dossier,
                planned_arrival=s.stop.arrival_at,
                window=routes.stop_window(s.job, held, plan.service_on, zone),
                held_at=held,
                planned=True,
                status="pending",
                fee_to_collect_vnd=routes.fee_to_collect(session, s.job),
            )
        )
    if not stops:
        raise service.PlanNotFound(NO_STOPS, params={"courier": courier_id, "plan": plan_id})
    return route_sheet(session, courier_id, plan.service_on, stops, zone)
