"""Plans as the API answers them: times in the service's zone, post offices by code."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from api import i18n
from api.present import local
from api.schemas import plans as out
from api.schemas.plans import PlaceKind, RouteDocumentOut, RouteStopOut
from courier.catalogue.models import Site
from courier.dossiers.models import JobKind, Leg
from courier.enums import SiteKind
from courier.planning import listing
from courier.planning.models import Plan
from courier.planning.progress import PlanProgress, Position, Unrouted
from courier.planning.requesting import PlanRequest
from courier.planning.routes import RouteItem, navigation_url, stop_window

OTHERS_PUBLISHED = i18n.mark(
    "This day already has other plans for these post offices (%(plans)s); plan %(published)s "
    "is the published one."
)
OTHERS_UNPUBLISHED = i18n.mark(
    "This day already has other plans for these post offices (%(plans)s); none is published."
)


def _at(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    return local(moment, zone) if moment is not None else None


def plan_out(session: Session, plan: Plan, zone: ZoneInfo) -> out.PlanOut:
    """A plan's build progress, its routes in short and every stop in order."""
    (listed,) = listing.listings(session, [plan])
    return out.PlanOut(
        **plan_summary_out(listed, zone).model_dump(),
        depot_ids=plan.depot_ids,
        travel_s=plan.travel_s,
        distance_m=plan.distance_m,
        error=plan.error,
        notes=plan.notes or [],
        started_at=_at(plan.started_at, zone),
        replan_at=_at(plan.replan_at, zone),
        routes=[
            out.PlanRouteOut(
                courier_id=r.courier_id,
                courier_code=r.courier_code,
                stops=r.stops,
                first_arrival=local(r.first_arrival, zone),
                last_departure=local(r.last_departure, zone),
            )
            for r in listing.route_summaries(session, plan.id)
        ],
        stops=[_stop_out(s, plan.service_on, zone) for s in listing.plan_stops(session, plan.id)],
    )


def _stop_out(item: listing.PlanStop, service_on: date, zone: ZoneInfo) -> out.PlanStopOut:
    """A plan's stop; a hold (the dossier left at the post office for the night) at the office,
    in its hours, as the courier's route and sheet show it."""
    stop, job, held = item.stop, item.job, item.held_at
    if held is not None:
        window = stop_window(job, held, service_on, zone)
        point = (held.lat, held.lon, held.address)
    else:
        window, point = (job.window_start, job.window_end), (job.lat, job.lon, job.address_text)
    return out.PlanStopOut(
        courier_id=stop.courier_id,
        courier_code=item.courier_code,
        position=stop.position,
        job_id=job.id,
        tracking_code=item.tracking_code,
        leg=job.leg,
        kind="hold" if held is not None else job.kind,
        action=item.action,
        planned_arrival=local(stop.arrival_at, zone),
        window_start=local(window[0], zone),
        window_end=local(window[1], zone),
        lat=point[0],
        lon=point[1],
        address=point[2],
        locked=stop.locked,
    )


def plan_summary_out(item: listing.PlanListing, zone: ZoneInfo) -> out.PlanSummaryOut:
    """A plan in the day's list."""
    plan = item.plan
    return out.PlanSummaryOut(
        id=plan.id,
        service_on=plan.service_on,
        status=plan.status.value,
        published=item.published,
        depots=item.depots,
        requested_by=item.requested_by,
        created_at=local(plan.created_at, zone),
        finished_at=_at(plan.finished_at, zone),
        published_at=_at(plan.published_at, zone),
        parts_total=plan.parts_total,
        parts_done=plan.parts_done,
        stops_total=plan.stops_total,
        stops_served=plan.stops_served,
        stops_dropped=plan.stops_dropped,
        parent_id=plan.parent_id,
    )


def plan_request_out(
    session: Session, asked: PlanRequest, zone: ZoneInfo, lang: str
) -> out.PlanRequestOut:
    """The plan answered to a request, whether it was there already, and the day's others with
    a warning naming the published one."""
    others = listing.listings(session, asked.same_day)
    return out.PlanRequestOut(
        **plan_out(session, asked.plan, zone).model_dump(),
        existing=asked.existing,
        others=[
            out.PlanOtherOut(
                id=o.plan.id, status=o.plan.status.value, published=o.published, depots=o.depots
            )
            for o in others
        ],
        warning=_warning(others, lang),
    )


