"""Centers' webhook subscriptions: registered, listed, removed; their deliveries listed, replayed.

A status change of a dossier writes one delivery per active subscription of its receiving
center, and enqueues its sending, in the transaction of the change: none is lost.
"""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from courier import i18n
from courier.actors import Actor
from courier.catalogue.models import Site
from courier.db import utcnow
from courier.dossiers.models import Dossier, TrackingEvent
from courier.dossiers.states import EVENTS, Event
from courier.enums import Role
from courier.errors import Conflict, FieldProblem, InvalidInput, NotFound, PermissionDenied
from courier.outbox.service import enqueue
from courier.settings import Settings
from courier.stats.service import CENTER_KINDS, NO_CENTER
from courier.text import mark
from courier.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from courier.webhooks.urls import check_url

DELIVER = "webhooks.deliver"
_SITE_NEEDED = mark("An administrator names the center (site_code)")
_MANAGERS = mark("Only a center's staff, its system and admins manage its webhooks.")
_OWN_CENTER = mark("A center's staff and system manage their own center's webhooks.")
_NO_WEBHOOK = mark("No webhook %(id)s.")
_NO_DELIVERY = mark("No delivery %(id)s.")
_DELIVERED = mark("This delivery was received already.")


@dataclass(frozen=True, slots=True)
class Registered:
    """A new subscription and its signing secret, shown this once."""

    subscription: WebhookSubscription
    site_code: str
    secret: str


def _managed_site(actor: Actor) -> int | None:
    """The center whose subscriptions the actor manages (None: an admin, every center)."""
    if actor.is_admin:
        return None
    if (actor.has_role(Role.CENTER_STAFF) or actor.kind == "api_key") and actor.site_id:
        return actor.site_id
    raise PermissionDenied(_MANAGERS)


def register(
    session: Session, actor: Actor, *, url: str, site_code: str | None, settings: Settings
) -> Registered:
    """Subscribe a center (the caller's, or the one an admin names) to its dossiers' changes."""
    own = _managed_site(actor)
    site = _center(session, site_code) if site_code else None
    if site is None and own is None:
        raise InvalidInput(problems=[FieldProblem(loc=("site_code",), msg=_SITE_NEEDED)])
    if site is None:
        site = session.get_one(Site, own)
    if own is not None and site.id != own:
        raise PermissionDenied(_OWN_CENTER)
    check_url(url, environment=settings.environment)
    secret = f"whsec_{secrets.token_urlsafe(32)}"
    subscription = WebhookSubscription(
        site_id=site.id, url=url, secret=secret, created_by_kind=actor.kind, created_by_id=actor.id
    )
    session.add(subscription)
    session.flush()
    return Registered(subscription, site.code, secret)


def _center(session: Session, code: str) -> Site:
    site = session.scalar(select(Site).where(Site.code == code, Site.kind.in_(CENTER_KINDS)))
    if site is None:
        raise NotFound(NO_CENTER, params={"code": code})
    return site


def subscriptions(session: Session, actor: Actor) -> list[tuple[WebhookSubscription, str]]:
    """The active subscriptions the actor manages, with their center's code, oldest first."""
    own = _managed_site(actor)
    query = (
        select(WebhookSubscription, Site.code)
        .join(Site, Site.id == WebhookSubscription.site_id)
        .where(WebhookSubscription.active.is_(True))
        .order_by(WebhookSubscription.id)
    )
    if own is not None:
        query = query.where(WebhookSubscription.site_id == own)
    return [(row[0], row[1]) for row in session.execute(query)]


def subscription(session: Session, actor: Actor, subscription_id: int) -> WebhookSubscription:
    """An active subscription the actor manages; `NotFound` for others' as for none."""
    own = _managed_site(actor)
    found = session.get(WebhookSubscription, subscription_id)
    if found is None or not found.active or (own is not None and found.site_id != own):
        raise NotFound(_NO_WEBHOOK, params={"id": subscription_id})
    return found


def remove(session: Session, actor: Actor, subscription_id: int) -> None:
    """Stop a subscription: nothing more is sent to it, its deliveries stay on record."""
    found = subscription(session, actor, subscription_id)
    found.active = False
    found.deactivated_at = utcnow()
    session.flush()


def deliveries(
    session: Session,
    actor: Actor,
    subscription_id: int,
    *,
    status: DeliveryStatus | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> Sequence[WebhookDelivery]:
    """A subscription's deliveries, newest first (`before_id` pages on)."""
    subscription(session, actor, subscription_id)
    query = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    if before_id is not None:
        query = query.where(WebhookDelivery.id < before_id)
    return session.scalars(query.order_by(WebhookDelivery.id.desc()).limit(limit)).all()


def replay(
    session: Session, actor: Actor, subscription_id: int, delivery_id: int
) -> WebhookDelivery:
    """Send a failed (or still pending) delivery again now, its tries counted afresh."""
    subscription(session, actor, subscription_id)
    found = session.get(WebhookDelivery, delivery_id)
    if found is None or found.subscription_id != subscription_id:
        raise NotFound(_NO_DELIVERY, params={"id": delivery_id})
    if found.status is DeliveryStatus.DELIVERED:
        raise Conflict(_DELIVERED)
    _due_again(session, found)
    return found


def replay_failed(session: Session, actor: Actor, subscription_id: int) -> int:
    """Send every failed delivery of a subscription again, oldest first; how many."""
    subscription(session, actor, subscription_id)
    failed = session.scalars(
        select(WebhookDelivery)
        .where(
            WebhookDelivery.subscription_id == subscription_id,
            WebhookDelivery.status == DeliveryStatus.FAILED,
        )
        .order_by(WebhookDelivery.id)
    ).all()
    for delivery in failed:
        _due_again(session, delivery)
    return len(failed)


def _due_again(session: Session, delivery: WebhookDelivery) -> None:
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = utcnow()
    session.flush()
    enqueue(session, DELIVER, delivery_id=delivery.id)


def on_event(session: Session, dossier: Dossier, event: TrackingEvent) -> None:
    """Write and enqueue a delivery of the event to each active subscription of the center."""
    active = session.scalars(
        select(WebhookSubscription)
        .where(
            WebhookSubscription.site_id == dossier.receiving_site_id,
            WebhookSubscription.active.is_(True),
        )
        .order_by(WebhookSubscription.id)
    ).all()
    if not active:
        return
    body = payload(dossier, event)
    for sub in active:
        delivery = WebhookDelivery(
            subscription_id=sub.id, dossier_id=dossier.id, event_id=event.id, payload=body
        )
        session.add(delivery)
        session.flush()
        enqueue(session, DELIVER, delivery_id=delivery.id)


def payload(dossier: Dossier, event: TrackingEvent) -> dict[str, object]:
    """The JSON a receiver gets for one tracking event (README "Webhooks")."""
    label = EVENTS[Event(event.event)].label
    return {
        "event_id": event.id,
        "tracking_code": dossier.tracking_code,
        "status": event.to_status.value,
        "previous_status": event.from_status.value if event.from_status else None,
        "event": event.event,
        "event_code": event.code,
        "event_label": label,
        "event_label_vi": i18n.gettext(i18n.DEFAULT, label),
        "reason": event.reason,
        "at": event.occurred_at.isoformat(),
        "site_code": dossier.receiving_site.code,
    }
