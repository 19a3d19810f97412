"""A citizen's own personal data (Law 91/2025): a copy as JSON or PDF, and erasure.

With the tracking code and the phone's last 4 digits (in the body, as `/track` takes them), or
signed in as the account that booked the dossier. Another citizen's dossier answers as an
unknown one (404).
"""

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from api import i18n
from api.deps import CurrentActor, DbSession, SettingsDep
from api.present.my_data import PRIVATE, ask_erasure, copy_of, pdf_response
from api.ratelimit import public_limit
from api.routers.track import proven
from api.schemas.my_data import ErasureOut
from api.schemas.tracking import PhoneProof
from courier import access
from courier.actors import Actor
from courier.dossiers import service as dossiers
from courier.dossiers.models import Dossier
from courier.errors import DossierNotFound

router = APIRouter(tags=["my data"])
# the public asks (code and digits) share the tracking endpoints' per-client limit (429)
PUBLIC = [Depends(public_limit)]


@router.post("/track/{code}/data", dependencies=PUBLIC)
def track_data(
    code: str, body: PhoneProof, request: Request, session: DbSession, settings: SettingsDep
) -> Any:
    """Everything held about the citizen in this dossier, as JSON."""
    found = proven(request, session, code, body.phone)
    if isinstance(found, JSONResponse):
        return found
    return JSONResponse(
        copy_of(session, found, settings, i18n.language_of(request)), headers=PRIVATE
    )


@router.post("/track/{code}/data.pdf", response_class=Response, dependencies=PUBLIC)
def track_data_pdf(
    code: str, body: PhoneProof, request: Request, session: DbSession, settings: SettingsDep
) -> Response:
    """The same copy on A4 pages (PDF)."""
    found = proven(request, session, code, body.phone)
    if isinstance(found, JSONResponse):
        return found
    return pdf_response(session, found, settings, i18n.language_of(request))


@router.post("/track/{code}/erasure", response_model=ErasureOut, dependencies=PUBLIC)
def track_erasure(
    code: str, body: PhoneProof, request: Request, session: DbSession, settings: SettingsDep
) -> ErasureOut | JSONResponse:
    """Ask for the personal data to be erased: erased now if retention allows, else recorded and
    answered with the day it will be."""
    found = proven(request, session, code, body.phone)
    if isinstance(found, JSONResponse):
        return found
    return ask_erasure(session, found, settings, i18n.language_of(request), "track")


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
        copy_of(session, found, settings, i18n.language_of(request)), headers=PRIVATE
    )


@router.get("/me/dossiers/{code}/data.pdf", response_class=Response)
def my_data_pdf(
    code: str, request: Request, session: DbSession, settings: SettingsDep, actor: CurrentActor
) -> Response:
    """The same copy on A4 pages (PDF)."""
    return pdf_response(session, owned(session, code, actor), settings, i18n.language_of(request))


@router.post("/me/dossiers/{code}/erasure", response_model=ErasureOut)
def my_erasure(
    code: str, request: Request, session: DbSession, settings: SettingsDep, actor: CurrentActor
) -> ErasureOut:
    """The account asks for its dossier's personal data to be erased."""
    found = owned(session, code, actor)
    return ask_erasure(session, found, settings, i18n.language_of(request), "account")
