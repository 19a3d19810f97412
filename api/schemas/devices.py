"""Phones signed in to accounts, and their revocation."""

from datetime import datetime

from pydantic import BaseModel, Field

from api.schemas import Strict


class DeviceOut(BaseModel):
    """A phone signed in to an account."""

    id: int
    user_id: int
    username: str
    full_name: str
    courier_code: str | None
    name: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    revoke_reason: str | None
    active: bool


class RevokeIn(Strict):
    """Why the phone is signed out (e.g. a lost phone)."""

    reason: str = Field(min_length=1, max_length=200)
