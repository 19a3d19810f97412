"""The public catalogue: procedures, sites, wards and the pickup slots still open."""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from api import i18n, offers
from api.deps import DbSession, SettingsDep
from api.present.catalogue import procedure_out, site_out
from api.schemas.catalogue import ProcedureOut, SiteOut, SlotsOut, WardOut
from courier.catalogue import service as catalogue
from courier.db import utcnow
from courier.dossiers import slots
from courier.enums import SiteKind

router = APIRouter(tags=["catalogue"])


@router.get("/procedures", response_model=list[ProcedureOut])
def list_procedures(
    session: DbSession, q: str | None = Query(default=None, max_length=100)
) -> list[ProcedureOut]:
    """Procedures a citizen can hand in, searchable by code or name (Vietnamese or English)."""
    return [procedure_out(p) for p in catalogue.list_procedures(session, query=q)]


@router.get("/sites", response_model=list[SiteOut])
def list_sites(session: DbSession, kind: SiteKind | None = None) -> list[SiteOut]:
    """Centers, branches, reception points and post offices with their opening hours."""
    return [site_out(s) for s in catalogue.list_sites(session, kind=kind)]


@router.get("/slots", response_model=SlotsOut)
def list_slots(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    procedure_code: Annotated[str | None, Query(max_length=32)] = None,
    lat: Annotated[float | None, Query(ge=-90, le=90, allow_inf_nan=False)] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180, allow_inf_nan=False)] = None,
) -> SlotsOut:
    """Pickup slots of the next two weeks not yet begun, labelled in the caller's language.

    Working days' mornings and afternoons; with the procedure and the pickup point, also the
    Saturday mornings of the site that would receive the dossier, which the answer names.
    """
    site = slots.site_for(session, procedure_code, lat, lon)
    lang = i18n.language_of(request)
    return SlotsOut(
        receiving_site=site_out(site) if site else None,
        slots=[
            offers.slot_out(offer, settings.zone, lang)
            for offer in slots.available(site, settings, utcnow())
        ],
    )


@router.get("/wards", response_model=list[WardOut])
def list_wards(
    session: DbSession,
    district: Annotated[str | None, Query(max_length=100)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> list[WardOut]:
    """The province's wards, communes and townships by district, with approximate centres.

    Choosing one places a pickup point when there is neither GPS nor a map; `district` and `q`
    filter by district and by name, ignoring case and diacritics.
    """
    wards = catalogue.list_wards(session, district=district, query=q)
    return [WardOut.model_validate(w) for w in wards]
