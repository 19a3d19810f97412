"""A citizen's own personal data (Law 91/2025): a copy as JSON or PDF, and erasure.

With the tracking code and the phone's last 4 digits (in the body, as `/track` takes them), or
signed in as the account that booked the dossier. Another citizen's dossier answers as an
unknown one (404).
"""

from datetime import date
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api import i18n
from api.deps import CurrentActor, DbSession, SettingsDep
from api.routers.track import proven
from api.schemas.tracking import PhoneProof
from courier import access
from courier.actors import Actor
from courier.db import utcnow
from courier.dossiers import service as dossiers
from courier.dossiers.models import Dossier
from courier.errors import DossierNotFound
from courier.outbox.service import enqueue
from courier.privacy import erasure, export
from courier.settings import Settings
from courier.text import mark

router = APIRouter(tags=["my data"])

ANSWERS = {
    "erased": mark("The personal data of dossier %(code)s was erased on %(day)s."),
    "scheduled": mark(
        "Your request is recorded. The administrative record must be kept %(days)s days after "
        "the dossier closed: its personal data will be erased on %(day)s."
    ),
    "open": mark(
        "Your request is recorded. The dossier is still in progress: its personal data will be "
        "erased %(days)s days after it is delivered or cancelled, not before %(day)s."
    ),
}
_PRIVATE = {"Cache-Control": "private, no-store"}


class ErasureOut(BaseModel):
    """The answer to an erasure request: `erased`, `scheduled` on a day, or `open`."""

    tracking_code: str
    state: str
    on: date | None
    retention_days: int
    message: str


def _copy(session: DbSession, dossier: Dossier, settings: Settings, lang: str) -> dict[str, Any]:
    return export.citizen_copy(session, dossier, settings, lang)


def _pdf(session: DbSession, dossier: Dossier, settings: Settings, lang: str) -> Response:
    pdf = export.render_pdf(_copy(session, dossier, settings, lang), lang, settings.zone)
    name = f"du-lieu-ca-nhan-{dossier.tracking_code}.pdf"
    headers = {**_PRIVATE, "Content-Disposition": f'attachment; filename="{name}"'}
    return Response(pdf, media_type="application/pdf", headers=headers)


def _erase(
    session: DbSession, dossier: Dossier, settings: Settings, lang: str, via: str
) -> ErasureOut:
    answer = erasure.request_erasure(session, dossier, via=via, now=utcnow(), settings=settings)
    if answer.state == "erased":  # its images and receipts follow in the purge's proof pass
        enqueue(session, "privacy.purge")
    words = {
        "code": dossier.tracking_code,
        "days": answer.retention_days,
        "day": answer.on.strftime("%d/%m/%Y") if answer.on else "",
    }
    return ErasureOut(
        tracking_code=dossier.tracking_code,
        state=answer.state,
        on=answer.on,
        retention_days=answer.retention_days,
        message=i18n.gettext(lang, ANSWERS[answer.state]) % words,
    )


@router.post("/track/{code}/data")
def track_data(
    code: str, body: PhoneProof, request: Request, session: DbSession, settings: SettingsDep
) -> Any:
    """Everything held about the citizen in this dossier, as JSON."""
    found = proven(request, session, code, body.phone)
    if isinstance(found, JSONResponse):
        return found
    return JSONResponse(
        _copy(session, found, settings, i18n.language_of(request)), headers=_PRIVATE
    )


@router.post("/track/{code}/data.pdf", response_class=Response)
def track_data_pdf(
    code: str, body: PhoneProof, request: Request, session: DbSession, settings: SettingsDep
) -> Response:
    """The same copy on A4 pages (PDF)."""
    found = proven(request, session, code, body.phone)
    if isinstance(found, JSONResponse):
        return found
    return _pdf(session, found, settings, i18n.language_of(request))


@router.post("/track/{code}/erasure", response_model=ErasureOut)
def track_erasure(
    code: str, body: PhoneProof, request: Request, session: DbSession, settings: SettingsDep
) -> ErasureOut | JSONResponse:
    """Ask for the personal data to be erased: erased now if retention allows, else recorded and
    answered with the day it will be."""
    found = proven(request, session, code, body.phone)
    if isinstance(found, JSONResponse):
        return found
    return _erase(session, found, settings, i18n.language_of(request), "track")


def owned(session: DbSession, code: str, actor: Actor) -> Dossier:
    """The dossier the account (or enterprise key) booked; anyone else's is unknown (404)."""
    found = dossiers.find_by_code(session, code)
    if found is None or not access.owns_dossier(actor, found):
        raise DossierNotFound(f"no dossier {code}")
    return found


@router.get("/me/dossiers/{code}/data")
def my_data(
    code: str, request: Request, session: DbSession, settings: SettingsDep, actor: CurrentActor
) -> JSONResponse:
    """The account's copy of its dossier's data, as JSON."""
    found = owned(session, code, actor)
    return JSONResponse(
        _copy(session, found, settings, i18n.language_of(request)), headers=_PRIVATE
    )


@router.get("/me/dossiers/{code}/data.pdf", response_class=Response)
def my_data_pdf(
    code: str, request: Request, session: DbSession, settings: SettingsDep, actor: CurrentActor
) -> Response:
    """The same copy on A4 pages (PDF)."""
    return _pdf(session, owned(session, code, actor), settings, i18n.language_of(request))


@router.post("/me/dossiers/{code}/erasure", response_model=ErasureOut)
def my_erasure(
    code: str, request: Request, session: DbSession, settings: SettingsDep, actor: CurrentActor
) -> ErasureOut:
    """The account asks for its dossier's personal data to be erased."""
    found = owned(session, code, actor)
    return _erase(session, found, settings, i18n.language_of(request), "account")
