"""Every mapped class, imported once so metadata and Alembic see the whole schema."""

from courier.accounts.models import ApiKey, DeviceSession, User
from courier.catalogue.models import Procedure, RequiredDocument, Site, Ward
from courier.dossiers.models import Dossier, Job, JobAttempt, TrackingEvent
from courier.fleet.models import Courier
from courier.handovers.models import Handover, HandoverItem
from courier.lockout.models import Lockout
from courier.notifications.models import Notification
from courier.outbox.models import OutboxMessage
from courier.planning.models import Plan, PlanLock, PlanPart, RouteStop
from courier.privacy.models import AccessLogEntry, ErasureRequest
from courier.proofs.models import (
    CustodyAnchor,
    CustodyAnchorHead,
    HandoverProof,
    Postponement,
    Receipt,
)
from courier.stats.models import SiteDayFailures, SiteDayStats
from courier.webhooks.models import WebhookDelivery, WebhookSubscription

__all__ = [
    "AccessLogEntry",
    "ApiKey",
    "Courier",
    "CustodyAnchor",
    "CustodyAnchorHead",
    "DeviceSession",
    "Dossier",
    "ErasureRequest",
    "Handover",
    "HandoverItem",
    "HandoverProof",
    "Job",
    "JobAttempt",
    "Lockout",
    "Notification",
    "OutboxMessage",
    "Plan",
    "PlanLock",
    "PlanPart",
    "Postponement",
    "Procedure",
    "Receipt",
    "RequiredDocument",
    "RouteStop",
    "Site",
    "SiteDayFailures",
    "SiteDayStats",
    "TrackingEvent",
    "User",
    "Ward",
    "WebhookDelivery",
    "WebhookSubscription",
]
