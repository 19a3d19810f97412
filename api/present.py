"""Turning domain objects into response bodies, with times in the service's zone."""

from datetime import datetime
from zoneinfo import ZoneInfo

from api import schemas
from courier.catalogue.models import Procedure, Site
from courier.dossiers.booking import Quote
from courier.dossiers.models import Dossier, DossierStatus, Job, JobKind, Leg, TrackingEvent
from courier.dossiers.states import EVENTS, Event
from courier.handovers.models import Handover
from courier.settings import Settings

STATUS_LABELS: dict[DossierStatus, tuple[str, str]] = {
    DossierStatus.BOOKED: ("Đã đặt lịch thu gom", "Pickup booked"),
    DossierStatus.PICKUP_FAILED: (
        "Thu gom không thành công, sẽ thử lại",
        "Pickup failed, will retry",
    ),
    DossierStatus.PICKED_UP: ("Bưu tá đã nhận hồ sơ", "Collected by the courier"),
    DossierStatus.IN_TRANSIT: ("Đang chuyển đến trung tâm", "In transit to the center"),
    DossierStatus.RECEIVED_AT_CENTER: ("Trung tâm đã tiếp nhận", "Received at the center"),
    DossierStatus.PROCESSING: ("Đang giải quyết", "Being processed"),
    DossierStatus.RESULT_READY: ("Đã có kết quả", "Result ready"),
    DossierStatus.RESULT_PICKED_UP: ("Bưu tá đã nhận kết quả", "Result collected by the courier"),
    DossierStatus.OUT_FOR_DELIVERY: ("Đang phát kết quả", "Out for delivery"),
    DossierStatus.DELIVERY_FAILED: (
        "Phát không thành công, sẽ thử lại",
        "Delivery failed, will retry",
    ),
    DossierStatus.DELIVERED: ("Đã trả kết quả", "Result delivered"),
    DossierStatus.RETURNED_TO_CENTER: (
        "Kết quả chờ nhận tại trung tâm",
        "Result waiting at the center",
    ),
    DossierStatus.CANCELLED: ("Đã hủy", "Cancelled"),
}


def language(accept_language: str | None) -> str:
    """'en' when the client prefers English over Vietnamese, else 'vi' (the first language)."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("vi"):
            return "vi"
        if tag.startswith("en"):
            return "en"
    return "vi"


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


def site_out(site: Site) -> schemas.SiteOut:
    """A site for the catalogue."""
    return schemas.SiteOut(
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


def procedure_out(procedure: Procedure) -> schemas.ProcedureOut:
    """A procedure for the catalogue."""
    return schemas.ProcedureOut(
        code=procedure.code,
        field=procedure.field,
        name_vi=procedure.name_vi,
        name_en=procedure.name_en,
        receiving_kind=procedure.receiving_kind.value,
        fee_vnd=procedure.fee_vnd,
        processing_days=procedure.processing_days,
        documents=[
            schemas.DocumentOut(
                name_vi=d.name_vi,
                name_en=d.name_en,
                form="original" if d.original else "copy",
                copies=d.copies,
            )
            for d in procedure.documents
        ],
    )


def booking_out(dossier: Dossier, quote: Quote, settings: Settings) -> schemas.BookingOut:
    """The answer to a booking."""
    pickup = next(j for j in dossier.jobs if j.leg is Leg.INBOUND and j.kind is JobKind.PICKUP)
    return schemas.BookingOut(
        tracking_code=dossier.tracking_code,
        status=dossier.status.value,
        fee=schemas.FeeOut(
            procedure_fee_vnd=quote.procedure_fee_vnd,
            pickup_fee_vnd=quote.pickup_fee_vnd,
            return_fee_vnd=quote.return_fee_vnd,
            total_vnd=quote.total_vnd,
        ),
        receiving_site=site_out(dossier.receiving_site),
        pickup_window=window(pickup, settings.zone),
        tracking_url=f"{settings.public_base_url}/track/{dossier.tracking_code}",
    )


def window(job: Job, zone: ZoneInfo) -> schemas.WindowOut:
    """A job's window in local time."""
    return schemas.WindowOut(start=local(job.window_start, zone), end=local(job.window_end, zone))


def job_out(job: Job, zone: ZoneInfo) -> schemas.JobOut:
    """A job for a courier or a dispatcher."""
    return schemas.JobOut(
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


def dossier_out(dossier: Dossier, zone: ZoneInfo) -> schemas.DossierOut:
    """A dossier with its personal data."""
    return schemas.DossierOut(
        tracking_code=dossier.tracking_code,
        status=dossier.status.value,
        procedure_code=dossier.procedure.code,
        receiving_site_code=dossier.receiving_site.code,
        applicant_name=dossier.applicant_name,
        applicant_phone=dossier.applicant_phone,
        address_text=dossier.address_text,
        lat=dossier.lat,
        lon=dossier.lon,
        preferred_on=dossier.preferred_on,
        slot=dossier.slot,
        result_return=dossier.result_return,
        holder_kind=dossier.holder_kind.value,
        holder_id=dossier.holder_id,
        created_at=local(dossier.created_at, zone),
        jobs=[job_out(j, zone) for j in dossier.jobs],
    )


def track_out(
    dossier: Dossier, events: list[TrackingEvent], lang: str, zone: ZoneInfo
) -> schemas.TrackOut:
    """The public timeline in the client's language; nothing personal."""
    vi = lang == "vi"
    status_vi, status_en = STATUS_LABELS[dossier.status]
    return schemas.TrackOut(
        tracking_code=dossier.tracking_code,
        status=dossier.status.value,
        status_label=status_vi if vi else status_en,
        procedure=dossier.procedure.name_vi if vi else dossier.procedure.name_en,
        receiving_site=dossier.receiving_site.name_vi if vi else dossier.receiving_site.name_en,
        preferred_on=dossier.preferred_on,
        slot=dossier.slot,
        events=[
            schemas.EventOut(
                at=local(e.occurred_at, zone),
                code=e.code,
                event=e.event,
                label=EVENTS[Event(e.event)].label_vi if vi else EVENTS[Event(e.event)].label_en,
                site=(e.site.name_vi if vi else e.site.name_en) if e.site else None,
                reason=e.reason,
            )
            for e in events
        ],
    )


def handover_out(handover: Handover, codes: dict[int, str], zone: ZoneInfo) -> schemas.HandoverOut:
    """A recorded handover."""
    return schemas.HandoverOut(
        id=handover.id,
        recorded_at=local(handover.recorded_at, zone),
        device_at=local(handover.device_at, zone),
        giver=schemas.PartyIn(kind=handover.from_kind, id=handover.from_id),
        receiver=schemas.PartyIn(kind=handover.to_kind, id=handover.to_id),
        items=[
            schemas.HandoverItemOut(
                tracking_code=codes[i.dossier_id],
                event=i.event,
                from_status=i.from_status,
                to_status=i.to_status,
            )
            for i in handover.items
        ],
    )
