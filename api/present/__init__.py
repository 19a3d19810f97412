"""Turning domain objects into response bodies, with times in the service's zone."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from api import i18n
from api.schemas.bookings import BookingOut, FeeOut, WindowOut
from api.schemas.catalogue import DocumentOut, ProcedureOut, SiteOut
from api.schemas.couriers import CourierMeOut, CourierOut, PostOfficeOut
from api.schemas.custody import BrokenLinkOut, CustodyLinkOut, CustodyOut, CustodyProofOut
from api.schemas.devices import DeviceOut
from api.schemas.dossiers import DossierOut
from api.schemas.handovers import HandoverItemOut, HandoverOut, PartyIn, ProofOut
from api.schemas.jobs import JobOut
from api.schemas.plans import RouteDocumentOut, RouteStopOut
from api.schemas.tracking import EventOut, TrackOut
from courier.accounts.devices import DeviceView, is_active
from courier.catalogue.models import Procedure, Site
from courier.db import utcnow
from courier.dossiers.booking import Quote
from courier.dossiers.models import Dossier, DossierStatus, Job, JobKind, Leg, TrackingEvent
from courier.dossiers.states import EVENTS, Event
from courier.fleet.models import Courier
from courier.handovers.models import Handover
from courier.planning.routes import RouteItem, navigation_url
from courier.planning.service import ACTIONS
from courier.proofs.kinds import PostponementReason
from courier.proofs.models import Receipt
from courier.proofs.service import proofs_of
from courier.proofs.verify import ChainReport
from courier.settings import Settings

# English ids of the catalogues (courier/locale), shown in the visitor's language
STATUS_LABELS: dict[DossierStatus, str] = {
    DossierStatus.BOOKED: i18n.mark("Pickup booked"),
    DossierStatus.PICKUP_FAILED: i18n.mark("Pickup failed, will retry"),
    DossierStatus.PICKED_UP: i18n.mark("Collected by the courier"),
    DossierStatus.IN_TRANSIT: i18n.mark("In transit to the center"),
    DossierStatus.RECEIVED_AT_CENTER: i18n.mark("Received at the center"),
    DossierStatus.PROCESSING: i18n.mark("Being processed"),
    DossierStatus.RESULT_READY: i18n.mark("Result ready"),
    DossierStatus.RESULT_PICKED_UP: i18n.mark("Result collected by the courier"),
    DossierStatus.OUT_FOR_DELIVERY: i18n.mark("Out for delivery"),
    DossierStatus.DELIVERY_FAILED: i18n.mark("Delivery failed, will retry"),
    DossierStatus.DELIVERED: i18n.mark("Result delivered"),
    DossierStatus.RETURNED_TO_CENTER: i18n.mark("Result waiting at the center"),
    DossierStatus.CANCELLED: i18n.mark("Cancelled"),
}
POSTPONEMENT_LABELS: dict[PostponementReason, str] = {
    PostponementReason.ADDITIONAL_VERIFICATION: i18n.mark("Further verification needed"),
    PostponementReason.SUPPLEMENT_REQUESTED: i18n.mark("Supplementary documents requested"),
    PostponementReason.INTER_AGENCY_CONSULTATION: i18n.mark("Consulting other agencies"),
    PostponementReason.SITE_INSPECTION: i18n.mark("Site inspection"),
    PostponementReason.FORCE_MAJEURE: i18n.mark("Force majeure"),
}


def status_label(status: DossierStatus, lang: str) -> str:
    """The status as the citizen's timeline names it, in the language."""
    return i18n.gettext(lang, STATUS_LABELS[status])


def postponement_label(reason: PostponementReason, lang: str) -> str:
    """Why the center moved the result date, in the language."""
    return i18n.gettext(lang, POSTPONEMENT_LABELS[reason])


def language(accept_language: str | None) -> str:
    """'en' when the client prefers English over Vietnamese, else 'vi' (the first language)."""
    return i18n.negotiate(accept_language)


def local(moment: datetime, zone: ZoneInfo) -> datetime:
    """The moment in the service's zone."""
    return moment.astimezone(zone)


