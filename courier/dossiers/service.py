"""Loading dossiers and changing their status through the state machine."""

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from courier import access
from courier.actors import Actor
from courier.db import utcnow
from courier.dossiers import codes, states
from courier.dossiers.models import Dossier, DossierStatus, TrackingEvent
from courier.dossiers.states import Event
from courier.enums import PartyKind
from courier.errors import DossierNotFound
from courier.notifications.service import NOTIFIED
from courier.outbox.service import enqueue
from courier.stats import rollup
from courier.text import mark
from courier.webhooks import service as webhooks

# a catalogue id: the API answers it in the caller's language
NO_DOSSIER = mark("No dossier %(code)s.")


def find_by_code(session: Session, code: str, *, lock: bool = False) -> Dossier | None:
    """The dossier with this tracking code, or None."""
    query = select(Dossier).where(Dossier.tracking_code == codes.normalise(code))
    if lock:
        query = query.with_for_update(of=Dossier)
    return session.scalars(query).unique().one_or_none()


def get_visible(session: Session, code: str, actor: Actor, *, lock: bool = False) -> Dossier:
    """The dossier if the actor may see it; otherwise `DossierNotFound`, as if it did not exist."""
    dossier = find_by_code(session, code, lock=lock)
    if dossier is None or not access.can_view_dossier(session, actor, dossier):
        raise DossierNotFound(NO_DOSSIER, params={"code": codes.normalise(code)})
    return dossier


def apply_event(
    session: Session,
    dossier: Dossier,
    event: Event,
    actor: Actor,
    *,
    site_id: int | None = None,
    holder: tuple[PartyKind, int | None] | None = None,
    handover_id: int | None = None,
    reason: str | None = None,
    device_at: datetime | None = None,
    due_on: date | None = None,
) -> TrackingEvent:
    """Move the dossier by `event` (or raise `IllegalTransition`) and write its tracking event."""
    before = dossier.status
    after = states.target(before, event)
    now = utcnow()
    dossier.status = after
    dossier.status_changed_at = now
    if holder is not None:
        dossier.holder_kind, dossier.holder_id = holder
    return record_event(
        session,
        dossier,
        event,
        actor,
        from_status=before,
        site_id=site_id,
        handover_id=handover_id,
        reason=reason,
        device_at=device_at,
        due_on=due_on,
    )


def record_event(
    session: Session,
    dossier: Dossier,
    event: Event,
    actor: Actor,
    *,
    from_status: DossierStatus | None,
    site_id: int | None = None,
    handover_id: int | None = None,
    reason: str | None = None,
    device_at: datetime | None = None,
    due_on: date | None = None,
) -> TrackingEvent:
    """Write one tracking event; tell the citizen's SMS, the webhooks and the statistics' rollup."""
    tracking_event = TrackingEvent(
        dossier_id=dossier.id,
        event=event.value,
        code=states.EVENTS[event].code,
        from_status=from_status,
        to_status=dossier.status,
        actor_kind=actor.kind,
        actor_id=actor.id,
        site_id=site_id,
        handover_id=handover_id,
        reason=reason,
        occurred_at=utcnow(),
        device_at=device_at,
        due_on=due_on,
    )
    session.add(tracking_event)
    session.flush()
    if event in NOTIFIED:
        enqueue(session, "notifications.send_event", event_id=tracking_event.id)
    webhooks.on_event(session, dossier, tracking_event)
    rollup.on_event(session, dossier, tracking_event)
    return tracking_event


def timeline(session: Session, dossier: Dossier) -> list[TrackingEvent]:
    """The dossier's tracking events, oldest first."""
    query = (
        select(TrackingEvent)
        .where(TrackingEvent.dossier_id == dossier.id)
        .order_by(TrackingEvent.occurred_at, TrackingEvent.id)
    )
    return list(session.scalars(query).all())
