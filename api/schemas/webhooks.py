"""Requests and answers of the webhook endpoints."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from courier.webhooks.models import DeliveryStatus


class WebhookIn(BaseModel):
    """A center's endpoint to register (admins name the center; others get their own)."""

    url: str = Field(min_length=8, max_length=500, examples=["https://hcc.example.vn/courier"])
    site_code: str | None = Field(default=None, max_length=32)


class WebhookOut(BaseModel):
    """A subscription, without its secret."""

    id: int
    site_code: str
    url: str
    active: bool
    created_at: datetime


class WebhookCreatedOut(WebhookOut):
    """A new subscription with its signing secret: shown this once, keep it safe."""

    secret: str


class DeliveryOut(BaseModel):
    """One status change sent (or to send) to a subscription, with its tries."""

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


class ReplayedOut(BaseModel):
    """How many failed deliveries were sent again."""

    replayed: int