def opening_hours(site: Site) -> str:
    """e.g. 'Mon-Fri 07:30-11:30, 13:00-17:00; Sat 07:30-11:30'."""
    text = (
        f"Mon-Fri {site.morning_opens:%H:%M}-{site.morning_closes:%H:%M}, "
        f"{site.afternoon_opens:%H:%M}-{site.afternoon_closes:%H:%M}"
    )
    if site.saturday_morning:
        text += f"; Sat {site.morning_opens:%H:%M}-{site.morning_closes:%H:%M}"
    return text


def site_out(site: Site) -> SiteOut:
    """A site for the catalogue."""
    return SiteOut(
        id=site.id,
        code=site.code,
        kind=site.kind.value,
        name_vi=site.name_vi,
        name_en=site.name_en,
        district=site.district,
        address=site.address,
        lat=site.lat,
        lon=site.lon,
        opening_hours=opening_hours(site),
    )


def procedure_out(procedure: Procedure) -> ProcedureOut:
    """A procedure for the catalogue."""
    return ProcedureOut(
        code=procedure.code,
        field=procedure.field,
        name_vi=procedure.name_vi,
        name_en=procedure.name_en,
        receiving_kind=procedure.receiving_kind.value,
        fee_vnd=procedure.fee_vnd,
        processing_days=procedure.processing_days,
        documents=[
            DocumentOut(
                position=d.position,
                name_vi=d.name_vi,
                name_en=d.name_en,
                form="original" if d.original else "copy",
                copies=d.copies,
            )
            for d in procedure.documents
        ],
    )


def booking_out(dossier: Dossier, quote: Quote, settings: Settings) -> BookingOut:
    """The answer to a booking."""
    pickup = next(j for j in dossier.jobs if j.leg is Leg.INBOUND and j.kind is JobKind.PICKUP)
    return BookingOut(
        tracking_code=dossier.tracking_code,
        status=dossier.status.value,
        fee=FeeOut(
            procedure_fee_vnd=quote.procedure_fee_vnd,
            pickup_fee_vnd=quote.pickup_fee_vnd,
            return_fee_vnd=quote.return_fee_vnd,
            total_vnd=quote.total_vnd,
        ),
        receiving_site=site_out(dossier.receiving_site),
        pickup_window=window(pickup, settings.zone),
        tracking_url=f"{settings.public_base_url}/track/{dossier.tracking_code}",
    )


def window(job: Job, zone: ZoneInfo) -> WindowOut:
    """A job's window in local time."""
    return WindowOut(start=local(job.window_start, zone), end=local(job.window_end, zone))


def job_out(job: Job, zone: ZoneInfo) -> JobOut:
    """A job for a courier or a dispatcher."""
    return JobOut(
        id=job.id,
        tracking_code=job.dossier.tracking_code,
        leg=job.leg,
        kind=job.kind,
        status=job.status,
        courier_id=job.courier_id,
        site_code=job.site.code if job.site else None,
        address_text=job.address_text,
        lat=job.lat,
        lon=job.lon,
        window=window(job, zone),
        service_s=job.service_s,
        attempts=job.attempts,
    )


def dossier_out(dossier: Dossier, zone: ZoneInfo) -> DossierOut:
    """A dossier with its personal data."""
    return DossierOut(
        tracking_code=dossier.tracking_code,
        status=dossier.status.value,
        procedure_code=dossier.procedure.code,
        receiving_site_code=dossier.receiving_site.code,
        applicant_name=dossier.applicant_name,
        applicant_phone=dossier.applicant_phone,
        address_text=dossier.address_text,
        lat=dossier.lat,
        lon=dossier.lon,
        point_source=dossier.point_source.value,
        preferred_on=dossier.preferred_on,
        slot=dossier.slot,
        result_return=dossier.result_return,
        holder_kind=dossier.holder_kind.value,
        holder_id=dossier.holder_id,
        due_on=dossier.due_on,
        created_at=local(dossier.created_at, zone),
        jobs=[job_out(j, zone) for j in dossier.jobs],
    )


