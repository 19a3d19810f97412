"""Tokens for accounts and phones."""

from pydantic import BaseModel, Field

from api.schemas import Strict


class TokenOut(BaseModel):
    """An OAuth2 bearer token."""

    access_token: str
    token_type: str = "bearer"
    expires_in: int


class DeviceTokenOut(TokenOut):
    """A phone's access token and the refresh token that renews it (rotated on each use)."""

    refresh_token: str
    refresh_expires_in: int = Field(description="seconds until the device session expires")
    device_id: int


class RefreshIn(Strict):
    """The phone's current refresh token."""

    refresh_token: str = Field(min_length=1, max_length=200)
