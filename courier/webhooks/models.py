"""Webhook subscriptions of centers and the deliveries of their dossiers' status changes."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from courier.db import Base, utcnow
from courier.enums import str_enum


class DeliveryStatus(StrEnum):
    """Where a delivery stands: waiting to be sent (or retried), received with a 2xx, given up."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class WebhookSubscription(Base):
    """A center's HTTPS endpoint that hears of every status change of the dossiers it receives.

    The secret is stored as given out: it is needed to sign each delivery (it is a key, not a
    password to check), and shown to the subscriber only once, at creation.
    """

    __tablename__ = "webhook_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_kind: Mapped[str] = mapped_column(String(16))
    created_by_id: Mapped[int | None]
    deactivated_at: Mapped[datetime | None]


class WebhookDelivery(Base):
    """One status change (tracking event) to post to one subscription, with its tries."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id"),
        Index("ix_webhook_delivery_queue", "subscription_id", "dossier_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("webhook_subscription.id"))
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"))
    event_id: Mapped[int] = mapped_column(ForeignKey("tracking_event.id"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_status_code: Mapped[int | None]
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
