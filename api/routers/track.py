"""Public tracking with the code and the phone's last digits; cancel or reschedule before pickup."""

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query

from api import present
from api.deps import DbSession, SettingsDep
from api.present.tracking import track_out
from api.ratelimit import public_limit
from api.schemas.tracking import PhoneProof, RescheduleIn, TrackOut
from courier.dossiers import actions
from courier.dossiers import service as dossiers

router = APIRouter(prefix="/track", tags=["tracking"], dependencies=[Depends(public_limit)])
AcceptLanguage = Annotated[str | None, Header()]


def _timeline(
    session: DbSession, code: str, phone: str, settings: SettingsDep, lang: str | None
) -> TrackOut:
    dossier = actions.find_public(session, code, phone)
    events = dossiers.timeline(session, dossier)
    return track_out(dossier, events, present.language(lang), settings.zone)


@router.post("/{code}", response_model=TrackOut)
def track_with_proof(
    code: str,
    body: PhoneProof,
    session: DbSession,
    settings: SettingsDep,
    accept_language: AcceptLanguage = None,
) -> TrackOut:
    """The public timeline; the phone's last digits travel in the body, so no log holds them.

    A wrong phone suffix answers exactly like an unknown code (404).
    """
    return _timeline(session, code, body.phone, settings, accept_language)


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
    session: DbSession,
    settings: SettingsDep,
    phone: str = Query(pattern=r"^\d{4}$", description="last 4 digits of the applicant's phone"),
    accept_language: AcceptLanguage = None,
) -> TrackOut:
    """The public timeline (deprecated: use POST, which keeps the digits out of the URL)."""
    return _timeline(session, code, phone, settings, accept_language)


@router.post("/{code}/cancel", response_model=TrackOut)
def cancel(
    code: str,
    body: PhoneProof,
    session: DbSession,
    settings: SettingsDep,
    accept_language: AcceptLanguage = None,
) -> TrackOut:
    """Cancel the booking before the courier has picked the dossier up."""
    actions.cancel_public(session, code, body.phone)
    return _timeline(session, code, body.phone, settings, accept_language)


@router.post("/{code}/reschedule", response_model=TrackOut)
def reschedule(
    code: str,
    body: RescheduleIn,
    session: DbSession,
    settings: SettingsDep,
    accept_language: AcceptLanguage = None,
) -> TrackOut:
    """Move the pickup to another working day or slot, before pickup."""
    actions.reschedule_public(
        session, code, body.phone, settings, on=body.preferred_on, slot=body.slot
    )
    return _timeline(session, code, body.phone, settings, accept_language)