def track_out(dossier: Dossier, events: list[TrackingEvent], lang: str, zone: ZoneInfo) -> TrackOut:
    """The public timeline in the client's language; nothing personal."""
    vi = lang == "vi"
    return TrackOut(
        tracking_code=dossier.tracking_code,
        status=dossier.status.value,
        status_label=status_label(dossier.status, lang),
        procedure=dossier.procedure.name_vi if vi else dossier.procedure.name_en,
        receiving_site=dossier.receiving_site.name_vi if vi else dossier.receiving_site.name_en,
        preferred_on=dossier.preferred_on,
        slot=dossier.slot,
        due_on=dossier.due_on,
        events=[
            EventOut(
                at=local(e.occurred_at, zone),
                code=e.code,
                event=e.event,
                label=_event_label(e, lang),
                site=(e.site.name_vi if vi else e.site.name_en) if e.site else None,
                reason=e.reason,
                due_on=e.due_on,
            )
            for e in events
        ],
    )


def _event_label(event: TrackingEvent, lang: str) -> str:
    info = EVENTS[Event(event.event)]
    label = i18n.gettext(lang, info.label)
    if event.due_on is not None and event.event == Event.ROLL_OVER:
        label += f" ({i18n.day(event.due_on, lang)})"
    elif event.due_on is not None:
        label += " " + i18n.gettext(lang, _UNTIL) % {"day": i18n.day(event.due_on, lang)}
    if event.event == Event.POSTPONE and event.reason in set(PostponementReason):
        label += f": {postponement_label(PostponementReason(event.reason), lang)}"
    return label


_UNTIL = i18n.mark("to %(day)s")


def handover_out(session: Session, handover: Handover, zone: ZoneInfo) -> HandoverOut:
    """A recorded handover with its proofs, chain links and receipt links."""
    codes = dict(
        session.execute(
            select(Dossier.id, Dossier.tracking_code).where(
                Dossier.id.in_([i.dossier_id for i in handover.items])
            )
        ).all()
    )
    receipt = session.scalar(select(Receipt).where(Receipt.handover_id == handover.id))
    base = f"/api/v1/handovers/{handover.id}"
    return HandoverOut(
        id=handover.id,
        recorded_at=local(handover.recorded_at, zone),
        device_at=local(handover.device_at, zone),
        giver=PartyIn(kind=handover.from_kind, id=handover.from_id),
        receiver=PartyIn(kind=handover.to_kind, id=handover.to_id),
        site_id=handover.site_id,
        lat=handover.lat,
        lon=handover.lon,
        accuracy_m=handover.accuracy_m,
        fees_collected_vnd=handover.fees_collected_vnd,
        seal_number=handover.seal_number,
        documents=handover.documents,
        content_hash=handover.content_hash,
        items=[
            HandoverItemOut(
                tracking_code=codes[i.dossier_id],
                event=i.event,
                from_status=i.from_status,
                to_status=i.to_status,
                seq=i.seq,
                link_hash=i.link_hash,
            )
            for i in handover.items
        ],
        proofs=[
            ProofOut(
                id=p.id,
                role=p.role,
                position=p.position,
                media_type=p.media_type,
                width=p.width,
                height=p.height,
                size_bytes=p.size_bytes,
                sha256=p.sha256,
                removed_at=local(p.removed_at, zone) if p.removed_at else None,
                url=None if p.removed_at else f"{base}/proofs/{p.id}",
            )
            for p in proofs_of(session, handover.id)
        ],
        receipt_png=f"{base}/receipt.png" if receipt else None,
        receipt_pdf=f"{base}/receipt.pdf" if receipt else None,
    )


