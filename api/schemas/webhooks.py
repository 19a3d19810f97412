"""Requests and answers of the webhook endpoints."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from courier.webhooks.models import DeliveryStatus


class WebhookIn(BaseModel):
    """A center's endpoint to register (admins name the center; others get their own)."""

    url: str = Field(min_length=8, max_length=500, examples=["https://hcc.example.vn/courier"])
    site_code: str | None = Field(default=None, max_length=32)


def _local(value: datetime | None, info: ValidationInfo) -> datetime | None:
    """The moment in the zone given as the `zone` context (the service's, as /dossiers answer)."""
    zone = (info.context or {}).get("zone")
    return value.astimezone(zone) if value is not None and isinstance(zone, ZoneInfo) else value


class WebhookOut(BaseModel):
    """A subscription, without its secret; its time in the zone given as the `zone` context."""

    id: int
    site_code: str
    url: str
    active: bool
    created_at: datetime

    _created_at = field_validator("created_at")(_local)


class WebhookCreatedOut(WebhookOut):
    """A new subscription with its signing secret: shown this once, keep it safe."""

    secret: str


class DeliveryOut(BaseModel):
    """One status change sent (or to send) to a subscription, with its tries; its times in the
    zone given as the `zone` context (the payload's `at` stays UTC, as the README says)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    subscription_id: int
    event_id: int
    payload: dict[str, Any]
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    last_status_code: int | None
    delivered_at: datetime | None
    created_at: datetime

    _times = field_validator("next_attempt_at", "delivered_at", "created_at")(_local)


class ReplayedOut(BaseModel):
    """How many failed deliveries were sent again."""

    replayed: int
