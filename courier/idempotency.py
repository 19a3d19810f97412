"""What makes a phone's retry safe: a fingerprint of what was sent, an insert that yields to a
concurrent identical request (the unique key decides; the loser answers the winner's row), and
keys that are each caller's own (another caller's key tells nothing of their request)."""

import hashlib
import json
from collections.abc import Callable, Mapping

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from courier.actors import Actor
from courier.db import Base

_DERIVED = "~"  # starts every derived key; a key sent with it is derived too, never stored as sent


def fingerprint(content: Mapping[str, object]) -> str:
    """SHA-256 of the content as sorted JSON: the same request always gives the same digest."""
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def insert_once(session: Session, row: Base) -> bool:
    """Insert the row in a savepoint; False when a concurrent request took its unique key first."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return False
    return True


def stored_key(key: str, actor: Actor, taken_by_other: Callable[[str], bool]) -> str:
    """The key as a caller's request stores it: as sent, unless another caller's request holds it
    (or it looks like a derived key, which only this function makes): then derived from the
    caller and the key, 64 characters starting with '~'. Another's key is thus as new to the
    caller as an unused one, the caller's retries find their own, and no client can take a key
    derived for someone else."""
    if not key.startswith(_DERIVED) and not taken_by_other(key):
        return key
    caller = json.dumps([actor.kind, actor.id, actor.owner_id, key])
    return _DERIVED + hashlib.sha256(caller.encode()).hexdigest()[:63]
