"""Public tracking with the code and the phone's last digits; cancel or reschedule before pickup."""

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse

from api import present
from api.deps import DbSession, SettingsDep
from api.errors import domain_response
from api.present.tracking import track_out
from api.ratelimit import client_address, public_limit
from api.schemas.tracking import PhoneProof, RescheduleIn, TrackOut
from courier.dossiers import actions
from courier.dossiers import service as dossiers
from courier.dossiers.models import Dossier
from courier.errors import DossierNotFound

router = APIRouter(
    prefix="/track",
    tags=["tracking"],
    dependencies=[Depends(public_limit)],
    responses={429: {"description": "too many requests, or wrong digits for the code or client"}},
)
AcceptLanguage = Annotated[str | None, Header()]


def proven(request: Request, session: DbSession, code: str, phone: str) -> Dossier | JSONResponse:
    """The dossier, or its 404 answered rather than raised: the wrong try it counts is kept."""
    try:
        return actions.prove_public(session, code, phone, client=client_address(request))
    except DossierNotFound as exc:
        return domain_response(request, exc)


def _timeline(
    session: DbSession, dossier: Dossier, settings: SettingsDep, lang: str | None
) -> TrackOut:
    events = dossiers.timeline(session, dossier)
    return track_out(dossier, events, present.language(lang), settings.zone)


@router.post("/{code}", response_model=TrackOut)
def track_with_proof(
    code: str,
    body: PhoneProof,
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    accept_language: AcceptLanguage = None,
) -> TrackOut | JSONResponse:
    """The public timeline; the phone's last digits travel in the body, so no log holds them.

    A wrong phone suffix answers exactly like an unknown code (404). A few wrong ones lock the
    code for a while, whoever asks, and the client too (429).
    """
    dossier = proven(request, session, code, body.phone)
    if isinstance(dossier, JSONResponse):
        return dossier
    return _timeline(session, dossier, settings, accept_language)


@router.get(
    "/{code}",
    response_model=TrackOut,
    deprecated=True,
    description=(
        "Deprecated: the phone's last digits sit in the URL here, and URLs are written to "
        "access logs, proxies and browser histories. Use `POST /api/v1/track/{code}` with "
        '`{"phone": "1234"}` instead; this form stays for existing clients.'
    ),
)
def track(
    code: str,
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    phone: str = Query(pattern=r"^\d{4}$", description="last 4 digits of the applicant's phone"),
    accept_language: AcceptLanguage = None,
) -> TrackOut | JSONResponse:
    """The public timeline (deprecated: use POST, which keeps the digits out of the URL)."""
    dossier = proven(request, session, code, phone)
    if isinstance(dossier, JSONResponse):
        return dossier
    return _timeline(session, dossier, settings, accept_language)


@router.post("/{code}/cancel", response_model=TrackOut)
def cancel(
    code: str,
    body: PhoneProof,
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    accept_language: AcceptLanguage = None,
) -> TrackOut | JSONResponse:
    """Cancel the booking before the courier has picked the dossier up."""
    proof = proven(request, session, code, body.phone)
    if isinstance(proof, JSONResponse):
        return proof
    dossier = actions.cancel_public(session, code, body.phone)
    return _timeline(session, dossier, settings, accept_language)


@router.post("/{code}/reschedule", response_model=TrackOut)
def reschedule(
    code: str,
    body: RescheduleIn,
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    accept_language: AcceptLanguage = None,
) -> TrackOut | JSONResponse:
    """Move the pickup to another working day or slot, before pickup."""
    proof = proven(request, session, code, body.phone)
    if isinstance(proof, JSONResponse):
        return proof
    dossier = actions.reschedule_public(
        session, code, body.phone, settings, on=body.preferred_on, slot=body.slot
    )
    return _timeline(session, dossier, settings, accept_language)
