"""OAuth2 password flow issuing short-lived JWTs."""

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm

from api import schemas
from api.deps import DbSession, SettingsDep
from courier.accounts import service as accounts

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/token", response_model=schemas.TokenOut)
def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: DbSession,
    settings: SettingsDep,
) -> schemas.TokenOut:
    """Exchange a username and password for a bearer token."""
    user = accounts.authenticate(session, form.username, form.password)
    return schemas.TokenOut(
        access_token=accounts.issue_token(user, settings),
        expires_in=settings.access_token_minutes * 60,
    )
