"""OAuth2 password flow issuing short-lived JWTs; phones get a device session that renews them."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordRequestForm

from api.deps import DbSession, SettingsDep
from api.errors import domain_response
from api.ratelimit import client_address
from api.schemas.auth import DeviceTokenOut, RefreshIn, TokenOut
from courier.accounts import devices
from courier.accounts import service as accounts
from courier.accounts.models import DeviceSession, User
from courier.db import utcnow
from courier.errors import NotAuthenticated
from courier.settings import Settings

router = APIRouter(prefix="/auth", tags=["auth"])
_LOCKED: dict[int | str, dict[str, Any]] = {
    429: {"description": "too many failed sign-ins for the username or from the client"}
}


def _signed_in(
    request: Request, session: DbSession, username: str, password: str
) -> User | JSONResponse:
    """The account, or the 401 answered rather than raised: the failure it counts is kept."""
    try:
        return accounts.sign_in(session, username, password, client=client_address(request))
    except NotAuthenticated as exc:
        return domain_response(request, exc)


@router.post("/token", response_model=TokenOut, responses=_LOCKED)
def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    session: DbSession,
    settings: SettingsDep,
) -> TokenOut | JSONResponse:
    """Exchange a username and password for a bearer token."""
    user = _signed_in(request, session, form.username, form.password)
    if isinstance(user, JSONResponse):
        return user
    return TokenOut(
        access_token=accounts.issue_token(user, settings),
        expires_in=settings.access_token_minutes * 60,
    )


@router.post("/device", response_model=DeviceTokenOut, responses=_LOCKED)
def device_login(
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    device_name: Annotated[str, Form(min_length=1, max_length=100)],
    request: Request,
    session: DbSession,
    settings: SettingsDep,
) -> DeviceTokenOut | JSONResponse:
    """Sign a phone in for days: an access token and a refresh token bound to this phone."""
    user = _signed_in(request, session, username, password)
    if isinstance(user, JSONResponse):
        return user
    device, refresh_token = devices.open_session(
        session, user, name=device_name.strip(), settings=settings
    )
    return _tokens(device, refresh_token, settings)


@router.post(
    "/refresh",
    response_model=DeviceTokenOut,
    responses={401: {"description": "code: device_revoked, device_expired or refresh_invalid"}},
)
def refresh(
    body: RefreshIn, request: Request, session: DbSession, settings: SettingsDep
) -> DeviceTokenOut | JSONResponse:
    """A fresh pair for the phone's refresh token; the token presented is used up (rotation)."""
    try:
        device, refresh_token = devices.refresh(session, body.refresh_token, settings)
    except devices.DeviceRevoked as exc:
        # answered, not raised: a revocation for a reused token must be committed
        return domain_response(request, exc)
    return _tokens(device, refresh_token, settings)


def _tokens(device: DeviceSession, refresh_token: str, settings: Settings) -> DeviceTokenOut:
    return DeviceTokenOut(
        access_token=accounts.issue_token(device.user, settings, device),
        expires_in=settings.access_token_minutes * 60,
        refresh_token=refresh_token,
        refresh_expires_in=int((device.expires_at - utcnow()).total_seconds()),
        device_id=device.id,
    )
