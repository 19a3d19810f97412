"""An account's own dossiers ("Hồ sơ của tôi"): the ones it booked, newest first."""

from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from api import i18n, present
from api.deps import CurrentActor, DbSession, SettingsDep
from courier.dossiers import owned
from courier.dossiers.models import Dossier, ResultReturn, Slot
from courier.errors import PermissionDenied

router = APIRouter(prefix="/me", tags=["my dossiers"])


class MyDossierOut(BaseModel):
    """One of the account's dossiers, with its status in words."""

    tracking_code: str
    status: str
    status_label: str
    procedure_code: str
    procedure_name: str
    applicant_name: str
    preferred_on: date
    slot: Slot
    result_return: ResultReturn
    created_at: datetime


class MyDossiersOut(BaseModel):
    """A page of the account's dossiers, newest first."""

    dossiers: list[MyDossierOut]
    page: int
    per_page: int
    total: int
    pages: int


def my_dossier_out(dossier: Dossier, lang: str, zone: ZoneInfo) -> MyDossierOut:
    """A dossier of the list, in the caller's language."""
    procedure = dossier.procedure
    return MyDossierOut(
        tracking_code=dossier.tracking_code,
        status=dossier.status.value,
        status_label=present.status_label(dossier.status, lang),
        procedure_code=procedure.code,
        procedure_name=procedure.name_vi if lang == "vi" else procedure.name_en,
        applicant_name=dossier.applicant_name,
        preferred_on=dossier.preferred_on,
        slot=dossier.slot,
        result_return=dossier.result_return,
        created_at=present.local(dossier.created_at, zone),
    )


@router.get("/dossiers", response_model=MyDossiersOut)
def my_dossiers(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    actor: CurrentActor,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = owned.PAGE_SIZE,
) -> MyDossiersOut:
    """The dossiers the account (or the enterprise an API key acts for) booked, newest first."""
    if actor.owner_id is None:
        raise PermissionDenied("only an account, or an enterprise's API key, has its own dossiers")
    found = owned.page_of(session, actor.owner_id, number=page, size=per_page)
    lang = i18n.language_of(request)
    return MyDossiersOut(
        dossiers=[my_dossier_out(d, lang, settings.zone) for d in found.dossiers],
        page=found.number,
        per_page=found.size,
        total=found.total,
        pages=found.pages,
    )
