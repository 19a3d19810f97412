"""Posting a delivery to its subscriber: signed, in the dossier's order, retried, then given up.

Exactly once in effect: a delivery is claimed before each try (a compare-and-set on its
`next_attempt_at`, so two runs never send it at once), marked delivered only after a 2xx, and
carries its id in `X-Courier-Delivery` for the receiver to drop a repeat (a worker that died
after the receiver answered sends it again).
"""

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from courier import runtime
from courier.db import utcnow
from courier.errors import InvalidInput
from courier.outbox.service import enqueue
from courier.settings import Settings
from courier.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from courier.webhooks.service import DELIVER
from courier.webhooks.urls import check_url

# a claimed try may take this long beyond the timeout before another run may try again
CLAIM_MARGIN_S = 60


@dataclass(frozen=True, slots=True)
class Claimed:
    """A delivery taken for one try: where it goes, what it says, and how to sign it."""

    id: int
    url: str
    secret: str
    body: bytes


@dataclass(frozen=True, slots=True)
class Answer:
    """What one try got: the HTTP status (None when no answer came) and why it failed."""

    status_code: int | None
    error: str | None

    @property
    def delivered(self) -> bool:
        """True for a 2xx answer, the only proof of receipt."""
        return self.status_code is not None and 200 <= self.status_code < 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The `X-Courier-Signature` value: HMAC-SHA256 of "<timestamp>.<body>" with the secret."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def deliver(factory: sessionmaker[Session], delivery_id: int, *, settings: Settings) -> bool:
    """Try one delivery if it is due and first in line; True when the receiver took it."""
    claimed = claim(factory, delivery_id, settings=settings, now=utcnow())
    if claimed is None:
        return False
    answer = post(claimed, settings=settings, now=utcnow())
    record(factory, delivery_id, answer, settings=settings, now=utcnow())
    return answer.delivered


def claim(
    factory: sessionmaker[Session], delivery_id: int, *, settings: Settings, now: datetime
) -> Claimed | None:
    """Take a due pending delivery for one try, unless an earlier one of its dossier waits."""
    with runtime.unit_of_work(factory) as session:
        delivery = session.scalar(
            select(WebhookDelivery).where(WebhookDelivery.id == delivery_id).with_for_update()
        )
        if delivery is None or delivery.status is not DeliveryStatus.PENDING:
            return None
        if delivery.next_attempt_at > now or _earlier_pending(session, delivery):
            return None  # not yet, or the earlier one's end sends this one on
        subscription = session.get_one(WebhookSubscription, delivery.subscription_id)
        if not subscription.active:
            _settle(session, delivery, DeliveryStatus.FAILED, now)
            delivery.last_error = "the subscription was removed"
            return None
        delivery.attempts += 1
        lease = settings.webhook_timeout_s + CLAIM_MARGIN_S
        delivery.next_attempt_at = now + timedelta(seconds=lease)
        body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":"))
        return Claimed(delivery.id, subscription.url, subscription.secret, body.encode())


def _earlier_pending(session: Session, delivery: WebhookDelivery) -> bool:
    earlier = select(WebhookDelivery.id).where(
        WebhookDelivery.subscription_id == delivery.subscription_id,
        WebhookDelivery.dossier_id == delivery.dossier_id,
        WebhookDelivery.status == DeliveryStatus.PENDING,
        WebhookDelivery.id < delivery.id,
    )
    return session.scalar(earlier.limit(1)) is not None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer like any other non-2xx: never followed (it could lead inside)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def post(claimed: Claimed, *, settings: Settings, now: datetime) -> Answer:
    """POST the signed body once; the answer's status, or the reason none came."""
    try:
        check_url(claimed.url, environment=settings.environment)  # its DNS may have changed
    except InvalidInput as exc:
        return Answer(None, f"refused: {exc}")
    timestamp = int(now.timestamp())
    request = urllib.request.Request(claimed.url, data=claimed.body, method="POST")
    for name, value in {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "courier-webhooks/1",
        "X-Courier-Delivery": str(claimed.id),
        "X-Courier-Timestamp": str(timestamp),
        "X-Courier-Signature": signature(claimed.secret, timestamp, claimed.body),
    }.items():
        request.add_header(name, value)
    try:
        with _OPENER.open(request, timeout=settings.webhook_timeout_s) as response:
            return Answer(response.status, None)
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, f"HTTP {exc.code}")
    except (OSError, ValueError) as exc:  # refused, timed out, TLS, unreachable
        return Answer(None, f"{type(exc).__name__}: {exc}"[:500])


def record(
    factory: sessionmaker[Session],
    delivery_id: int,
    answer: Answer,
    *,
    settings: Settings,
    now: datetime,
) -> None:
    """Note the try: delivered, due again after the next wait, or failed after the last."""
    with runtime.unit_of_work(factory) as session:
        delivery = session.scalar(
            select(WebhookDelivery).where(WebhookDelivery.id == delivery_id).with_for_update()
        )
        if delivery is None or delivery.status is not DeliveryStatus.PENDING:
            return
        delivery.last_status_code = answer.status_code
        delivery.last_error = answer.error
        if answer.delivered:
            _settle(session, delivery, DeliveryStatus.DELIVERED, now)
        elif delivery.attempts > len(settings.webhook_retry_s):
            _settle(session, delivery, DeliveryStatus.FAILED, now)
        else:
            wait = settings.webhook_retry_s[delivery.attempts - 1]
            delivery.next_attempt_at = now + timedelta(seconds=wait)
            message = enqueue(session, DELIVER, delivery_id=delivery.id)
            message.available_at = delivery.next_attempt_at


def _settle(
    session: Session, delivery: WebhookDelivery, status: DeliveryStatus, now: datetime
) -> None:
    """End a delivery's tries and send on the next one of its dossier waiting behind it."""
    delivery.status = status
    if status is DeliveryStatus.DELIVERED:
        delivery.delivered_at = now
    session.flush()
    following = session.scalar(
        select(WebhookDelivery.id)
        .where(
            WebhookDelivery.subscription_id == delivery.subscription_id,
            WebhookDelivery.dossier_id == delivery.dossier_id,
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.id > delivery.id,
        )
        .order_by(WebhookDelivery.id)
        .limit(1)
    )
    if following is not None:
        enqueue(session, DELIVER, delivery_id=following)
