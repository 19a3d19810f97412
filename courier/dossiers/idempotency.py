"""Idempotent booking: a retried request with the same key and body finds the first dossier.

The key and a digest of the request and its caller are stored on the dossier under a unique
index, so two identical requests at once make one dossier: the second insert waits for the
first and fails on the index, and the second request then answers the first one's dossier.
A key is its caller's own (`courier.idempotency.stored_key`): a key another caller booked with
is as new to this one as an unused key, so its reuse tells nothing of the other's booking.
Anonymous callers cannot be told apart: for them the key itself is what they hold.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from courier.actors import Actor
from courier.dossiers.models import Dossier, TrackingEvent
from courier.dossiers.states import Event
from courier.errors import Conflict, FieldProblem, InvalidInput
from courier.idempotency import stored_key
from courier.text import mark

if TYPE_CHECKING:
    from courier.dossiers.booking import BookingRequest

T = TypeVar("T")
LOC = ("header", "Idempotency-Key")
REUSED = mark(
    "this key was already used for a different booking: send a new key with a new booking"
)
KEY_RACED = mark("another request took this key at the same moment: send the booking again")


def digest(request: "BookingRequest", actor: Actor) -> str:
    """A digest of what was asked and by whom: the same key from someone else is refused."""
    content = {**asdict(request), "actor": [actor.kind, actor.id, actor.owner_id]}
    text = json.dumps(content, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _by_key(session: Session, key: str) -> Dossier | None:
    return session.scalar(select(Dossier).where(Dossier.idempotency_key == key))


def _booked_by(session: Session, dossier: Dossier, actor: Actor) -> bool:
    """True when the caller made the dossier's booking (the account, the API key, or anyone
    without either when it was booked so)."""
    booking = select(TrackingEvent.actor_kind, TrackingEvent.actor_id).where(
        TrackingEvent.dossier_id == dossier.id, TrackingEvent.event == Event.BOOK.value
    )
    return tuple(session.execute(booking.limit(1)).one()) == (actor.kind, actor.id)


def own_key(session: Session, key: str, actor: Actor) -> str:
    """The key as this caller's booking stores it: their own when a booking the caller did not
    make holds it as sent (that one is none of the caller's business)."""

    def taken_by_other(sent: str) -> bool:
        holder = _by_key(session, sent)
        return holder is not None and not _booked_by(session, holder, actor)

    return stored_key(key, actor, taken_by_other)


def replay(session: Session, key: str, request: "BookingRequest", actor: Actor) -> Dossier | None:
    """The caller's dossier booked with this key; `InvalidInput` if it asked something else."""
    dossier = _by_key(session, own_key(session, key, actor))
    if dossier is not None and dossier.request_digest != digest(request, actor):
        raise InvalidInput([FieldProblem(LOC, REUSED, "idempotency_key_reused")])
    return dossier


def create_once(
    session: Session,
    key: str,
    request: "BookingRequest",
    actor: Actor,
    create: Callable[[tuple[str, str]], T],
) -> T | Dossier:
    """Run `create` with the caller's (key, digest) in a savepoint; when a concurrent identical
    request took the key, its dossier; when another caller's did, again under the caller's key."""
    for _ in range(3):
        keyed = (own_key(session, key, actor), digest(request, actor))
        try:
            with session.begin_nested():
                return create(keyed)
        except IntegrityError:
            found = replay(session, key, request, actor)
            if found is not None:
                return found
            if own_key(session, key, actor) == keyed[0]:
                raise
    raise Conflict(KEY_RACED, code="idempotency_key_busy")
