"""Idempotent booking: a retried request with the same key and body finds the first dossier.

The key and a digest of the request and its caller are stored on the dossier under a unique
index, so two identical requests at once make one dossier: the second insert waits for the
first and fails on the index, and the second request then answers the first one's dossier.
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
from courier.dossiers.models import Dossier
from courier.errors import FieldProblem, InvalidInput
from courier.text import mark

if TYPE_CHECKING:
    from courier.dossiers.booking import BookingRequest

T = TypeVar("T")
LOC = ("header", "Idempotency-Key")
REUSED = mark(
    "this key was already used for a different booking: send a new key with a new booking"
)


def digest(request: "BookingRequest", actor: Actor) -> str:
    """A digest of what was asked and by whom: the same key from someone else is refused."""
    content = {**asdict(request), "actor": [actor.kind, actor.id, actor.owner_id]}
    text = json.dumps(content, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def replay(session: Session, key: str, request_digest: str) -> Dossier | None:
    """The dossier a request with this key made; `InvalidInput` if it asked something else."""
    dossier = session.scalar(select(Dossier).where(Dossier.idempotency_key == key))
    if dossier is not None and dossier.request_digest != request_digest:
        raise InvalidInput([FieldProblem(LOC, REUSED, "idempotency_key_reused")])
    return dossier


def create_once(
    session: Session, key: str, request_digest: str, create: Callable[[], T]
) -> T | Dossier:
    """Run `create` in a savepoint; when a concurrent request took the key, its dossier."""
    try:
        with session.begin_nested():
            return create()
    except IntegrityError:
        found = replay(session, key, request_digest)
        if found is None:
            raise
        return found
