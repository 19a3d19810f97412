"""Sites and procedures as the catalogue shows them."""

from api.schemas.catalogue import DocumentOut, ProcedureOut, SiteOut
from courier.catalogue.models import Procedure, Site


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
