"""What makes a phone's retry safe: a fingerprint of what was sent, and an insert that yields to a
concurrent identical request (the unique key decides; the loser answers the winner's row)."""

import hashlib
import json
from collections.abc import Mapping

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from courier.db import Base


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
