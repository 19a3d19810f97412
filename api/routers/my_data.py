"""A citizen's own personal data (Law 91/2025): a copy as JSON or PDF, and erasure.

Signed in as the account that booked the dossier, the copy comes at once. With the tracking
code and the phone's last 4 digits (in the body, as `/track` takes them) it does not: anyone who
saw the code (an SMS, a receipt's QR code) may know those digits, and the copy holds the full
name, phone, address and pickup points. So the digits only send a link by SMS to the dossier's
own phone, valid half an hour (`api.grants.copy_token`); the link serves the copy. Another
citizen's dossier, a wrong digit or a void link answers as an unknown dossier (404).
"""

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from api import grants, i18n
from api.deps import CurrentActor, DbSession, SettingsDep
from api.present.my_data import PRIVATE, ask_erasure, copy_of, pdf_response, send_copy_link
from api.ratelimit import public_limit
from api.routers.track import proven
from api.schemas.my_data import CopySentOut, ErasureOut
from api.schemas.tracking import PhoneProof
from courier import access
from courier.actors import Actor
from courier.dossiers import service as dossiers
from courier.dossiers.models import Dossier
from courier.errors import DossierNotFound

router = APIRouter(tags=["my data"])
# the public asks (code and digits) share the tracking endpoints' per-client limit (429)
PUBLIC = [Depends(public_limit)]


@router.post("/track/{code}/data", status_code=202, response_model=CopySentOut, dependencies=PUBLIC)
def track_data(
    code: str, body: PhoneProof, request: Request, session: DbSession, settings: SettingsDep
) -> CopySentOut | JSONResponse:
    """Send the dossier's phone an SMS with a link to the copy of its data, valid 30 minutes;
    at most 3 a day per dossier (429)."""
    found = proven(request, session, code, body.phone)
    if isinstance(found, JSONResponse):
        return found
    return send_copy_link(session, found, settings)


@router.get("/track/{code}/copy/{token}.pdf", response_class=Response, dependencies=PUBLIC)
def track_copy_pdf(
    code: str, token: str, request: Request, session: DbSession, settings: SettingsDep
) -> Response:
    """The copy on A4 pages (PDF), through the link sent by SMS."""
    found = grants.copy_dossier(session, settings, code, token)
    return pdf_response(session, found, settings, i18n.language_of(request))


@router.get("/track/{code}/copy/{token}", dependencies=PUBLIC)
def track_copy(
    code: str, token: str, request: Request, session: DbSession, settings: SettingsDep
) -> JSONResponse:
    """Everything held about the citizen in this dossier, as JSON, through the link sent by SMS."""
    found = grants.copy_dossier(session, settings, code, token)
    return JSONResponse(
        copy_of(session, found, settings, i18n.language_of(request)), headers=PRIVATE
    )


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