def _warning(others: list[listing.PlanListing], lang: str) -> str | None:
    if not others:
        return None
    plans = ", ".join(str(o.plan.id) for o in others)
    published = [str(o.plan.id) for o in others if o.published]
    if not published:
        return i18n.gettext(lang, OTHERS_UNPUBLISHED) % {"plans": plans}
    text = i18n.gettext(lang, OTHERS_PUBLISHED)
    return text % {"plans": plans, "published": ", ".join(published)}


def progress_out(progress: PlanProgress, zone: ZoneInfo) -> out.PlanProgressOut:
    """The plan's day: per courier, per stop, and the open pickups it does not route."""
    return out.PlanProgressOut(
        plan_id=progress.plan.id,
        at=local(progress.at, zone),
        late_after_minutes=int(progress.tolerance.total_seconds() // 60),
        couriers=[
            out.CourierProgressOut(
                courier_id=c.courier_id,
                courier_code=c.courier_code,
                stops=c.stops,
                done=c.done,
                failed=c.failed,
                pending=c.pending,
                late=c.late,
                last_position=_position_out(c.last_position, zone),
            )
            for c in progress.couriers
        ],
        stops=[
            out.StopProgressOut(
                courier_id=s.courier_id,
                job_id=s.job_id,
                status=s.status,
                done_at=_at(s.done_at, zone),
                late=s.late,
            )
            for s in progress.stops
        ],
        unrouted=[_unrouted_out(u, zone) for u in progress.unrouted],
    )


def _position_out(position: Position | None, zone: ZoneInfo) -> out.PositionOut | None:
    if position is None:
        return None
    return out.PositionOut(
        lat=position.lat, lon=position.lon, at=local(position.at, zone), source=position.source
    )


def _unrouted_out(item: Unrouted, zone: ZoneInfo) -> out.UnroutedOut:
    return out.UnroutedOut(
        job_id=item.job.id,
        tracking_code=item.dossier.tracking_code,
        leg=item.job.leg,
        dossier_status=item.dossier.status.value,
        window_start=local(item.job.window_start, zone),
        window_end=local(item.job.window_end, zone),
        courier_id=item.job.courier_id,
        reason=item.reason,
    )


def route_stop_out(item: RouteItem, zone: ZoneInfo) -> RouteStopOut:
    """One stop of a courier's own route: the contact there, what to collect, how it went."""
    job, dossier, place = item.job, item.dossier, item.place
    at_citizen = place is None
    procedure = dossier.procedure
    collects = job.leg is Leg.INBOUND and job.kind is JobKind.PICKUP
    return RouteStopOut(
        position=item.position,
        job_id=job.id,
        leg=job.leg,
        kind=job.kind,
        action=item.action,
        place_kind=_place_kind(place),
        tracking_code=dossier.tracking_code,
        procedure=procedure.name_vi,
        procedure_en=procedure.name_en or procedure.name_vi,
        planned_arrival=local(item.planned_arrival, zone) if item.planned_arrival else None,
        window_start=local(item.window[0], zone),
        window_end=local(item.window[1], zone),
        address=place.address if place else job.address_text,
        lat=place.lat if place else job.lat,
        lon=place.lon if place else job.lon,
        site_code=place.code if place else None,
        site_id=place.id if place else None,
        site_name=place.name_vi if place else None,
        fee_to_collect_vnd=item.fee_to_collect_vnd,
        contact_name=dossier.applicant_name if place is None else place.name_vi,
        contact_phone=dossier.applicant_phone if at_citizen else None,
        status=item.status,
        planned=item.planned,
        dossier_status=dossier.status.value,
        point_source=dossier.point_source.value,
        documents=[
            RouteDocumentOut(
                position=d.position,
                name_vi=d.name_vi,
                name_en=d.name_en or d.name_vi,
                original=d.original,
                copies=d.copies,
            )
            for d in procedure.documents
        ]
        if collects
        else [],
        navigation_url=navigation_url(place.lat, place.lon)
        if place
        else navigation_url(job.lat, job.lon),
    )


def _place_kind(place: Site | None) -> PlaceKind:
    """Whose counter the stop is at: the citizen's door, a center, or a post office."""
    if place is None:
        return "citizen"
    return "post_office" if place.kind is SiteKind.POST_OFFICE else "center"