def custody_out(report: ChainReport, zone: ZoneInfo) -> CustodyOut:
    """A dossier's custody chain as verified; parties by kind and id only."""
    broken = report.first_broken
    return CustodyOut(
        tracking_code=report.tracking_code,
        verified=report.verified,
        first_broken=BrokenLinkOut(seq=broken[0], problem=broken[1]) if broken else None,
        key_id=report.key_id,
        public_key_url="/api/v1/custody/public-key",
        links=[
            CustodyLinkOut(
                seq=link.seq,
                handover_id=link.handover.id,
                event=link.item.event,
                giver=PartyIn(kind=link.handover.from_kind, id=link.handover.from_id),
                receiver=PartyIn(kind=link.handover.to_kind, id=link.handover.to_id),
                site_code=link.site_code,
                device_at=local(link.handover.device_at, zone),
                recorded_at=local(link.handover.recorded_at, zone),
                content_hash=link.handover.content_hash,
                prev_hash=link.item.prev_hash,
                link_hash=link.item.link_hash,
                signature=link.item.signature,
                key_id=link.item.key_id,
                proofs=[
                    CustodyProofOut(
                        role=c.proof.role,
                        position=c.proof.position,
                        sha256=c.proof.sha256,
                        state=c.state,
                    )
                    for c in link.proofs
                ],
                verified=not link.problems,
                problems=link.problems,
            )
            for link in report.links
        ],
    )


def route_stop_out(item: RouteItem, zone: ZoneInfo) -> RouteStopOut:
    """One stop of a courier's own route: the contact there, what to collect, how it went."""
    job, dossier = item.job, item.dossier
    at_citizen = job.site_id is None
    procedure = dossier.procedure
    collects = job.leg is Leg.INBOUND and job.kind is JobKind.PICKUP
    return RouteStopOut(
        position=item.position,
        job_id=job.id,
        leg=job.leg,
        kind=job.kind,
        action=ACTIONS[(job.leg, job.kind)],
        tracking_code=dossier.tracking_code,
        procedure=procedure.name_vi,
        procedure_en=procedure.name_en or procedure.name_vi,
        planned_arrival=local(item.planned_arrival, zone) if item.planned_arrival else None,
        window_start=local(job.window_start, zone),
        window_end=local(job.window_end, zone),
        address=job.address_text,
        lat=job.lat,
        lon=job.lon,
        site_code=job.site.code if job.site else None,
        site_id=job.site_id,
        site_name=job.site.name_vi if job.site else None,
        fee_to_collect_vnd=item.fee_to_collect_vnd,
        contact_name=dossier.applicant_name
        if at_citizen
        else (job.site.name_vi if job.site else ""),
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
        navigation_url=navigation_url(job.lat, job.lon),
    )


def courier_out(courier: Courier) -> CourierOut:
    """A courier on the roster, for dispatchers and admins."""
    return CourierOut(
        id=courier.id,
        code=courier.code,
        full_name=courier.full_name,
        phone=courier.phone,
        post_office_code=courier.home_post_office.code,
        shift_start=courier.shift_start,
        shift_end=courier.shift_end,
        capacity=courier.capacity,
        vehicle=courier.vehicle,
    )


def courier_me_out(courier: Courier, device_id: int | None) -> CourierMeOut:
    """The signed-in courier's own record, with the phone's device session."""
    office = courier.home_post_office
    return CourierMeOut(
        id=courier.id,
        code=courier.code,
        full_name=courier.full_name,
        phone=courier.phone,
        vehicle=courier.vehicle,
        capacity=courier.capacity,
        shift_start=courier.shift_start,
        shift_end=courier.shift_end,
        post_office=PostOfficeOut(
            id=office.id, code=office.code, name=office.name_vi, name_en=office.name_en
        ),
        device_id=device_id,
    )


def device_out(view: DeviceView, zone: ZoneInfo) -> DeviceOut:
    """A phone signed in to an account, times in the service's zone."""
    device = view.device
    return DeviceOut(
        id=device.id,
        user_id=device.user_id,
        username=device.user.username,
        full_name=device.user.full_name,
        courier_code=view.courier_code,
        name=device.name,
        created_at=local(device.created_at, zone),
        last_used_at=local(device.last_used_at, zone),
        expires_at=local(device.expires_at, zone),
        revoked_at=local(device.revoked_at, zone) if device.revoked_at else None,
        revoke_reason=device.revoke_reason,
        active=is_active(device, utcnow()),
    )
