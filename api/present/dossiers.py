"""A dossier with its personal data and its jobs, times in the service's zone."""

from zoneinfo import ZoneInfo

from api.present import local
from api.schemas.bookings import WindowOut
from api.schemas.dossiers import DossierOut
from api.schemas.jobs import JobOut
from courier.dossiers.models import Dossier, Job


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
